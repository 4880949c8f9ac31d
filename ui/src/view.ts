// Pure display helpers, tested with vitest: labels, code summaries, money, and the
// keyboard-wedge timing rule. They format; they decide nothing about vouchers.
// The types come from ./bindings.ts, generated from the Rust types.

import type { Intent, PrintNote, Printout } from "./bindings";
import { t } from "./i18n";

/** The word the cashier reads, never colour alone. */
export function statusLabel(i: Pick<Intent, "state" | "attempt_count" | "declined">, connectivity?: string, keyRejected = false): string {
  switch (i.state) {
    case "scanned":
      return t("status-scanned");
    case "in_flight":
      return t("status-in-flight");
    case "queued":
    case "unknown":
      // Never sent again; the terminal only checks whether an earlier attempt went through.
      if (i.declined) return t("status-declined");
      if (keyRejected) return t("status-key-rejected");
      return connectivity === "offline" || i.attempt_count > 0 ? t("status-queued-offline") : t("status-queued-sending");
    case "redeemed":
      return t("status-redeemed");
    case "refused":
      return t("status-refused");
    case "needs_review":
      return t("status-needs-review");
    case "cancelled":
      return i.declined ? t("status-declined") : t("status-cancelled");
  }
}

/** What printed: "Sale 12", "The end of day 2026-12-01", "The test print". */
export function printoutText(p: Printout): string {
  if (p.kind === "sale") return t("printout-sale", { number: String(p.number) });
  if (p.kind === "report") return t("printout-report", { date: p.date });
  return t("printout-test");
}

/** The printer's news in a sentence: what printed, or what went wrong. */
export function printNoteText(n: PrintNote): string {
  const what = printoutText(n.what);
  if (!n.error) return t(n.copy ? "print-done-copy" : "print-done", { what });
  return n.what.kind === "sale" ? t("print-failed-receipt", { error: n.error }) : t("print-failed", { what, error: n.error });
}

/** A state as the log's filter and history name it. */
export function stateWord(s: string): string {
  switch (s) {
    case "scanned":
      return t("state-scanned");
    case "queued":
      return t("state-queued");
    case "in_flight":
      return t("state-in-flight");
    case "unknown":
      return t("state-unknown");
    case "redeemed":
      return t("state-redeemed");
    case "refused":
      return t("state-refused");
    case "needs_review":
      return t("state-needs-review");
    case "cancelled":
      return t("state-cancelled");
    default:
      return s;
  }
}

/** "rsg-cfhp: 3 vouchers (v_enT7…)" — the prefix, the count, and the first id shortened. */
export function summarizeCode(code: string, count: number): string {
  const colon = code.indexOf(":");
  const prefix = colon > 0 ? code.slice(0, colon) : code;
  const first = colon > 0 ? code.slice(colon + 1).split(",")[0] : "";
  const short = first.length > 8 ? first.slice(0, 8) + "…" : first;
  return short ? t("code-summary", { prefix, count, first: short }) : t("code-summary-bare", { prefix, count });
}

/** What the terminal's link to the service is like, as the page knows it. */
export type Condition = {
  connectivity: string;
  /** The service's message when it refused the API key (401). */
  keyRejected: string | null;
  /** The store's message when the terminal could not save. */
  storeFailure: string | null;
};

/** The one sentence that tells the cashier what is wrong and what to do, most
 *  serious first; null when all is well. Each condition has its own words. */
export function conditionMessage(c: Condition): { text: string; level: "error" | "info" } | null {
  if (c.storeFailure) return { level: "error", text: t("condition-store-failure", { message: c.storeFailure }) };
  if (c.keyRejected) return { level: "error", text: t("condition-key-rejected", { message: c.keyRejected }) };
  if (c.connectivity === "offline") return { level: "info", text: t("condition-offline") };
  if (c.connectivity === "degraded") return { level: "info", text: t("condition-degraded") };
  return null;
}

/** A time in the store's zone, day/month/year as Singapore writes it. */
export function formatTime(ms: number, timeZone: string | null, withDate = true): string {
  const opts: Intl.DateTimeFormatOptions = { day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" };
  if (timeZone) opts.timeZone = timeZone;
  const p = Object.fromEntries(new Intl.DateTimeFormat("en-GB", opts).formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const time = `${p.hour}:${p.minute}:${p.second}`;
  // One format everywhere, the core's receipts included: day/month/year, 24 hours.
  return withDate ? `${p.day}/${p.month}/${p.year} ${time}` : time;
}

/** Cents the core sent, in the store's currency: `S$1,250.00` (the core's own format). */
export function formatCents(cents: number, symbol: string): string {
  const sign = cents < 0 ? "-" : "";
  const c = Math.abs(Math.trunc(cents));
  const units = Math.floor(c / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}${symbol}${units}.${String(c % 100).padStart(2, "0")}`;
}

/** A handheld scanner types at least 4 keys with every gap under 35 ms. */
export function isWedgeBurst(times: number[]): boolean {
  if (times.length < 4) return false;
  for (let k = 1; k < times.length; k++) if (times[k] - times[k - 1] > 35) return false;
  return true;
}

/** One camera preview frame as the shell sends it: a little-endian u32 length, that
 * many bytes of JSON (width, height, outline), then the JPEG. */
export interface PreviewFrame {
  width: number;
  height: number;
  outline: [number, number][] | null;
  jpeg: Uint8Array<ArrayBuffer>;
}

export function readPreview(buf: ArrayBuffer): PreviewFrame {
  const headLen = new DataView(buf).getUint32(0, true);
  const head = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, headLen))) as Omit<PreviewFrame, "jpeg">;
  return { width: head.width, height: head.height, outline: head.outline, jpeg: new Uint8Array(buf, 4 + headLen) };
}
