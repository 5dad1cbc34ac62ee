/**
 * docs/public-contract.md must name every CLI command (with each of its flags), every public
 * `Pyro` method and every MCP tool of each profile. The surface is read from the code itself:
 * the real commander tree (`buildProgram`), `Pyro.prototype`, and the tool
 * list a real MCP Client sees. No VM boots here.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContext } from "../../src/cli/context.js";
import { buildProgram } from "../../src/cli/program.js";
import { Pyro as EntryPyro } from "../../src/index.js";
import { CORE_HIDDEN_FIELDS } from "../../src/mcp/profiles.js";
import { createMcpServer, MCP_PROFILES, type McpProfile } from "../../src/mcp/server.js";
import { Pyro } from "../../src/sdk/index.js";

const docPath = new URL("../../docs/public-contract.md", import.meta.url);
const doc = readFileSync(docPath, "utf8");

interface CommandEntry {
  path: string;
  flags: string[];
  leaf: boolean;
}

/** Every command path with the long names of its own flags; `leaf` when it has no subcommands. */
function commandEntries(cmd: Command, parents: string[] = []): CommandEntry[] {
  const path = [...parents, cmd.name()];
  const flags = cmd.options.map((o) => o.long).filter((f): f is string => Boolean(f));
  const leaf = cmd.commands.length === 0;
  return [{ path: path.join(" "), flags, leaf }, ...cmd.commands.flatMap((sub) => commandEntries(sub, path))];
}

/** The table rows documenting `path`: lines starting with "| `PATH" followed by a space or backtick. */
function rowsFor(path: string): string[] {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return doc.split("\n").filter((line) => new RegExp(`^\\| \`${escaped}[ \`]`).test(line));
}

/** The one table row documenting `path` (the test below refuses a second). */
const rowFor = (path: string): string | undefined => rowsFor(path)[0];

/**
 * Public methods of Pyro (the SDK class and the package entry's subclass, which adds
 * `createServer`): prototype functions minus the constructor, `_x` and TS `private` ones.
 */
function sdkMethods(): string[] {
  const source = ["pyro.ts", "pyro-machines.ts"]
    .map((f) => readFileSync(new URL(`../../src/sdk/${f}`, import.meta.url), "utf8"))
    .join("\n");
  const privateNames = new Set(
    [...source.matchAll(/^\s+(?:private|protected)\s+(?:static\s+)?(?:async\s+)?(\w+)\s*\(/gm)].map(
      (m) => m[1],
    ),
  );
  // Pyro's methods live on its prototype chain (pyro.ts, and its base class in pyro-machines.ts).
  const chain: object[] = [];
  for (
    let p: object | null = EntryPyro.prototype;
    p && p !== Object.prototype;
    p = Object.getPrototypeOf(p)
  ) {
    chain.push(p);
  }
  expect(chain).toContain(Pyro.prototype);
  return chain.flatMap((proto) =>
    Object.getOwnPropertyNames(proto).filter((name) => {
      if (name === "constructor" || name.startsWith("_") || privateNames.has(name)) return false;
      return typeof Object.getOwnPropertyDescriptor(proto, name)?.value === "function";
    }),
  );
}

/** The part of the doc under "### Profile `P`", up to the next heading. */
function profileSection(profile: McpProfile): string {
  const heading = `### Profile \`${profile}\``;
  const start = doc.indexOf(heading);
  if (start < 0) return "";
  const rest = doc.slice(start + heading.length);
  const end = rest.search(/^#{1,3} /m);
  return end < 0 ? rest : rest.slice(0, end);
}

let stateDir = "";
beforeAll(() => {
  stateDir = mkdtempSync(join(tmpdir(), "pyro-contract-"));
});
afterAll(() => {
  rmSync(stateDir, { recursive: true, force: true });
});

async function toolNames(profile: McpProfile): Promise<string[]> {
  const server = createMcpServer(new Pyro({ stateDir }), { profile });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "contract-test", version: "0.0.0" });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  const { tools } = await client.listTools();
  await client.close();
  return tools.map((t) => t.name);
}

describe("docs/public-contract.md", () => {
  it("documents every CLI command path and each of its flags", () => {
    const entries = commandEntries(buildProgram(createContext(undefined, new AbortController().signal)));
    expect(entries.length).toBeGreaterThan(40);
    const missing: string[] = [];
    for (const { path, flags, leaf } of entries) {
      const row = rowFor(path);
      if (!row) {
        // A group (`pyro workspace shell`) needs no row of its own, only a mention; a command
        // that runs something, or has flags, needs its row.
        const mentioned = doc.includes(`\`${path} `) || doc.includes(`\`${path}\``);
        if (leaf || flags.length > 0 || !mentioned) missing.push(path);
        continue;
      }
      for (const flag of flags) {
        if (!row.includes(`\`${flag}`)) missing.push(`${path} ${flag}`);
      }
    }
    expect(missing, "add these to the CLI table of docs/public-contract.md").toEqual([]);
  });

  it("documents each CLI command in one row and each Pyro method in one bullet", () => {
    const entries = commandEntries(buildProgram(createContext(undefined, new AbortController().signal)));
    // Leaves only: a group's path (`pyro env`) begins the rows of its commands.
    const leaves = entries.filter((e) => e.leaf).map((e) => e.path);
    const twice = leaves.filter((path) => rowsFor(path).length > 1);
    const bullets = doc.split("\n").flatMap((line) => /^- `(\w+)\(/.exec(line)?.[1] ?? []);
    twice.push(...sdkMethods().filter((name) => bullets.filter((b) => b === name).length > 1));
    expect(twice, "merge the rows (or bullets) of these in docs/public-contract.md").toEqual([]);
  });

  it("documents every public Pyro method", () => {
    const methods = sdkMethods();
    expect(methods).toContain("createWorkspace");
    expect(methods).toContain("createServer");
    const missing = methods.filter((name) => !doc.includes(`\`${name}(`));
    expect(missing, "add these to the SDK section of docs/public-contract.md").toEqual([]);
  });

  it("documents every MCP tool under each profile", async () => {
    expect([...MCP_PROFILES].sort()).toEqual(["vm-run", "workspace-core", "workspace-full"]);
    const missing: string[] = [];
    for (const profile of MCP_PROFILES) {
      const section = profileSection(profile);
      if (!section) {
        missing.push(`profile ${profile}`);
        continue;
      }
      for (const tool of await toolNames(profile)) {
        if (!section.includes(`\`${tool}\``)) missing.push(`${profile}: ${tool}`);
      }
    }
    expect(missing, "add these to the MCP section of docs/public-contract.md").toEqual([]);
  });

  it("lists the fields workspace-core hides, per tool", () => {
    const section = profileSection("workspace-core");
    const missing: string[] = [];
    for (const [tool, fields] of Object.entries(CORE_HIDDEN_FIELDS)) {
      const rows = section
        .split("\n")
        .filter((line) => line.startsWith("| ") && line.includes(`\`${tool}\``));
      for (const field of fields) {
        if (!rows.some((row) => row.includes(`\`${field}\``))) missing.push(`${tool}: ${field}`);
      }
    }
    expect(missing, "add these to the workspace-core table of docs/public-contract.md").toEqual([]);
  });
});
