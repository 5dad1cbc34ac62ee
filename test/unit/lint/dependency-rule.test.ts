/**
 * The dependency rule of .dependency-cruiser.cjs (run by `npm run lint`) catches what it is
 * for: its rules run on a small made-up tree with one of each violation and must name each, and
 * the same rules pass a tree that keeps to the layers. The known-violations baseline may only
 * hold the cycles issue 14 leaves to the core move.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { cruise, type IConfiguration, type ICruiseResult } from "dependency-cruiser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const config = createRequire(import.meta.url)("../../../.dependency-cruiser.cjs") as IConfiguration;

/** A tree that keeps every rule: each layer imports the one below through its entry. */
const CLEAN: Record<string, string> = {
  "package.json": JSON.stringify({ name: "fixture", devDependencies: { "dev-only": "1" } }),
  "node_modules/commander/package.json": JSON.stringify({ name: "commander", main: "index.js" }),
  "node_modules/commander/index.js": "export const Command = 1;\n",
  "node_modules/dev-only/package.json": JSON.stringify({ name: "dev-only", main: "index.js" }),
  "node_modules/dev-only/index.js": "export const x = 1;\n",
  "src/errors.ts": "export const E = 1;\n",
  "src/contract/choices.ts": 'import { E } from "../errors";\nexport const C = E;\n',
  "src/supervisor/answers.ts": 'import { E } from "../errors";\nexport const ANS = E;\n',
  "src/supervisor/client.ts": 'import { ANS } from "./answers";\nexport const S = ANS;\n',
  "src/agent/client.ts": 'import { ANS } from "../supervisor/answers";\nexport const A = ANS;\n',
  "src/core/a.ts":
    'import { A } from "../agent/client";\nimport { S } from "../supervisor/client";\nimport { B } from "./b";\nexport const CA = A + S + B;\n',
  "src/core/b.ts": 'import { C } from "../contract/choices";\nexport const B = C;\n',
  "src/sdk/index.ts": 'import { CA } from "../core/a";\nexport const SDK = CA;\n',
  "src/mcp/tool.ts": 'import { SDK } from "../sdk/index";\nexport const T = SDK;\n',
  "src/mcp/server.ts": 'import { T } from "./tool";\nexport const SERVER = T;\n',
  "src/cli/main.ts":
    'import { Command } from "commander";\nimport { SERVER } from "../mcp/server";\nexport const M = [Command, SERVER];\n',
  "src/index.ts":
    'import { SDK } from "./sdk/index";\nimport { SERVER } from "./mcp/server";\nexport { SDK, SERVER };\n',
};

/** One violation each, added to the clean tree (file -> extra import line). */
const VIOLATIONS: Record<string, { file: string; add: string }> = {
  "no-circular": { file: "src/core/b.ts", add: 'import { CA } from "./a";' },
  "core-not-up": { file: "src/core/b.ts", add: 'import { SDK } from "../sdk/index";' },
  "mcp-entry": { file: "src/cli/main.ts", add: 'import { T } from "../mcp/tool";' },
  "faces-through-sdk": { file: "src/mcp/tool.ts", add: 'import { B } from "../core/b";' },
  "sdk-through-core": { file: "src/sdk/index.ts", add: 'import { S } from "../supervisor/client";' },
  "clients-not-up": { file: "src/supervisor/client.ts", add: 'import { B } from "../core/b";' },
  "contract-is-lowest": { file: "src/contract/choices.ts", add: 'import { S } from "../supervisor/client";' },
  "commander-only-in-cli": { file: "src/core/b.ts", add: 'import { Command } from "commander";' },
  "no-dev-dependencies": { file: "src/sdk/index.ts", add: 'import { x } from "dev-only";' },
  "agent-uses-supervisor-answers-only": {
    file: "src/agent/client.ts",
    add: 'import { S } from "../supervisor/client";',
  },
  "nothing-imports-cli": { file: "src/sdk/index.ts", add: 'import { M } from "../cli/main";' },
};

function writeTree(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

/** Names of the rules the config's forbidden rules report on `root/src`. */
async function violations(root: string): Promise<string[]> {
  const { forbidden, options } = config;
  const result = await cruise(["src"], {
    ruleSet: { forbidden: forbidden ?? [] },
    validate: true,
    baseDir: root,
    doNotFollow: options?.doNotFollow ?? { path: "node_modules" },
    tsPreCompilationDeps: true,
  });
  const output = result.output as ICruiseResult;
  return [...new Set(output.summary.violations.map((v) => v.rule.name))].sort();
}

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pyro-depcruise-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe(".dependency-cruiser.cjs", () => {
  it("passes a tree that keeps to the layers", async () => {
    const root = join(dir, "clean");
    writeTree(root, CLEAN);
    expect(await violations(root)).toEqual([]);
  });

  it.each(Object.entries(VIOLATIONS))("reports %s", async (rule, { file, add }) => {
    const root = join(dir, rule);
    writeTree(root, { ...CLEAN, [file]: `${add}\n${CLEAN[file]}` });
    expect(await violations(root)).toContain(rule);
  });

  it("reports a module nothing imports", async () => {
    const root = join(dir, "orphan");
    writeTree(root, { ...CLEAN, "src/core/unused.ts": "export const U = 1;\n" });
    expect(await violations(root)).toEqual(["no-orphans"]);
  });

  it("knows only the cycles left to the core move (empty it once they are gone)", () => {
    const baseline = JSON.parse(
      readFileSync(new URL("../../../.dependency-cruiser-known-violations.json", import.meta.url), "utf8"),
    ) as { rule: { name: string }; from: string }[];
    for (const known of baseline) {
      expect(known.rule.name).toBe("no-circular");
      expect(known.from).toMatch(/^src\/(sdk\/|mcp\/(tool|profiles)\.ts$)/);
    }
  });
});
