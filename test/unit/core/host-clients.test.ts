/**
 * `pyro host` onramps against a temp HOME: the printed entry parses in each client's format
 * with the documented shape, connect merges into existing files (other entries, comments and
 * modes kept, old file backed up), doctor finds each problem, repair fixes them.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parse as parseJsonc } from "jsonc-parser";
import { parse as parseToml } from "smol-toml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { HostClient, HostScope } from "../../../src/core/host-clients/clients.js";
import {
  connectClient,
  doctorClient,
  printConfig,
  repairClient,
} from "../../../src/core/host-clients/onramp.js";

const PROFILES = ["vm-run", "workspace-core", "workspace-full"];
const pyroScript = resolve(import.meta.dirname, "..", "..", "..", "src", "cli", "main.ts");
const launcher = { command: process.execPath, args: [pyroScript] };
const wantArgs = (profile = "workspace-core") => [pyroScript, "mcp", "serve", "--profile", profile];

let home = "";
let cwd = "";
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "pyro-host-"));
  cwd = join(home, "project");
  mkdirSync(cwd);
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const opts = (client: HostClient, extra: { scope?: HostScope; profile?: string; dryRun?: boolean } = {}) => ({
  client,
  launcher,
  ctx: { home, cwd, path: dirname(process.execPath) },
  profiles: PROFILES,
  ...extra,
});

function write(path: string, text: string, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, mode);
}
const read = (path: string) => readFileSync(path, "utf8");
const backups = (path: string) =>
  readdirSync(dirname(path)).filter((n) => n.startsWith(".") === false && n.includes(".pyro-backup-"));

describe("print-config", () => {
  it("prints each client's documented shape, parseable in its format", () => {
    const claude = printConfig(opts("claude-code"));
    expect(claude.path).toBe(join(home, ".claude.json"));
    expect(JSON.parse(claude.text)).toEqual({
      mcpServers: { pyro: { type: "stdio", command: process.execPath, args: wantArgs(), env: {} } },
    });
    const codex = printConfig(opts("codex", { profile: "workspace-full" }));
    expect(codex.path).toBe(join(home, ".codex", "config.toml"));
    expect(JSON.parse(JSON.stringify(parseToml(codex.text)))).toEqual({
      mcp_servers: {
        pyro: { command: process.execPath, args: wantArgs("workspace-full"), tool_timeout_sec: 300 },
      },
    });
    const opencode = printConfig(opts("opencode", { scope: "project" }));
    expect(opencode.path).toBe(join(cwd, "opencode.json"));
    expect(JSON.parse(opencode.text)).toEqual({
      $schema: "https://opencode.ai/config.json",
      mcp: { pyro: { type: "local", command: [process.execPath, ...wantArgs()], enabled: true } },
    });
    expect(printConfig(opts("claude-code", { scope: "project" })).path).toBe(join(cwd, ".mcp.json"));
  });

  it("refuses a scope the client does not have", () => {
    expect(() => printConfig(opts("codex", { scope: "local" }))).toThrow(/codex has no "local" scope/);
  });
});

describe("connect", () => {
  it("shows the change with --dry-run and writes nothing", async () => {
    const r = await connectClient(opts("codex", { dryRun: true }));
    expect(r).toMatchObject({ changed: true, dryRun: true, backupPath: null });
    expect(r.diff).toContain("+[mcp_servers.pyro]");
    expect(existsSync(r.path)).toBe(false);
  });

  it("merges into Claude Code's ~/.claude.json (user and local scope), keeping everything else", async () => {
    const path = join(home, ".claude.json");
    const before = {
      numStartups: 7,
      mcpServers: { other: { command: "other", args: [] } },
      projects: { "/x": {} },
    };
    write(path, JSON.stringify(before, null, 2), 0o600);
    const r = await connectClient(opts("claude-code"));
    expect(r.changed).toBe(true);
    const after = JSON.parse(read(path));
    expect(after).toMatchObject({ numStartups: 7, projects: { "/x": {} } });
    expect(after.mcpServers.other).toEqual(before.mcpServers.other);
    expect(after.mcpServers.pyro).toMatchObject({ command: process.execPath, args: wantArgs() });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(read(r.backupPath as string))).toEqual(before);

    await connectClient(opts("claude-code", { scope: "local" }));
    expect(JSON.parse(read(path)).projects[cwd].mcpServers.pyro.args).toEqual(wantArgs());
    // The same entry again: nothing to write, no new backup.
    const again = await connectClient(opts("claude-code"));
    expect(again).toMatchObject({ changed: false, backupPath: null, diff: "" });
  });

  it("keeps comments and other tables of Codex's config.toml", async () => {
    const path = join(home, ".codex", "config.toml");
    write(
      path,
      '# mine\nmodel = "o3"\n\n[mcp_servers.other]\ncommand = "other"  # keep\n\n[profiles.fast]\nmodel = "x"\n',
    );
    await connectClient(opts("codex"));
    const text = read(path);
    expect(text).toContain("# mine");
    expect(text).toContain('command = "other"  # keep');
    const data = JSON.parse(JSON.stringify(parseToml(text)));
    expect(data).toMatchObject({
      model: "o3",
      profiles: { fast: { model: "x" } },
      mcp_servers: { other: { command: "other" } },
    });
    expect(data.mcp_servers.pyro).toEqual({
      command: process.execPath,
      args: wantArgs(),
      tool_timeout_sec: 300,
    });
    expect(backups(path)).toHaveLength(1);
  });

  it("rewrites an inline Codex table it cannot cut out, and the result still parses", async () => {
    const path = join(home, ".codex", "config.toml");
    write(path, 'mcp_servers = { pyro = { command = "old" }, other = { command = "o" } }\n');
    await connectClient(opts("codex"));
    const data = JSON.parse(JSON.stringify(parseToml(read(path))));
    expect(data.mcp_servers.other).toEqual({ command: "o" });
    expect(data.mcp_servers.pyro.args).toEqual(wantArgs());
  });

  it("keeps OpenCode's comments and uses the newer mcp.servers nesting when the file has it", async () => {
    const path = join(home, ".config", "opencode", "opencode.json");
    write(
      path,
      '{\n  // mine\n  "theme": "x",\n  "mcp": { "other": { "type": "local", "command": ["o"] } }\n}\n',
    );
    await connectClient(opts("opencode"));
    expect(read(path)).toContain("// mine");
    const data = parseJsonc(read(path));
    expect(data.mcp.other).toEqual({ type: "local", command: ["o"] });
    expect(data.mcp.pyro).toEqual({
      type: "local",
      command: [process.execPath, ...wantArgs()],
      enabled: true,
    });

    const v2 = join(cwd, "opencode.json");
    write(v2, JSON.stringify({ mcp: { servers: { other: { type: "local", command: ["o"] } } } }));
    await connectClient(opts("opencode", { scope: "project" }));
    expect(JSON.parse(read(v2)).mcp.servers.pyro).toEqual({
      type: "local",
      command: [process.execPath, ...wantArgs()],
    });
  });

  it("refuses a file that does not parse and leaves it alone", async () => {
    const path = join(cwd, ".mcp.json");
    write(path, "{ not json");
    await expect(connectClient(opts("claude-code", { scope: "project" }))).rejects.toMatchObject({
      code: "invalid_argument",
      details: { problem: "config_invalid" },
    });
    expect(read(path)).toBe("{ not json");
  });
});

describe("doctor and repair", () => {
  const codexPath = () => join(home, ".codex", "config.toml");
  const codexEntry = (lines: string) => write(codexPath(), `[mcp_servers.pyro]\n${lines}\n`);

  it("reports a missing entry and a file that does not parse", async () => {
    expect((await doctorClient(opts("codex"))).problems.map((p) => p.code)).toEqual(["entry_missing"]);
    write(codexPath(), "[broken");
    const r = await doctorClient(opts("codex"));
    expect(r.problems.map((p) => p.code)).toEqual(["config_invalid"]);
    await expect(repairClient(opts("codex"))).rejects.toMatchObject({ code: "invalid_argument" });
  });

  it("finds a wrong binary path, a non-pyro script, other arguments, a bad profile, a disabled entry", async () => {
    codexEntry(`command = "/no/such/node"\nargs = ["${pyroScript}", "mcp", "serve"]`);
    expect((await doctorClient(opts("codex"))).problems.map((p) => p.code)).toEqual(["binary_missing"]);
    codexEntry(`command = "${process.execPath}"\nargs = ["/no/such/main.js", "mcp", "serve"]`);
    expect((await doctorClient(opts("codex"))).problems.map((p) => p.code)).toEqual(["binary_missing"]);
    const impostor = join(home, "impostor.js");
    write(impostor, "");
    codexEntry(`command = "${process.execPath}"\nargs = ["${impostor}", "mcp", "serve"]`);
    expect((await doctorClient(opts("codex"))).problems.map((p) => p.code)).toEqual(["binary_not_pyro"]);
    codexEntry(`command = "node"\nargs = ["${pyroScript}", "run", "--", "true"]`);
    expect((await doctorClient(opts("codex"))).problems.map((p) => p.code)).toEqual(["not_mcp_serve"]);
    codexEntry(
      `command = "node"\nargs = ["${pyroScript}", "mcp", "serve", "--profile=everything"]\nenabled = false`,
    );
    expect((await doctorClient(opts("codex"))).problems.map((p) => p.code)).toEqual([
      "profile_invalid",
      "entry_disabled",
    ]);
    write(
      join(cwd, ".mcp.json"),
      JSON.stringify({ mcpServers: { pyro: { type: "http", url: "http://x/mcp" } } }),
    );
    const http = await doctorClient(opts("claude-code", { scope: "project" }));
    expect(http.problems.map((p) => p.code)).toEqual(["entry_not_stdio"]);
  });

  it("repairs a wrong binary path, keeping the entry's flags and environment", async () => {
    write(
      codexPath(),
      `# top\n[mcp_servers.pyro]\ncommand = "/old/node"\nargs = ["/old/main.js", "mcp", "serve", "--allowed-root", "/src", "--profile", "vm-run"]\n\n[mcp_servers.pyro.env]\nPYRO_HOME = "/srv/pyro"\n`,
    );
    const dry = await repairClient(opts("codex", { dryRun: true }));
    expect(dry).toMatchObject({ changed: true, dryRun: true, fixed: ["binary_missing"], problems: [] });
    expect(read(codexPath())).toContain("/old/node");
    const r = await repairClient(opts("codex"));
    expect(r).toMatchObject({ changed: true, fixed: ["binary_missing"], problems: [] });
    expect(read(codexPath())).toContain("# top");
    const entry = JSON.parse(JSON.stringify(parseToml(read(codexPath())))).mcp_servers.pyro;
    expect(entry).toMatchObject({
      command: process.execPath,
      args: [pyroScript, "mcp", "serve", "--allowed-root", "/src", "--profile", "vm-run"],
      env: { PYRO_HOME: "/srv/pyro" },
    });
    expect((await doctorClient(opts("codex"))).ok).toBe(true);
    // Healthy: repair changes nothing.
    expect(await repairClient(opts("codex"))).toMatchObject({ changed: false, fixed: [], problems: [] });
  });

  it("repairs a disabled OpenCode entry with a bad profile", async () => {
    const path = join(cwd, "opencode.json");
    write(
      path,
      JSON.stringify({
        mcp: {
          pyro: {
            type: "local",
            command: ["node", pyroScript, "mcp", "serve", "--profile", "x"],
            enabled: false,
          },
        },
      }),
    );
    const r = await repairClient(opts("opencode", { scope: "project" }));
    expect(r.fixed).toEqual(["profile_invalid", "entry_disabled"]);
    expect(JSON.parse(read(path)).mcp.pyro).toEqual({
      type: "local",
      command: [process.execPath, ...wantArgs()],
      enabled: true,
    });
  });
});
