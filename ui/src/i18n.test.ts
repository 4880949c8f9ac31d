// Issue 22: every word the page shows comes from messages/<lang>.ftl. These tests
// fail when index.html carries text (or a placeholder, a label, an alt) that is not
// a message, when a screen writes prose of its own instead of `t("id")`, and when a
// message the page names does not exist. (src/messages.rs checks that every
// language has every message, with the same variables.)
/// <reference types="vite/client" />
import { FluentResource } from "@fluent/bundle";
import { describe, expect, it } from "vitest";
import indexHtml from "../index.html?raw";
import { SOURCES, attr, localize, setLanguage, t } from "./i18n";

const files = import.meta.glob<string>("./**/*.ts", { query: "?raw", import: "default", eager: true });
/** The page's own code: not the tests, not the files generated from Rust. */
const sources = Object.entries(files).filter(([path]) => !/\.test\.ts$|bindings\.ts$|commands\.ts$|env\.d\.ts$/.test(path));

/** The ids and attributes of one language's messages. */
function messages(source: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of new FluentResource(source).body) out.set(m.id, new Set(Object.keys(m.attributes)));
  return out;
}
const english = messages(SOURCES.en);

/** Code with its comments blanked out (a comment may say anything). */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");

/** Whether an attribute or text carries words (not only digits, symbols or blanks). */
const wordy = (s: string) => /\p{L}/u.test(s);

/** Whether `el` or an ancestor says its content is data, not the page's words. */
const isData = (el: Element | null) => !!el?.closest('[translate="no"]');

describe("the page's words", () => {
  const doc = new DOMParser().parseFromString(indexHtml, "text/html");

  it("index.html has no text that is not a message", () => {
    const loose: string[] = [];
    const walker = doc.createTreeWalker(doc.documentElement, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent ?? "";
      const el = n.parentElement;
      if (!wordy(text) || !el || isData(el) || el.closest("script, style")) continue;
      if (!el.hasAttribute("data-l10n-id")) loose.push(text.trim());
    }
    expect(loose).toEqual([]);
  });

  it("index.html's placeholders, labels, alts and titles are messages' attributes", () => {
    const loose: string[] = [];
    for (const el of doc.querySelectorAll("*")) {
      for (const name of ["placeholder", "aria-label", "alt", "title"]) {
        const value = el.getAttribute(name);
        if (!value || !wordy(value) || isData(el)) continue;
        const id = el.getAttribute("data-l10n-id");
        if (!id || !english.get(id)?.has(name)) loose.push(`${name}="${value}"`);
      }
    }
    expect(loose).toEqual([]);
  });

  it("every message index.html names exists, and each one with text has a value", () => {
    const ids = [...doc.querySelectorAll("[data-l10n-id]")].map((el) => el.getAttribute("data-l10n-id")!);
    expect(ids.length).toBeGreaterThan(150);
    expect(ids.filter((id) => !english.has(id))).toEqual([]);
  });

  it("the screens write no prose of their own", () => {
    // A string literal with a capitalised word, or two words, is prose a screen
    // wrote instead of asking for a message.
    const prose = /^[^\p{L}]*\p{Lu}\p{Ll}+|\p{L}{2,}[ ,.:;!?…—]+\p{L}{2,}/u;
    // Not prose: a key's name, a CSS selector, a module's path.
    const notProse = (s: string) => s === "Enter" || /^[\w-]+:[\w-]+\(|^\.{1,2}\//.test(s);
    const found: string[] = [];
    for (const [path, text] of sources) {
      for (const m of code(text).matchAll(/"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`/g)) {
        const literal = (m[1] ?? m[2]).replace(/\$\{[^}]*\}/g, " ");
        if (prose.test(literal) && !notProse(literal)) found.push(`${path}: ${literal}`);
      }
    }
    expect(found).toEqual([]);
  });

  it("every message the screens ask for exists", () => {
    const asked: string[] = [];
    const calls = /\b(?:t|tr|attr|setText)\(([^()]*(?:\([^()]*\)[^()]*)*)\)/g;
    for (const [path, text] of sources) {
      if (path === "./i18n.ts") continue;
      for (const call of code(text).matchAll(calls)) {
        // Not ids: an element looked up, a value compared, an attribute's name.
        const args = call[1].replace(/\$(?:<\w+>)?\("[^"]*"\)|[=!]==\s*"[^"]*"|,\s*"(?:placeholder|aria-label|alt|title)"/g, "");
        for (const id of args.matchAll(/"([a-z][a-z0-9]*(?:-[a-z0-9]+)*)"/g)) asked.push(`${path}: ${id[1]}`);
      }
    }
    expect(asked.length).toBeGreaterThan(100);
    expect(asked.filter((a) => !english.has(a.split(": ")[1]))).toEqual([]);
  });
});

describe("switching language", () => {
  it("rewords index.html and a screen's text, and keeps data as it is", () => {
    document.documentElement.innerHTML = new DOMParser().parseFromString(indexHtml, "text/html").documentElement.innerHTML;
    setLanguage("zh");
    localize(document);
    const zh = messages(SOURCES.zh);
    expect(zh.size).toBe(english.size);
    const redeem = document.querySelector('[data-l10n-id="redeem-enter"]')!.textContent!;
    expect(redeem).not.toBe("Redeem (Enter)");
    expect(redeem).toBe(t("redeem-enter"));
    expect(document.documentElement.lang).toBe("zh-Hans-SG");
    // A variable is data: the code and the count are kept, in the message's words.
    const summary = t("code-summary", { prefix: "rsg", count: 2, first: "v_enT7…" });
    expect(summary).toContain("rsg");
    expect(summary).toContain("v_enT7…");
    expect(attr("review-note", "aria-label", { code: "rsg: 1" })).toContain("rsg: 1");
    setLanguage("en");
    expect(document.querySelector('[data-l10n-id="redeem-enter"]')!.textContent).toBe("Redeem (Enter)");
  });
});
