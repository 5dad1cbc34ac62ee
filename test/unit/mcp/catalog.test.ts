/**
 * The MCP tool catalog, pinned per profile through a real Client over an in-memory linked pair.
 * Expectations are literals (never imported constants). No VM boots here.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMcpServer, type McpProfile } from "../../../src/mcp/server.js";
import { Pyro } from "../../../src/sdk/index.js";

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
const WORKSPACE_TOOLS = [
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
];
const CORE_TOOLS = [...VM_TOOLS, ...WORKSPACE_TOOLS].sort();
const FULL_TOOLS = [
  ...CORE_TOOLS,
  "snapshot_create",
  "snapshot_delete",
  "snapshot_list",
  "shell_open",
  "shell_read",
  "shell_write",
  "shell_signal",
  "shell_close",
  "service_start",
  "service_list",
  "service_status",
  "service_logs",
  "service_stop",
  "workspace_stop",
  "workspace_start",
  "workspace_pause",
  "workspace_resume",
  "workspace_fork",
  "workspace_disk_list",
  "workspace_disk_read",
  "workspace_disk_export",
].sort();

let stateDir = "";
beforeAll(() => {
  stateDir = mkdtempSync(join(tmpdir(), "pyro-mcp-"));
});
afterAll(() => {
  rmSync(stateDir, { recursive: true, force: true });
});

async function connect(profile?: McpProfile): Promise<Client> {
  const server = createMcpServer(new Pyro({ stateDir }), profile ? { profile } : {});
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "catalog-test", version: "0.0.0" });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  return client;
}

async function toolNames(profile?: McpProfile): Promise<string[]> {
  const client = await connect(profile);
  const { tools } = await client.listTools();
  await client.close();
  return tools.map((t) => t.name).sort();
}

describe("MCP tool catalog", () => {
  it("pins the tools of each profile", async () => {
    expect(await toolNames("vm-run")).toEqual(["vm_run"]);
    expect(await toolNames("workspace-core")).toEqual(CORE_TOOLS);
    expect(await toolNames("workspace-full")).toEqual(FULL_TOOLS);
    expect(await toolNames()).toEqual(CORE_TOOLS);
  });

  it("names itself pyro with the package version", async () => {
    const client = await connect();
    expect(client.getServerVersion()).toMatchObject({
      name: "pyro",
      version: expect.stringMatching(/^\d+\./),
    });
    await client.close();
  });

  it("gives every tool a title, a description and all four annotations", async () => {
    const client = await connect("workspace-full");
    const { tools } = await client.listTools();
    await client.close();
    for (const tool of tools) {
      expect(tool.title, tool.name).toBeTruthy();
      expect(tool.description?.length ?? 0, tool.name).toBeGreaterThan(20);
      expect(Object.keys(tool.annotations ?? {}).sort(), tool.name).toEqual([
        "destructiveHint",
        "idempotentHint",
        "openWorldHint",
        "readOnlyHint",
      ]);
    }
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(byName.vm_status?.annotations?.readOnlyHint).toBe(true);
    expect(byName.vm_delete?.annotations?.destructiveHint).toBe(true);
    expect(byName.vm_run?.annotations?.readOnlyHint).toBe(false);
  });

  it("advertises snake_case inputs derived from the SDK schemas", async () => {
    const client = await connect("vm-run");
    const { tools } = await client.listTools();
    await client.close();
    const schema = tools[0]?.inputSchema as unknown as {
      properties: Record<string, { description?: string; minimum?: number; default?: unknown }>;
      required: string[];
      additionalProperties: boolean;
    };
    expect(Object.keys(schema.properties).sort()).toEqual([
      "cold",
      "command",
      "environment",
      "mem_mib",
      "network",
      "timeout_seconds",
      "ttl_seconds",
      "vcpu_count",
    ]);
    expect([...schema.required].sort()).toEqual(["command", "environment"]);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.mem_mib).toMatchObject({ minimum: 128, default: 1024 });
    expect(schema.properties.mem_mib?.description).toMatch(/MiB/);
    expect(schema.properties.timeout_seconds?.description).toMatch(/seconds/);
  });

  it("takes vm_id for the id-only tools", async () => {
    const client = await connect("workspace-core");
    const { tools } = await client.listTools();
    await client.close();
    const status = tools.find((t) => t.name === "vm_status");
    expect(status?.inputSchema.required).toEqual(["vm_id"]);
  });
});

describe("MCP tool errors", () => {
  async function call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    const client = await connect("workspace-full");
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    await client.close();
    return result;
  }

  it("answers a bad argument with invalid_argument naming the snake_case field", async () => {
    const result = await call("vm_run", { environment: "debian:12", command: ["true"], mem_mib: 0 });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ error: { code: "invalid_argument" } });
    const error = (result.structuredContent as { error: { message: string } }).error;
    expect(error.message).toMatch(/^mem_mib: /);
    expect(result.content).toEqual([{ type: "text", text: `error[invalid_argument]: ${error.message}` }]);
  });

  it("refuses unknown and missing arguments the same way", async () => {
    const unknown = await call("vm_run", { environment: "debian:12", command: ["true"], memMib: 512 });
    expect(unknown.structuredContent).toMatchObject({ error: { code: "invalid_argument" } });
    const missing = await call("vm_run", { environment: "debian:12" });
    expect(missing.structuredContent).toMatchObject({
      error: { code: "invalid_argument", message: expect.stringMatching(/^command: /) },
    });
  });

  it("answers an unknown VM id with vm_not_found", async () => {
    const result = await call("vm_status", { vm_id: "vm_000000000000" });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ error: { code: "vm_not_found" } });
    expect((result.content as { text: string }[])[0]?.text).toMatch(/^error\[vm_not_found\]: /);
    expect(JSON.stringify(result)).not.toMatch(/\bat .*\.(js|ts):\d+/);
  });

  it("returns snake_case records as structured content", async () => {
    const result = await call("vm_reap_expired", {});
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ reaped: [] });
    // The text content is the record serialized, as the MCP specification asks.
    expect(result.content).toEqual([{ type: "text", text: '{"reaped":[]}' }]);
  });
});
