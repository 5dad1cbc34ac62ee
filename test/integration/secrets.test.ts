/**
 * Secrets in a real guest (issue 6 acceptance): readable only through --secret-env or
 * /run/pyro-secrets, redacted from exec output (values split across chunks too), shells,
 * service logs, history and MCP answers, and absent from the state dir, the disk image and a
 * disk export. One debian:12 workspace (policy off) shared across the steps, in order.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, describe, expect, it } from "vitest";
import { cliPath, requireGuest, runCli } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const home = workspaceTest();
const cli = (...args: string[]) => runCli(args, home.env());

// Random, so a match can only come from a leak.
const TOKEN = `tok-${randomBytes(12).toString("hex")}`;
const FILE_SECRET = `file-${randomBytes(12).toString("hex")}`;
const work = mkdtempSync(join(tmpdir(), "pyro-secret-test-"));

/** Files under `path` (a dir or one file) whose bytes contain any of `needles` (one grep pass). */
function filesContaining(path: string, needles: string[], skipFile?: string): string[] {
  // Not -a: grep then skips a sparse file's holes (an exported 8 GiB disk is mostly holes, and
  // with -a it read them all, as one NUL "line" held in memory: minutes, GiBs). -z makes NUL
  // the line end, so no line grows huge in the data it does read; -l still names binary files.
  const r = spawnSync("grep", ["-rlFz", ...needles.flatMap((n) => ["-e", n]), path], {
    encoding: "utf8",
    env: { ...process.env, LC_ALL: "C" },
  });
  if (r.status !== 0 && r.status !== 1) throw new Error(`grep failed: ${r.stderr}`);
  return r.stdout.split("\n").filter((p) => p && p !== skipFile);
}

