// The page looks its elements up by id (`$("code-input")`); a renamed or deleted
// element would otherwise show up only as a null at run time, on the one screen
// that uses it. Every literal id the code looks up must exist in index.html.
/// <reference types="vite/client" />
import { describe, expect, it } from "vitest";
import indexHtml from "../index.html?raw";
import mainTs from "./main.ts?raw";
import viewTs from "./view.ts?raw";

describe("the page's element ids", () => {
  it("every id the code looks up exists in index.html", () => {
    const present = new Set([...indexHtml.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]));
    const sources = [mainTs, viewTs].join("\n");
    const looked = new Set([...sources.matchAll(/\$(?:<\w+>)?\("([^"]+)"\)|getElementById\("([^"]+)"\)/g)].map((m) => m[1] ?? m[2]));
    expect(looked.size).toBeGreaterThan(100);
    expect([...looked].filter((id) => !present.has(id))).toEqual([]);
  });

  it("no id is given to two elements", () => {
    const ids = [...indexHtml.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.filter((id, k) => ids.indexOf(id) !== k)).toEqual([]);
  });
});
