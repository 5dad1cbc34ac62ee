/**
 * No import cycle anywhere in src/: every `import`/`export ... from` (type-only ones too) and
 * every `import()` of a relative module counts as an edge.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const src = fileURLToPath(new URL("../../src/", import.meta.url));
const files = readdirSync(src, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".ts"))
  .map((f) => join(src, f));

function edges(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(/(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"|import\("(\.[^"]+)"\)/gs)) {
    const spec = m[1] ?? m[2] ?? "";
    out.push(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
  }
  return out;
}

/** Every cycle found by a depth-first walk, as `a -> b -> a` paths relative to src/. */
function cycles(): string[] {
  const graph = new Map(files.map((f) => [f, edges(f)]));
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const found: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") {
        found.push([...stack.slice(stack.indexOf(next)), next].map((f) => relative(src, f)).join(" -> "));
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const f of files) if (!state.has(f)) visit(f);
  return found;
}

describe("src/ import graph", () => {
  it("sees the edges it should (a positive control)", () => {
    expect(edges(join(src, "sdk/pyro.ts"))).toContain(join(src, "core/workspaces/lifecycle.ts"));
  });

  it("has no cycle", () => {
    expect(cycles()).toEqual([]);
  });
});
