// The page looks its elements up by id (`$("code-input")`); a renamed or deleted
// element would otherwise show up only as a null at run time, on the one screen
// that uses it. Every literal id the code looks up, in every .ts file of the page
// (main.ts, the screens, the helpers), must exist in index.html; and every lookup
// names its id literally, so that none escapes this check.
/// <reference types="vite/client" />
import { describe, expect, it } from "vitest";
import indexHtml from "../index.html?raw";

/** Every .ts file under src/, by path ("./main.ts", "./screens/sale.ts", ...). */
const files = import.meta.glob<string>("./**/*.ts", { query: "?raw", import: "default", eager: true });
/** The code that runs in the page: the tests' own patterns are not lookups. */
const sources = Object.entries(files).filter(([path]) => !path.endsWith(".test.ts"));

const lookup = /\$(?:<\w+>)?\("([^"]+)"\)|getElementById\("([^"]+)"\)/g;

describe("the page's element ids", () => {
  it("reads every source file of the page", () => {
    const paths = sources.map(([path]) => path);
    expect(paths).toContain("./main.ts");
    expect(paths).toContain("./dom.ts");
    expect(paths.filter((p) => p.startsWith("./screens/")).length).toBeGreaterThan(10);
  });

  it("every id the code looks up exists in index.html", () => {
    const present = new Set([...indexHtml.matchAll(/(?<![-\w])id="([^"]+)"/g)].map((m) => m[1]));
    const missing: string[] = [];
    let looked = 0;
    for (const [path, text] of sources) {
      for (const m of text.matchAll(lookup)) {
        looked++;
        const id = m[1] ?? m[2];
        if (!present.has(id)) missing.push(`${path}: ${id}`);
      }
    }
    expect(looked).toBeGreaterThan(100);
    expect(missing).toEqual([]);
  });

  it("every lookup names its id literally", () => {
    // `$(id)` with a variable could name anything: this test could not check it.
    // The one exception is the definition of `$` itself, in dom.ts.
    const dynamic = sources.flatMap(([path, text]) =>
      [...text.matchAll(/\$(?:<\w+>)?\((?!")[^)]*\)|getElementById\((?!")[^)]*\)/g)].map((m) => `${path}: ${m[0]}`),
    );
    expect(dynamic).toEqual(["./dom.ts: getElementById(id)"]);
  });

  it("no id is given to two elements", () => {
    const ids = [...indexHtml.matchAll(/(?<![-\w])id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.filter((id, k) => ids.indexOf(id) !== k)).toEqual([]);
  });
});
