/**
 * The official MCP Inspector (devDependency, CLI mode) against `pyro mcp serve`: each profile's
 * tool list, and a workspace driven through tools/call against a real guest. The Inspector
 * spawns the server itself (one server per call), so everything shares this file's PYRO_HOME.
 * Invocation, as in docs/integrations.md:
 *   node_modules/.bin/mcp-inspector --cli node dist/cli/main.js mcp serve --profile P --method ...
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { processesMentioning, repoRoot, requireGuest } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const home = workspaceTest();
const inspectorBin = join(repoRoot, "node_modules", ".bin", "mcp-inspector");

/** Runs the Inspector CLI against `node dist/cli/main.js mcp serve --profile <profile>`; its stdout is JSON. */
async function inspect(profile: string, method: string[]): Promise<unknown> {
  const args = ["--cli", "node", "dist/cli/main.js", "mcp", "serve", "--profile", profile, ...method];
  const { stdout } = await promisify(execFile)(inspectorBin, args, {
    cwd: repoRoot,
    env: home.env(),
    timeout: 150_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout);
}

async function listTools(profile: string): Promise<Tool[]> {
  return ((await inspect(profile, ["--method", "tools/list"])) as { tools: Tool[] }).tools;
}

/** tools/call with `--tool-arg key=value` pairs; returns the result and its structured content. */
async function callTool(profile: string, tool: string, args: Record<string, string>) {
  const pairs = Object.entries(args).flatMap(([k, v]) => ["--tool-arg", `${k}=${v}`]);
  const result = (await inspect(profile, [
    "--method",
    "tools/call",
    "--tool-name",
    tool,
    ...pairs,
  ])) as CallToolResult;
  return { ...result, data: (result.structuredContent ?? {}) as Record<string, unknown> };
}

const VM_TOOLS = [
  "vm_create",
  "vm_delete",
  "vm_exec",
  "vm_list_environments",
  "vm_network_info",
  "vm_reap_expired",
  "vm_run",
  "vm_start",
  "vm_status",
  "vm_stop",
];
const CORE_TOOLS = [
  ...VM_TOOLS,
  "workspace_create",
  "workspace_delete",
  "workspace_diff",
  "workspace_exec",
  "workspace_export",
  "workspace_file_list",
  "workspace_file_read",
  "workspace_file_write",
  "workspace_list",
  "workspace_logs",
  "workspace_patch_apply",
  "workspace_reset",
  "workspace_status",
  "workspace_summary",
  "workspace_sync_push",
  "workspace_update",
].sort();
const FULL_TOOLS = [
  ...CORE_TOOLS,
  "service_list",
  "service_logs",
  "service_start",
  "service_status",
  "service_stop",
  "shell_close",
  "shell_open",
  "shell_read",
  "shell_signal",
  "shell_write",
  "snapshot_create",
  "snapshot_delete",
  "snapshot_list",
  "workspace_disk_export",
  "workspace_disk_list",
  "workspace_disk_read",
  "workspace_fork",
  "workspace_pause",
  "workspace_resume",
  "workspace_start",
  "workspace_stop",
].sort();

describe("MCP Inspector CLI against pyro mcp serve", () => {
  it("lists each profile's tools", async () => {
    expect((await listTools("vm-run")).map((t) => t.name)).toEqual(["vm_run"]);
    const core = await listTools("workspace-core");
    expect(core.map((t) => t.name).sort()).toEqual(CORE_TOOLS);
    const full = await listTools("workspace-full");
    expect(full.map((t) => t.name).sort()).toEqual(FULL_TOOLS);
    // The narrowed inputs of workspace-core reach a real client as advertised JSON Schema.
    const createFields = (tools: Tool[]) =>
      Object.keys(tools.find((t) => t.name === "workspace_create")?.inputSchema.properties ?? {}).sort();
    expect(createFields(core)).toEqual([
      "environment",
      "name",
      "project_path",
      "repo_ref",
      "repo_url",
      "seed_path",
    ]);
    expect(createFields(full)).toEqual(expect.arrayContaining(["labels", "mem_mib", "vcpu_count"]));
  });

  it("drives a workspace with tools/call: create, exec, diff, delete", async () => {
    const profile = "workspace-core";
    const create = await callTool(profile, "workspace_create", {
      environment: "debian:12",
      name: "inspected",
    });
    expect(create.isError, JSON.stringify(create.content)).toBeFalsy();
    const id = create.data.workspace_id as string;
    expect(id).toMatch(/^ws_[0-9a-f]{12}$/);
    expect(create.data).toMatchObject({ state: "started", name: "inspected", environment: "debian:12" });

    const exec = await callTool(profile, "workspace_exec", {
      workspace_id: id,
      command: JSON.stringify(["sh", "-c", "echo made by the inspector > inspector.txt; cat inspector.txt"]),
    });
    expect(exec.isError, JSON.stringify(exec.content)).toBeFalsy();
    expect(exec.data).toMatchObject({ exit_code: 0, stdout: "made by the inspector\n", cwd: "/workspace" });

    const diff = await callTool(profile, "workspace_diff", { workspace_id: "inspected" });
    expect(diff.data).toMatchObject({ workspace_id: id, changed: true, summary: { added: 1 } });
    expect(diff.data.patch).toContain("+++ b/inspector.txt\n");
    expect(diff.data.patch).toContain("+made by the inspector\n");

    const deleted = await callTool(profile, "workspace_delete", { workspace_id: id });
    expect(deleted.isError).toBeFalsy();
    expect(deleted.data).toEqual({ workspace_id: id, deleted: true });
    const gone = await callTool(profile, "workspace_status", { workspace_id: id });
    expect(gone.isError).toBe(true);
    expect(gone.data).toMatchObject({ error: { code: "workspace_not_found" } });
    expect(processesMentioning(id)).toEqual([]);
  });
});

/** The text content of a result: what a host that shows only text passes to the model. */
const textOf = (result: CallToolResult) =>
  (result.content as { type: string; text: string }[])[0]?.text ?? "";

describe("MCP Inspector CLI: commands as strings or argv, output in the text content", () => {
  it("vm_run takes a string (sh -lc) and an argv array; the text carries stdout", async () => {
    const asString = await callTool("vm-run", "vm_run", {
      environment: "debian:12",
      command: "echo mcp-ok | tr a-z A-Z",
    });
    expect(asString.isError, textOf(asString)).toBeFalsy();
    expect(asString.data).toMatchObject({
      exit_code: 0,
      stdout: "MCP-OK\n",
      command: ["sh", "-lc", "echo mcp-ok | tr a-z A-Z"],
    });
    expect(textOf(asString)).toMatch(
      /^\{.*"exit_code":0.*\}\n--- stdout \(7 bytes\) ---\nMCP-OK\n--- stderr \(0 bytes\) ---\n$/,
    );

    const asArgv = await callTool("vm-run", "vm_run", {
      environment: "debian:12",
      command: JSON.stringify(["printf", "%s|", "a b", "$HOME"]),
    });
    expect(asArgv.isError, textOf(asArgv)).toBeFalsy();
    // Argument boundaries kept and no shell: `$HOME` is not expanded.
    expect(asArgv.data).toMatchObject({ exit_code: 0, stdout: "a b|$HOME|" });
    expect(textOf(asArgv)).toContain("--- stdout (10 bytes) ---\na b|$HOME|\n--- stderr (0 bytes) ---\n");
  });

  it("workspace_exec takes both, and a 1 MiB output is cut with a marker in text and in structuredContent", async () => {
    const profile = "workspace-core";
    const create = await callTool(profile, "workspace_create", { environment: "debian:12" });
    expect(create.isError, textOf(create)).toBeFalsy();
    const id = create.data.workspace_id as string;

    const asString = await callTool(profile, "workspace_exec", {
      workspace_id: id,
      command: "echo from-a-string > s.txt && cat s.txt; echo warn >&2; exit 3",
    });
    expect(asString.isError, textOf(asString)).toBeFalsy();
    expect(asString.data).toMatchObject({ exit_code: 3, stdout: "from-a-string\n", stderr: "warn\n" });
    const text = textOf(asString);
    expect(text).toContain('"exit_code":3');
    expect(text).toContain("--- stdout (14 bytes) ---\nfrom-a-string\n--- stderr (5 bytes) ---\nwarn\n");

    const asArgv = await callTool(profile, "workspace_exec", {
      workspace_id: id,
      command: JSON.stringify(["cat", "s.txt"]),
    });
    expect(asArgv.data).toMatchObject({ exit_code: 0, stdout: "from-a-string\n", command: ["cat", "s.txt"] });
    expect(textOf(asArgv)).toContain("--- stdout (14 bytes) ---\nfrom-a-string\n");

    const big = await callTool(profile, "workspace_exec", {
      workspace_id: id,
      command: "head -c 1048576 /dev/zero | tr '\\0' a",
    });
    expect(big.isError, textOf(big).slice(0, 500)).toBeFalsy();
    expect(big.data).toMatchObject({ exit_code: 0, stdout_truncated: true, stdout_bytes: 1_048_576 });
    expect(big.data.stdout).toBe("a".repeat(65_536));
    const bigText = textOf(big);
    expect(bigText).toContain(
      `--- stdout (1048576 bytes) ---\n${"a".repeat(65_536)}\n[... stdout cut: 1048576 bytes, first 65536 shown]\n`,
    );
    expect(Buffer.byteLength(bigText)).toBeLessThan(67_000);

    // The history records the argv that ran: a string command as sh -lc STRING.
    const logs = await callTool(profile, "workspace_logs", { workspace_id: id });
    const commands = (logs.data.entries as { command: string[] }[]).map((e) => e.command);
    expect(commands.slice(0, 2)).toEqual([
      ["sh", "-lc", "echo from-a-string > s.txt && cat s.txt; echo warn >&2; exit 3"],
      ["cat", "s.txt"],
    ]);

    // Reset is in workspace-core: back to the baseline, s.txt gone.
    const reset = await callTool(profile, "workspace_reset", { workspace_id: id });
    expect(reset.isError, textOf(reset)).toBeFalsy();
    expect(JSON.parse(textOf(reset))).toEqual(reset.data);
    const gone = await callTool(profile, "workspace_exec", { workspace_id: id, command: "test -e s.txt" });
    expect(gone.data).toMatchObject({ exit_code: 1 });
  });
});
