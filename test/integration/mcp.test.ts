/**
 * `pyro mcp serve` against real guests: the built CLI spawned through the MCP SDK's stdio client,
 * one-shot `vm_run`, the create/start/status/exec lifecycle, errors, a clean exit on EOF, and an
 * agent's repro-and-fix loop (seeded failing test, patch, diff, export).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { cliPath, processesMentioning, requireGuest, runCli, vmDirs } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const home = workspaceTest();

let open: { client: Client; transport: StdioClientTransport } | undefined;
let stderr = "";

async function serve(profile: string, extraArgs: string[] = []): Promise<Client> {
  const env = Object.fromEntries(
    Object.entries(home.env()).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cliPath, "mcp", "serve", "--profile", profile, ...extraArgs],
    env,
    stderr: "pipe",
  });
  transport.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const client = new Client({ name: "pyro-integration", version: "0.0.0" });
  await client.connect(transport);
  open = { client, transport };
  return client;
}

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail" && stderr) console.error(`server stderr:\n${stderr}`);
  stderr = "";
  await open?.client.close();
  open = undefined;
});

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  return { ...result, data: (result.structuredContent ?? {}) as Record<string, unknown> };
}

describe("pyro mcp serve (stdio)", () => {
  it("runs a one-shot command with vm_run", async () => {
    const client = await serve("workspace-full");
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain("vm_run");
    const run = await call(client, "vm_run", { environment: "debian:12", command: ["git", "--version"] });
    expect(run.isError).toBeFalsy();
    expect(run.data).toMatchObject({ exit_code: 0, environment: "debian:12", cleanup: { deleted: true } });
    expect(run.data.stdout).toMatch(/^git version 2\.39/);
    // The text content: the record's other fields as JSON, then the output as a delimited block.
    expect((run.content as { text: string }[])[0]?.text).toMatch(
      /^\{"environment":"debian:12",.*"exit_code":0,.*\}\n--- stdout \(\d+ bytes\) ---\ngit version 2\.39/,
    );
    expect(vmDirs(home.home())).toEqual([]);
  });

  it("drives create, start, status and exec, then reports the VM gone", async () => {
    const client = await serve("workspace-full");
    const created = await call(client, "vm_create", { environment: "debian:12", mem_mib: 512 });
    expect(created.isError).toBeFalsy();
    expect(created.data).toMatchObject({ state: "created", mem_mib: 512, vcpu_count: 1 });
    const vmId = created.data.vm_id as string;
    expect(vmId).toMatch(/^vm_[0-9a-f]{12}$/);

    const started = await call(client, "vm_start", { vm_id: vmId });
    expect(started.data).toMatchObject({ vm_id: vmId, state: "started" });
    const status = await call(client, "vm_status", { vm_id: vmId });
    expect(status.data).toMatchObject({ vm_id: vmId, state: "started" });

    const exec = await call(client, "vm_exec", { vm_id: vmId, command: ["sh", "-c", "echo hi; exit 3"] });
    expect(exec.isError).toBeFalsy();
    expect(exec.data).toMatchObject({
      vm_id: vmId,
      exit_code: 3,
      stdout: "hi\n",
      cleanup: { deleted: true },
    });

    const gone = await call(client, "vm_status", { vm_id: vmId });
    expect(gone.isError).toBe(true);
    expect(gone.data).toMatchObject({ error: { code: "vm_not_found" } });
    expect(vmDirs(home.home())).toEqual([]);
  });

  it("exits by itself when the client closes stdin", async () => {
    await serve("vm-run");
    const { transport, client } = open!;
    const pid = transport.pid as number;
    const started = Date.now();
    await client.close();
    open = undefined;
    // The transport sends SIGTERM only after 2 s; closing sooner means the server left on EOF.
    expect(Date.now() - started).toBeLessThan(1900);
    expect(existsSync(`/proc/${pid}`)).toBe(false);
  });

  it("deletes the VM of a call in flight when the client goes away", async () => {
    const client = await serve("vm-run");
    const pending = client
      .callTool({ name: "vm_run", arguments: { environment: "debian:12", command: ["sleep", "60"] } })
      .catch((err: Error) => err);
    for (let i = 0; i < 200 && processesMentioning(home.home()).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(vmDirs(home.home())).toHaveLength(1);
    await client.close();
    open = undefined;
    expect(await pending).toBeInstanceOf(Error);
    for (let i = 0; i < 100 && processesMentioning(home.home()).length > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(processesMentioning(home.home())).toEqual([]);
    expect(vmDirs(home.home())).toEqual([]);
  });

  it("keeps stdout for the protocol, exits 0 on EOF and refuses an unknown profile", async () => {
    const eof = await runCli(["mcp", "serve"], home.env());
    expect(eof).toMatchObject({ code: 0, stdout: "" });
    const bad = await runCli(["mcp", "serve", "--profile", "everything"], home.env());
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toMatch(
      /^error\[usage\]: option '--profile <profile>' argument 'everything' is invalid\. Allowed choices are vm-run, workspace-core, workspace-full\./,
    );
  });

  it("drives a workspace: create, exec, diff, delete", async () => {
    const client = await serve("workspace-core");
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(["workspace_create", "workspace_exec", "workspace_diff"]),
    );
    const created = await call(client, "workspace_create", { environment: "debian:12", name: "mcp" });
    expect(created.isError, JSON.stringify(created.content)).toBeFalsy();
    const id = created.data.workspace_id as string;
    expect(created.data).toMatchObject({ state: "started", name: "mcp", mem_mib: 1024, labels: {} });
    const exec = await call(client, "workspace_exec", {
      workspace_id: id,
      command: ["sh", "-c", "echo hello > greeting.txt; cat greeting.txt; exit 2"],
    });
    expect(exec.data).toMatchObject({ exit_code: 2, stdout: "hello\n", sequence: 1, cwd: "/workspace" });
    const diff = await call(client, "workspace_diff", { workspace_id: id });
    expect(diff.data).toMatchObject({ changed: true, summary: { added: 1 } });
    expect(diff.data.patch).toContain("+++ b/greeting.txt\n");
    const outside = await call(client, "workspace_file_read", { workspace_id: id, path: "/etc/passwd" });
    expect(outside.isError).toBe(true);
    expect(outside.data).toMatchObject({ error: { code: "path_outside_workspace" } });
    const hostEscape = await call(client, "workspace_export", {
      workspace_id: id,
      path: "greeting.txt",
      output_path: "/etc/pyro-never-written",
    });
    expect(hostEscape.data).toMatchObject({ error: { code: "host_path_not_allowed" } });
    expect(existsSync("/etc/pyro-never-written")).toBe(false);
    const deleted = await call(client, "workspace_delete", { workspace_id: id });
    expect(deleted.data).toEqual({ workspace_id: id, deleted: true });
    const gone = await call(client, "workspace_status", { workspace_id: id });
    expect(gone.data).toMatchObject({ error: { code: "workspace_not_found" } });
    expect(processesMentioning(id)).toEqual([]);
  });

  it("closes a repro-and-fix loop: failing test, patch, passing test, diff, export", async () => {
    const host = mkdtempSync(join(tmpdir(), "pyro-mcp-loop-"));
    const seed = join(host, "project");
    mkdirSync(seed);
    writeFileSync(join(seed, "calc.sh"), "add() { echo $(($1 - $2)); }\n");
    writeFileSync(
      join(seed, "test.sh"),
      '. ./calc.sh\ngot=$(add 2 3)\n[ "$got" = 5 ] || { echo "FAIL: add 2 3 gave $got"; exit 1; }\necho PASS\n',
    );
    const client = await serve("workspace-core", ["--allowed-root", host]);
    try {
      const created = await call(client, "workspace_create", { environment: "debian:12", seed_path: seed });
      expect(created.isError, JSON.stringify(created.content)).toBeFalsy();
      const id = created.data.workspace_id as string;
      expect(created.data).toMatchObject({ workspace_seed: { mode: "directory", seed_path: seed } });

      const failing = await call(client, "workspace_exec", { workspace_id: id, command: ["sh", "test.sh"] });
      expect(failing.data).toMatchObject({ exit_code: 1, stdout: "FAIL: add 2 3 gave -1\n" });

      const patch = [
        "--- a/calc.sh",
        "+++ b/calc.sh",
        "@@ -1 +1 @@",
        "-add() { echo $(($1 - $2)); }",
        "+add() { echo $(($1 + $2)); }",
        "",
      ].join("\n");
      const applied = await call(client, "workspace_patch_apply", { workspace_id: id, patch });
      expect(applied.isError, JSON.stringify(applied.content)).toBeFalsy();
      expect(applied.data).toMatchObject({
        applied: true,
        files: [{ path: "/workspace/calc.sh", status: "modified" }],
      });

      const passing = await call(client, "workspace_exec", { workspace_id: id, command: ["sh", "test.sh"] });
      expect(passing.data).toMatchObject({ exit_code: 0, stdout: "PASS\n", sequence: 2 });

      const diff = await call(client, "workspace_diff", { workspace_id: id });
      expect(diff.data).toMatchObject({ changed: true, summary: { added: 0, modified: 1, deleted: 0 } });
      expect(diff.data.patch).toContain("-add() { echo $(($1 - $2)); }\n+add() { echo $(($1 + $2)); }\n");

      const output = join(host, "calc.fixed.sh");
      const exported = await call(client, "workspace_export", {
        workspace_id: id,
        path: "calc.sh",
        output_path: output,
      });
      expect(exported.isError, JSON.stringify(exported.content)).toBeFalsy();
      expect(exported.data).toMatchObject({ kind: "file", output_path: output });
      expect(readFileSync(output, "utf8")).toBe("add() { echo $(($1 + $2)); }\n");

      const deleted = await call(client, "workspace_delete", { workspace_id: id });
      expect(deleted.data).toEqual({ workspace_id: id, deleted: true });
    } finally {
      rmSync(host, { recursive: true, force: true });
    }
  });
});
