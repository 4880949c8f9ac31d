// Finding the page's elements, and showing what went wrong. Every element is looked
// up by a literal id (`$("code-input")`) so that ids.test.ts can check each one
// exists in index.html. Every failed call is shown through `showError`: the core's
// own words (an IpcError's message) unchanged, through textContent only, and a
// handler where the page does more for a particular error code.

import type { ErrorCode, IpcError } from "./bindings";

export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** The words to show for a failure: the core's message unchanged. */
export function errorText(e: unknown): string {
  const err = e as IpcError;
  return err && typeof err.message === "string" ? err.message : String(e);
}

/** The stable code of a failure the core explained, if it is one. */
export function errorCode(e: unknown): ErrorCode | null {
  const err = e as IpcError;
  return err && typeof err.code === "string" ? err.code : null;
}

/** Where a failure's words go: an element's text, or a function that places them. */
export type ErrorPlace = HTMLElement | ((text: string) => void);

/** What the page does instead of just showing the words, for some error codes. */
export type OnCode = Partial<Record<ErrorCode, (text: string) => unknown>>;

/** Shows why a call failed: the handler for its code if `onCode` has one (it gets the
 *  words, and its result is returned so it can be awaited), else the words in `where`. */
export function showError(e: unknown, where: ErrorPlace, onCode: OnCode = {}): unknown {
  const code = errorCode(e);
  const handler = code ? onCode[code] : undefined;
  if (handler) return handler(errorText(e));
  if (typeof where === "function") where(errorText(e));
  else where.textContent = errorText(e);
}

/** Runs an action of the page; if it fails, `showError` shows why. */
export async function attempt(where: ErrorPlace, action: () => Promise<unknown>, onCode?: OnCode): Promise<void> {
  try {
    await action();
  } catch (e) {
    await showError(e, where, onCode);
  }
}

/** A list item with this text. */
export const item = (text: string) => Object.assign(document.createElement("li"), { textContent: text });

/** Appends a table cell with this text. */
export function cell(row: HTMLTableRowElement, text: string) {
  const td = row.insertCell();
  td.textContent = text;
}
