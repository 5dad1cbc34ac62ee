/**
 * Every tool of the `workspace-full` and `vm-run` profiles, called at least once successfully
 * by a real MCP Client on a real guest, answers with `structuredContent` that matches the
 * tool's advertised `outputSchema`: checked by the Client itself (the MCP SDK validates every
 * result against the schema it listed), explicitly against the record branch of the advertised
 * JSON Schema (ajv, as the SDK uses it), and against the contract's zod record schema with
 * nothing stripped. One workspace serves all workspace tools; boots: vm_run, one VM, the
 * workspace's create, its reset and its start again.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { toolOutputSchema } from "../../src/mcp/schema.js";
import { createMcpServer, type McpProfile } from "../../src/mcp/server.js";
import { runtimeTools } from "../../src/mcp/tools/runtime.js";
import { vmTools } from "../../src/mcp/tools/vm.js";
import { workspaceTools } from "../../src/mcp/tools/workspace.js";
import { Pyro } from "../../src/sdk/index.js";
import { requireGuest, vmDirs } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const home = workspaceTest();

/** A host directory the server may read seeds from and export into. */
let hostDir = "";
let pyro: Pyro;
const clients = new Map<McpProfile, { client: Client; tools: Map<string, Tool> }>();
/** Tools called successfully, by profile. */
const called = new Map<McpProfile, Set<string>>();

const ajv = new AjvJsonSchemaValidator();
/** The contract's record schema of each tool, as registerToolTable shapes it. */
let outputs: Map<string, z.ZodObject>;

beforeAll(async () => {
  hostDir = mkdtempSync("/tmp/pyro-mcp-out-");
  mkdirSync(join(hostDir, "seed"));
  writeFileSync(join(hostDir, "seed", "hello.txt"), "hello\n");
  pyro = new Pyro({ stateDir: home.home() });
  outputs = new Map(
    [...vmTools(pyro), ...workspaceTools(pyro), ...runtimeTools(pyro)].map((s) => [
      s.name,
      toolOutputSchema(s.output),
    ]),
  );
  for (const profile of ["workspace-full", "vm-run"] as const) {
    const server = createMcpServer(pyro, { profile, allowedRoots: [hostDir] });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: "mcp-output-test", version: "0.0.0" });
    await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
    // listTools makes the Client cache a validator of each tool's outputSchema.
    const { tools } = await client.listTools();
    clients.set(profile, { client, tools: new Map(tools.map((t) => [t.name, t])) });
    called.set(profile, new Set());
  }
});

// The fixture deletes (and checks) every machine a test made; what the file's tests deleted
// themselves must be gone already.
afterAll(async () => {
  for (const { client } of clients.values()) await client.close();
  rmSync(hostDir, { recursive: true, force: true });
  expect(vmDirs(home.home())).toEqual([]);
});

/**
 * Calls `name` through `profile`'s Client (which validates the result against the listed
 * outputSchema or throws), requires success, and checks `structuredContent` against the
 * record branch of the advertised JSON Schema and against the zod record schema.
 */
async function call(
  name: string,
  args: Record<string, unknown> = {},
  profile: McpProfile = "workspace-full",
): Promise<Record<string, unknown>> {
  const { client, tools } = clients.get(profile) as { client: Client; tools: Map<string, Tool> };
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const text = (result.content as { text?: string }[])[0]?.text;
  expect({ name, isError: result.isError ?? false, text }).toMatchObject({ name, isError: false });
  const data = result.structuredContent as Record<string, unknown>;
  const advertised = tools.get(name)?.outputSchema as unknown as { anyOf: object[] };
  const check = ajv.getValidator(advertised.anyOf[0] as never)(data);
  expect({ name, valid: check.valid, error: check.errorMessage }).toEqual({
    name,
    valid: true,
    error: undefined,
  });
  const parsed = (outputs.get(name) as z.ZodObject).safeParse(data);
  expect({ name, issues: parsed.error?.issues ?? [] }).toEqual({ name, issues: [] });
  // Nothing stripped: the record has no key the schema does not know (zod drops unknown keys).
  expect(parsed.data).toEqual(data);
  called.get(profile)?.add(name);
  return data;
}

