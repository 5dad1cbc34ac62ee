/**
 * Narrowed inputs per profile, seen through a real Client over an in-memory linked pair.
 * Expectations are literals. No VM boots here.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CORE_HIDDEN_FIELDS } from "../../../src/mcp/profiles.js";
import { createMcpServer, type McpProfile } from "../../../src/mcp/server.js";
import { Pyro } from "../../../src/sdk/index.js";

let stateDir = "";
beforeAll(() => {
  stateDir = mkdtempSync(join(tmpdir(), "pyro-profiles-"));
});
afterAll(() => {
  rmSync(stateDir, { recursive: true, force: true });
});

async function withClient<T>(profile: McpProfile, use: (client: Client) => Promise<T>): Promise<T> {
  const server = createMcpServer(new Pyro({ stateDir }), { profile });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "profiles-test", version: "0.0.0" });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

async function tools(profile: McpProfile): Promise<Record<string, Tool>> {
  const { tools } = await withClient(profile, (c) => c.listTools());
  return Object.fromEntries(tools.map((t) => [t.name, t]));
}

const fields = (tool: Tool | undefined) => Object.keys(tool?.inputSchema.properties ?? {}).sort();

describe("profile-narrowed inputs", () => {
  it("workspace-core's workspace_create lacks the advanced fields workspace-full has", async () => {
    const core = await tools("workspace-core");
    const full = await tools("workspace-full");
    expect(fields(core.workspace_create)).toEqual([
      "environment",
      "name",
      "project_path",
      "repo_ref",
      "repo_url",
      "seed_path",
    ]);
    expect(fields(full.workspace_create)).toEqual([
      "auto_resume",
      "cold",
      "disk_mib",
      "environment",
      "labels",
      "max_pids",
      "mem_mib",
      "name",
      "network_policy",
      "project_path",
      "repo_ref",
      "repo_url",
      "secrets",
      "seed_path",
      "ttl_action",
      "ttl_seconds",
      "vcpu_count",
    ]);
    expect(core.workspace_create?.inputSchema.required).toEqual(["environment"]);
    expect(fields(core.workspace_update)).toEqual(["name", "workspace_id"]);
    expect(fields(full.workspace_update)).toEqual(["clear_labels", "labels", "name", "workspace_id"]);
    expect(fields(full.workspace_fork)).toEqual(["count", "name", "workspace_id"]);
    expect(full.workspace_fork?.inputSchema.required).toEqual(["workspace_id"]);
    expect(core.workspace_fork).toBeUndefined();
    expect(fields(core.vm_run)).toEqual(["command", "environment", "timeout_seconds"]);
    expect(fields(core.vm_create)).toEqual(["environment"]);
    expect(fields(full.vm_create)).toEqual([
      "environment",
      "mem_mib",
      "network",
      "ttl_seconds",
      "vcpu_count",
    ]);
  });

  it("keeps the everyday fields: exec timeout, read caps, recursive listings", async () => {
    const core = await tools("workspace-core");
    expect(fields(core.workspace_exec)).toEqual(["command", "secret_env", "timeout_seconds", "workspace_id"]);
    expect(fields(core.workspace_file_read)).toEqual(["max_bytes", "path", "workspace_id"]);
    expect(fields(core.workspace_file_list)).toEqual(["path", "recursive", "workspace_id"]);
  });

  it("offers workspace_reset in workspace-core, back to the baseline (no snapshot tools there)", async () => {
    const core = await tools("workspace-core");
    const full = await tools("workspace-full");
    expect(fields(core.workspace_reset)).toEqual(["workspace_id"]);
    expect(fields(full.workspace_reset)).toEqual(["snapshot", "workspace_id"]);
    expect(core.workspace_reset?.annotations?.destructiveHint).toBe(true);
    expect(core.snapshot_create).toBeUndefined();
  });

  it("leaves vm_run whole in the vm-run profile", async () => {
    const vmRun = await tools("vm-run");
    expect(fields(vmRun.vm_run)).toEqual([
      "cold",
      "command",
      "environment",
      "mem_mib",
      "network",
      "timeout_seconds",
      "ttl_seconds",
      "vcpu_count",
    ]);
  });

  it("refuses a hidden field with invalid_argument instead of ignoring it", async () => {
    const result = (await withClient("workspace-core", (c) =>
      c.callTool({ name: "workspace_create", arguments: { environment: "debian:12", mem_mib: 512 } }),
    )) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({
      error: { code: "invalid_argument", message: expect.stringContaining("mem_mib") },
    });
  });

  it("names only tools that workspace-core serves", async () => {
    const core = await tools("workspace-core");
    expect(Object.keys(CORE_HIDDEN_FIELDS).filter((name) => !core[name])).toEqual([]);
  });
});
