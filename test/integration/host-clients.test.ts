/**
 * The real MCP clients (devDependencies: Claude Code, Codex, OpenCode) read the entry that
 * `pyro host connect` wrote into their own config, start `pyro mcp serve` from it and report it
 * connected. Each client runs with a temp HOME and a project dir of its own, offline: listing
 * MCP servers needs no account. No guest boots (the servers only answer the handshake).
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify, stripVTControlCharacters } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

const pyro = workspaceTest();
const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** A fresh HOME with a project dir, and the environment every command of one client runs in. */
function clientHome(): { home: string; project: string; env: () => NodeJS.ProcessEnv } {
  const home = mkdtempSync(join(tmpdir(), "pyro-client-"));
  roots.push(home);
  const project = join(home, "project");
  mkdirSync(project);
  return { home, project, env: () => pyro.env({ HOME: home, CODEX_HOME: "", XDG_CONFIG_HOME: "" }) };
}

/** Runs a client's own CLI from node_modules/.bin in `cwd`; stdout and stderr together. */
async function client(bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout, stderr } = await promisify(execFile)(join(repoRoot, "node_modules", ".bin", bin), args, {
    cwd,
    env,
    timeout: 90_000,
  });
  return `${stdout}\n${stderr}`;
}

describe("real MCP clients read what pyro host connect wrote", () => {
  it.each([
    ["claude-code", "claude", /pyro: .*mcp serve --profile workspace-core.*Connected/],
    ["codex", "codex", /^pyro\s+\S+\s+\S+ mcp serve --profile workspace-core\s.*enabled/m],
    ["opencode", "opencode", /pyro\S*\s+connected/],
  ])("%s lists the pyro server", async (name, bin, listed) => {
    const { project, env } = clientHome();
    const connected = await runCli(["host", "connect", name], env());
    expect(connected.code, connected.stderr).toBe(0);
    // OpenCode colours its output even without a TTY; the check reads the plain text.
    const out = stripVTControlCharacters(await client(bin, ["mcp", "list"], project, env()));
    expect(out).toMatch(listed);
  });
});