describe("MCP structuredContent against outputSchema on a real guest", () => {
  it("vm tools (and the vm-run profile's vm_run)", async () => {
    await call("vm_list_environments");
    const run = await call("vm_run", { environment: "debian:12", command: ["echo", "hi"] }, "vm-run");
    expect(run).toMatchObject({ exit_code: 0, stdout: "hi\n", cleanup: { deleted: true } });

    const a = await call("vm_create", { environment: "debian:12", mem_mib: 512 });
    expect(await call("vm_network_info", { vm_id: a.vm_id })).toMatchObject({ network_enabled: false });
    await call("vm_start", { vm_id: a.vm_id });
    expect(await call("vm_status", { vm_id: a.vm_id })).toMatchObject({ state: "started" });
    const exec = await call("vm_exec", { vm_id: a.vm_id, command: ["sh", "-c", "echo out; echo err >&2"] });
    expect(exec).toMatchObject({ stdout: "out\n", stderr: "err\n", cleanup: { deleted: true } });

    // Stop and delete need no boot: a created VM stops as a no-op.
    const b = await call("vm_create", { environment: "debian:12", mem_mib: 512 });
    expect(await call("vm_stop", { vm_id: b.vm_id })).toMatchObject({ vm_id: b.vm_id });
    expect(await call("vm_delete", { vm_id: b.vm_id })).toMatchObject({ deleted: true, vm_id: b.vm_id });
    expect(await call("vm_reap_expired")).toEqual({ reaped: [] });
  });

  it("workspace, file, snapshot, shell, service and disk tools on one workspace", async () => {
    const ws = await call("workspace_create", {
      environment: "debian:12",
      seed_path: join(hostDir, "seed"),
      name: "mcp-output",
      labels: { suite: "mcp-output" },
    });
    const id = ws.workspace_id as string;
    expect(ws).toMatchObject({ state: "started", workspace_seed: { mode: "directory" } });
    expect(await call("workspace_list")).toMatchObject({ count: 1 });
    await call("workspace_update", { workspace_id: id, labels: { more: "yes" }, clear_labels: ["suite"] });
    expect(await call("workspace_status", { workspace_id: id })).toMatchObject({ labels: { more: "yes" } });

    // 70 000 bytes of stdout: cut to 65 536 with stdout_truncated, which the schema allows.
    const big = await call("workspace_exec", {
      workspace_id: id,
      command: ["sh", "-c", "head -c 70000 /dev/zero | tr '\\0' x"],
    });
    expect(big).toMatchObject({ exit_code: 0, stdout_truncated: true });
    expect(await call("workspace_logs", { workspace_id: id })).toMatchObject({ count: 1 });

    mkdirSync(join(hostDir, "push"));
    writeFileSync(join(hostDir, "push", "pushed.txt"), "pushed\n");
    await call("workspace_sync_push", {
      workspace_id: id,
      source_path: join(hostDir, "push"),
      dest: "/workspace/in",
    });
    await call("workspace_file_list", { workspace_id: id, recursive: true });
    expect(await call("workspace_file_read", { workspace_id: id, path: "hello.txt" })).toMatchObject({
      content: "hello\n",
    });
    await call("workspace_file_write", { workspace_id: id, path: "notes/a.txt", text: "one\n" });
    const patch = "--- a/notes/a.txt\n+++ b/notes/a.txt\n@@ -1 +1 @@\n-one\n+two\n";
    await call("workspace_patch_apply", { workspace_id: id, patch });
    expect(await call("workspace_diff", { workspace_id: id })).toMatchObject({ changed: true });
    await call("workspace_export", {
      workspace_id: id,
      path: "notes",
      output_path: join(hostDir, "exported"),
    });

    await call("snapshot_create", { workspace_id: id, name: "s1" });
    expect(await call("snapshot_list", { workspace_id: id })).toMatchObject({ count: 2 });

    const shell = await call("shell_open", { workspace_id: id });
    const shellId = shell.shell_id as string;
    await call("shell_write", { workspace_id: id, shell_id: shellId, input: "echo from-shell" });
    const read = await call("shell_read", {
      workspace_id: id,
      shell_id: shellId,
      plain: true,
      wait_for_idle_ms: 300,
    });
    expect(read.output).toContain("from-shell");
    await call("shell_signal", { workspace_id: id, shell_id: shellId });
    await call("shell_close", { workspace_id: id, shell_id: shellId });

    const service = await call("service_start", {
      workspace_id: id,
      service_name: "ticker",
      command: ["sh", "-c", "touch ready; echo up; exec sleep 600"],
      ready_file: "ready",
    });
    expect(service).toMatchObject({ state: "ready" });
    expect(await call("service_list", { workspace_id: id })).toMatchObject({ count: 1, running_count: 1 });
    await call("service_status", { workspace_id: id, service_name: "ticker" });
    await call("service_logs", { workspace_id: id, service_name: "ticker" });
    expect(await call("workspace_summary", { workspace_id: id })).toMatchObject({
      changes: { changed: true },
      commands: { count: 1 },
      services: [{ service_name: "ticker", state: "ready" }],
      snapshots: [{ name: "baseline" }, { name: "s1" }],
    });
    await call("service_stop", { workspace_id: id, service_name: "ticker" });

    expect(await call("workspace_reset", { workspace_id: id, snapshot: "s1" })).toMatchObject({
      state: "started",
    });
    await call("snapshot_delete", { workspace_id: id, name: "s1" });

    expect(await call("workspace_stop", { workspace_id: id })).toMatchObject({ changed: true });
    await call("workspace_disk_list", { workspace_id: id, path: "/workspace/notes" });
    expect(await call("workspace_disk_read", { workspace_id: id, path: "notes/a.txt" })).toMatchObject({
      content: "two\n",
    });
    await call("workspace_disk_export", { workspace_id: id, output_path: join(hostDir, "disk.ext4") });
    expect(await call("workspace_start", { workspace_id: id })).toMatchObject({ changed: true });
    expect(await call("workspace_pause", { workspace_id: id })).toMatchObject({
      changed: true,
      workspace: { state: "paused", paused: { reason: "requested", stopped: false } },
    });
    // Forked while paused, so one guest runs at a time; the fork runs, the parent stays paused.
    const forked = (await call("workspace_fork", { workspace_id: id })) as {
      workspaces: { workspace_id: string }[];
    };
    expect(forked).toMatchObject({
      forked_from: id,
      count: 1,
      workspaces: [{ state: "started", forked_from: id }],
    });
    const fork = forked.workspaces[0]?.workspace_id as string;
    expect(await call("workspace_delete", { workspace_id: fork })).toEqual({
      workspace_id: fork,
      deleted: true,
    });
    expect(await call("workspace_resume", { workspace_id: id })).toMatchObject({
      changed: true,
      workspace: { state: "started", paused: null },
    });

    expect(await call("workspace_delete", { workspace_id: id })).toEqual({ workspace_id: id, deleted: true });
  });

  it("called every tool of both profiles (one tool, one schema, whichever profile serves it)", () => {
    const calledAnywhere = new Set([...called.values()].flatMap((names) => [...names]));
    const full = clients.get("workspace-full")?.tools;
    for (const [profile, { tools }] of clients) {
      const missing = [...tools.keys()].filter((name) => !calledAnywhere.has(name));
      expect({ profile, missing }).toEqual({ profile, missing: [] });
      for (const [name, tool] of tools) expect(tool.outputSchema).toEqual(full?.get(name)?.outputSchema);
    }
    expect(clients.get("vm-run")?.tools.size).toBe(1);
    expect(full?.size).toBe(47);
  });
});
