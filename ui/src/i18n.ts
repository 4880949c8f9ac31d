// The page's words, in the language the core chose (the cashier's at sign-in, else
// `--lang`, else the terminal's setting). Every word is a message of
// messages/<lang>.ftl, the files the core formats receipts and its own sentences
// from: the page's static text is marked `data-l10n-id` in index.html (attributes
// as the message's attributes, variables in `data-l10n-args`), and a screen's
// dynamic text is `t("id", { ... })`. i18n.test.ts fails on any text outside them.
// Data (codes, ids, names, amounts) and the service's own `error.message` are
// shown as they are.

import { FluentBundle, FluentResource, type FluentVariable } from "@fluent/bundle";
import type { Lang } from "./bindings";
import en from "../../messages/en.ftl?raw";
import ms from "../../messages/ms.ftl?raw";
import ta from "../../messages/ta.ftl?raw";
import zh from "../../messages/zh.ftl?raw";

export const SOURCES: Record<Lang, string> = { en, zh, ms, ta };

/** The BCP 47 tag the page's `lang` attribute carries (fonts and line breaking). */
const TAGS: Record<Lang, string> = { en: "en-SG", zh: "zh-Hans-SG", ms: "ms-SG", ta: "ta-SG" };

function bundle(lang: Lang): FluentBundle {
  // No isolation marks: none of these languages is written right to left, and the
  // marks would reach the clipboard and the tests as invisible characters.
  const b = new FluentBundle(TAGS[lang], { useIsolating: false });
  b.addResource(new FluentResource(SOURCES[lang]));
  return b;
}

const english = bundle("en");
let current: { lang: Lang; bundle: FluentBundle } = { lang: "en", bundle: english };

export type Args = Record<string, FluentVariable>;

/** The message `id` in the page's language; English if a translation lacks it
 *  (the tests refuse that), the id itself if English does too. */
export function t(id: string, args?: Args): string {
  for (const b of [current.bundle, english]) {
    const m = b.getMessage(id);
    if (m?.value) return b.formatPattern(m.value, args);
  }
  return id;
}

/** An attribute of message `id` (`.aria-label`, `.placeholder`). */
export function attr(id: string, name: string, args?: Args): string {
  for (const b of [current.bundle, english]) {
    const a = b.getMessage(id)?.attributes[name];
    if (a) return b.formatPattern(a, args);
  }
  return id;
}

export function language(): Lang {
  return current.lang;
}

/** Fills every element marked `data-l10n-id` under `root`: the message's value as
 *  its text (only an element with no child elements has one) and its attributes. */
export function localize(root: ParentNode) {
  for (const el of root.querySelectorAll<HTMLElement>("[data-l10n-id]")) {
    const id = el.dataset.l10nId!;
    const args = el.dataset.l10nArgs ? (JSON.parse(el.dataset.l10nArgs) as Args) : undefined;
    const b = current.bundle.hasMessage(id) ? current.bundle : english;
    const m = b.getMessage(id);
    if (!m) continue;
    if (m.value && el.childElementCount === 0) el.textContent = b.formatPattern(m.value, args);
    for (const [name, pattern] of Object.entries(m.attributes)) el.setAttribute(name, b.formatPattern(pattern, args));
  }
}

/** Switches the page to `lang` (a no-op when it is already in it); returns whether
 *  it changed, so that screens showing dynamic text redraw it. */
export function setLanguage(lang: Lang): boolean {
  if (lang === current.lang && document.documentElement.dataset.lang === lang) return false;
  current = { lang, bundle: lang === "en" ? english : bundle(lang) };
  document.documentElement.lang = TAGS[lang];
  document.documentElement.dataset.lang = lang;
  localize(document);
  return true;
}

/** Gives `el` the message `id` and keeps it: a later language switch re-words it. */
export function setText(el: HTMLElement, id: string, args?: Args) {
  el.dataset.l10nId = id;
  if (args) el.dataset.l10nArgs = JSON.stringify(args);
  else delete el.dataset.l10nArgs;
  el.textContent = t(id, args);
}
