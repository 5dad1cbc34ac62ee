/**
 * `pyro host` through the built CLI with a temp HOME (no guest): print-config and
 * `connect --dry-run` output parses in each client's format, connect writes an entry that
 * starts this very CLI, doctor exits 1 on a wrong binary path and repair fixes it.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { afterAll, describe, expect, it } from "vitest";
import { cliPath, runCli } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

const home = mkdtempSync(join(tmpdir(), "pyro-host-cli-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));
// No guest boots here, but the fixture still gives the CLI a private PYRO_HOME and checks it.
const pyro = workspaceTest();
const env = () => pyro.env({ HOME: home, CODEX_HOME: "", XDG_CONFIG_HOME: "" });
const serveArgs = [cliPath, "mcp", "serve", "--profile", "workspace-core"];

describe("pyro host", () => {
  it("prints each client's entry in its own format", async () => {
    const claude = await runCli(["host", "print-config", "claude-code"], env());
    expect(claude.code).toBe(0);
    expect(JSON.parse(claude.stdout).mcpServers.pyro).toEqual({
      type: "stdio",
      command: process.execPath,
      args: serveArgs,
      env: {},
    });
    expect(claude.stderr).toContain(join(home, ".claude.json"));
    const codex = await runCli(["host", "print-config", "codex", "--profile", "vm-run"], env());
    expect((parseToml(codex.stdout).mcp_servers as Record<string, { args: string[] }>).pyro?.args).toEqual([
      cliPath,
      "mcp",
      "serve",
      "--profile",
      "vm-run",
    ]);
    const opencode = await runCli(["host", "print-config", "opencode", "--json"], env());
    const printed = JSON.parse(opencode.stdout);
    expect(printed).toMatchObject({ client: "opencode", scope: "user", format: "json" });
    expect(JSON.parse(printed.text).mcp.pyro).toEqual({
      type: "local",
      command: [process.execPath, ...serveArgs],
      enabled: true,
    });
    const bad = await runCli(["host", "print-config", "vscode"], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error\[usage\]:.*claude-code, codex, opencode/);
  });

  it("connects (dry run first), then doctor and repair handle a wrong binary path", async () => {
    const path = join(home, ".codex", "config.toml");
    mkdirSync(join(home, ".codex"));
    writeFileSync(path, '# mine\n[mcp_servers.other]\ncommand = "other"\n');
    const dry = await runCli(["host", "connect", "codex", "--dry-run"], env());
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("+[mcp_servers.pyro]");
    expect(readFileSync(path, "utf8")).not.toContain("pyro");
    // The lines the diff adds form the table the client will read.
    const added = dry.stdout
      .split("\n")
      .filter((l) => l.startsWith("+") && !l.startsWith("+++"))
      .map((l) => l.slice(1))
      .join("\n");
    expect((parseToml(added).mcp_servers as Record<string, unknown>).pyro).toMatchObject({ args: serveArgs });

    const connected = await runCli(["host", "connect", "codex", "--json"], env());
    expect(JSON.parse(connected.stdout)).toMatchObject({
      changed: true,
      backup_path: expect.stringContaining(".pyro-backup-"),
    });
    expect(readFileSync(path, "utf8")).toContain('[mcp_servers.other]\ncommand = "other"');
    expect((await runCli(["host", "doctor", "codex"], env())).code).toBe(0);

    writeFileSync(path, readFileSync(path, "utf8").replace(process.execPath, "/opt/gone/bin/node"));
    const sick = await runCli(["host", "doctor", "codex", "--json"], env());
    expect(sick.code).toBe(1);
    expect(JSON.parse(sick.stdout).problems).toEqual([
      expect.objectContaining({
        code: "binary_missing",
        message: expect.stringContaining("/opt/gone/bin/node"),
      }),
    ]);
    const repaired = await runCli(["host", "repair", "codex"], env());
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toContain("fixed: binary_missing");
    expect((await runCli(["host", "doctor", "codex"], env())).stdout).toMatch(/: OK\n$/);
  });
});