/** The workspace made with both secrets. */
const workspace = home.shared("workspace with secrets", async () => {
  // With the usual trailing newline: the secret is the trimmed value (as `$(cat file)` reads it).
  writeFileSync(join(work, "secret.txt"), `${FILE_SECRET}\n`);
  const r = await cli(
    "workspace",
    "create",
    "debian:12",
    "--secret",
    `TOKEN=${TOKEN}`,
    "--secret-file",
    `FILE_SECRET=${join(work, "secret.txt")}`,
    "--id-only",
  );
  if (r.code !== 0) throw new Error(`workspace create exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout.trim();
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("workspace secrets", () => {
  it("records names and source kinds only, and the status never shows a value", async () => {
    const ws = workspace();
    const r = await cli("workspace", "status", ws, "--json");
    const status = JSON.parse(r.stdout);
    expect(status.secrets).toEqual([
      { name: "TOKEN", source_kind: "literal" },
      { name: "FILE_SECRET", source_kind: "file" },
    ]);
    expect(status.network_policy).toBe("off");
    expect(r.stdout).not.toContain(TOKEN);
    const stored = join(home.home(), "workspaces", ws, "secrets", "secrets.json");
    expect(statSync(stored).mode & 0o777).toBe(0o600);
  });

  it("exposes a secret through --secret-env only, and redacts it in the output", async () => {
    const ws = workspace();
    const echo = await cli("workspace", "exec", ws, "--secret-env", "TOKEN", "--", "sh", "-c", "echo $TOKEN");
    expect(echo.code, echo.stderr).toBe(0);
    expect(echo.stdout).toBe("[REDACTED]\n");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax
    const unset = await cli("workspace", "exec", ws, "--", "sh", "-c", 'echo "${TOKEN:-unset}"');
    expect(unset.stdout).toBe("unset\n");
    // Renamed variable; the value still never leaves the guest in clear.
    const renamed = await cli(
      "workspace",
      "exec",
      ws,
      "--secret-env",
      "FILE_SECRET=KEY",
      "--json",
      "--",
      "sh",
      "-c",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax
      'echo "key=$KEY" >&2; test ${#KEY} -eq 29',
    );
    const rec = JSON.parse(renamed.stdout);
    expect(rec.exit_code).toBe(0);
    expect(rec.stderr).toBe("key=[REDACTED]\n");
    const unknown = await cli("workspace", "exec", ws, "--secret-env", "NOPE", "--json", "--", "true");
    expect(JSON.parse(unknown.stdout).error.code).toBe("secret_not_found");
  });

  it("redacts a file secret however it is read (trailing newline stripped at create)", async () => {
    const ws = workspace();
    const r = await cli(
      "workspace",
      "exec",
      ws,
      "--",
      "sh",
      "-c",
      'T=$(cat /run/pyro-secrets/FILE_SECRET); echo "[$T]"; cat /run/pyro-secrets/FILE_SECRET; echo',
    );
    expect(r.stdout).toBe("[[REDACTED]]\n[REDACTED]\n");
  });

  it("redacts secret values in service records (argv, readiness target)", async () => {
    const ws = workspace();
    const start = await cli(
      "workspace",
      "service",
      "start",
      ws,
      "argv",
      "--ready-command",
      `test ${TOKEN} = ${TOKEN}`,
      "--json",
      "--",
      "sh",
      "-c",
      "sleep 600",
      TOKEN,
    );
    expect(start.code, start.stdout + start.stderr).toBe(0);
    const rec = JSON.parse(start.stdout);
    expect(rec.command).toEqual(["sh", "-c", "sleep 600", "[REDACTED]"]);
    expect(rec.readiness.target).toBe("test [REDACTED] = [REDACTED]");
    const list = await cli("workspace", "service", "list", ws, "--json");
    expect(list.stdout).not.toContain(TOKEN);
    await cli("workspace", "service", "stop", ws, "argv");
  });

  it("redacts a value written in two pieces with a pause between them", async () => {
    const ws = workspace();
    const r = await cli(
      "workspace",
      "exec",
      ws,
      "--secret-env",
      "TOKEN",
      "--",
      "sh",
      "-c",
      'printf "%s" "$(echo "$TOKEN" | cut -c1-10)"; sleep 0.3; printf "%s\\n" "$(echo "$TOKEN" | cut -c11-)"',
    );
    expect(r.stdout).toBe("[REDACTED]\n");
  });

  it("keeps the values in /run/pyro-secrets only: tmpfs, 0400, never under /workspace", async () => {
    const ws = workspace();
    const r = await cli(
      "workspace",
      "exec",
      ws,
      "--",
      "sh",
      "-c",
      "stat -c '%a %n' /run/pyro-secrets/*; stat -f -c '%T' /run/pyro-secrets; cat /run/pyro-secrets/TOKEN; echo; grep -rl tok- /workspace || echo clean",
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      "400 /run/pyro-secrets/FILE_SECRET\n400 /run/pyro-secrets/TOKEN\ntmpfs\n[REDACTED]\nclean\n",
    );
  });

  it("redacts shell reads and service logs", async () => {
    const ws = workspace();
    const open = await cli("workspace", "shell", "open", ws, "--secret-env", "TOKEN", "--id-only");
    const shell = open.stdout.trim();
    await cli("workspace", "shell", "write", ws, shell, "--input", 'echo "T=$TOKEN"');
    const read = await cli(
      "workspace",
      "shell",
      "read",
      ws,
      shell,
      "--plain",
      "--wait-for-idle-ms",
      "1000",
      "--json",
    );
    expect(JSON.parse(read.stdout).output).toContain("T=[REDACTED]");
    expect(read.stdout).not.toContain(TOKEN);
    await cli("workspace", "shell", "close", ws, shell);

    const start = await cli(
      "workspace",
      "service",
      "start",
      ws,
      "printer",
      "--secret-env",
      "TOKEN",
      "--ready-file",
      "/tmp/printed",
      "--",
      "sh",
      "-c",
      'echo "svc=$TOKEN"; echo "err=$TOKEN" >&2; touch /tmp/printed; sleep 600',
    );
    expect(start.code, start.stderr).toBe(0);
    const logs = await cli("workspace", "service", "logs", ws, "printer", "--json");
    const l = JSON.parse(logs.stdout);
    expect(l.stdout).toBe("svc=[REDACTED]\n");
    expect(l.stderr).toBe("err=[REDACTED]\n");
    await cli("workspace", "service", "stop", ws, "printer");
  });

  it("redacts MCP answers", async () => {
    const ws = workspace();
    const env = Object.fromEntries(
      Object.entries(home.env()).filter((e): e is [string, string] => e[1] !== undefined),
    );
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [cliPath, "mcp", "serve", "--profile", "workspace-full"],
      env,
      stderr: "pipe",
    });
    const client = new Client({ name: "pyro-secrets-test", version: "0.0.0" });
    await client.connect(transport);
    try {
      const exec = await client.callTool({
        name: "workspace_exec",
        arguments: {
          workspace_id: ws,
          command: ["sh", "-c", "echo $TOKEN; cat /run/pyro-secrets/FILE_SECRET"],
          secret_env: ["TOKEN"],
        },
      });
      const text = JSON.stringify(exec);
      expect(text).toContain("[REDACTED]");
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(FILE_SECRET);
      const logs = JSON.stringify(
        await client.callTool({ name: "workspace_logs", arguments: { workspace_id: ws } }),
      );
      expect(logs).not.toContain(TOKEN);
      const status = JSON.stringify(
        await client.callTool({ name: "workspace_status", arguments: { workspace_id: ws } }),
      );
      expect(status).not.toContain(TOKEN);
    } finally {
      await client.close();
    }
  });

  it("leaves no value in history, the state dir, the disk image or a disk export", async () => {
    const ws = workspace();
    const logs = await cli("workspace", "logs", ws, "--json");
    expect(logs.stdout).toContain("[REDACTED]");
    for (const v of [TOKEN, FILE_SECRET]) expect(logs.stdout).not.toContain(v);

    const stop = await cli("workspace", "stop", ws);
    expect(stop.code, stop.stderr).toBe(0);
    const dir = join(home.home(), "workspaces", ws);
    const secretsFile = join(dir, "secrets", "secrets.json");
    expect(filesContaining(dir, [TOKEN, FILE_SECRET], secretsFile)).toEqual([]);
    const image = join(work, "disk.ext4");
    const exp = await cli("workspace", "disk", "export", ws, "--output", image);
    expect(exp.code, exp.stderr).toBe(0);
    expect(filesContaining(image, [TOKEN, FILE_SECRET])).toEqual([]);
  });

  it("brings the secrets back after start and reset", async () => {
    const ws = workspace();
    const start = await cli("workspace", "start", ws);
    expect(start.code, start.stderr).toBe(0);
    const check = () =>
      cli(
        "workspace",
        "exec",
        ws,
        "--secret-env",
        "TOKEN",
        "--",
        "sh",
        "-c",
        'test "$TOKEN" = "$(cat /run/pyro-secrets/TOKEN)" && echo "same:$TOKEN"',
      );
    expect((await check()).stdout).toBe("same:[REDACTED]\n");
    const reset = await cli("workspace", "reset", ws);
    expect(reset.code, reset.stderr).toBe(0);
    expect((await check()).stdout).toBe("same:[REDACTED]\n");
  });
});
