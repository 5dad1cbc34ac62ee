/**
 * Every MCP tool advertises an `outputSchema` built from its contract record schema, a real
 * Client accepts both kinds of result against it (records and `isError` results, which the
 * MCP SDK's client validates too), and the schema matches what respond.ts shapes: truncation
 * flags beside cut streams, `{ result }` around a non-object. No VM boots here.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import * as records from "../../../src/contract/records/index.js";
import { toolResult } from "../../../src/mcp/respond.js";
import { advertisedOutput, ToolErrorSchema, toolOutputSchema } from "../../../src/mcp/schema.js";
import { createMcpServer, MCP_PROFILES, type McpProfile } from "../../../src/mcp/server.js";
import { Pyro } from "../../../src/sdk/index.js";

let stateDir = "";
beforeAll(() => {
  stateDir = mkdtempSync(join(tmpdir(), "pyro-output-schema-"));
});
afterAll(() => {
  rmSync(stateDir, { recursive: true, force: true });
});

async function connect(profile: McpProfile): Promise<Client> {
  const server = createMcpServer(new Pyro({ stateDir }), { profile });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "output-schema-test", version: "0.0.0" });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  return client;
}

describe("MCP outputSchema", () => {
  it.each(MCP_PROFILES)("is declared by every tool of %s: the record or a tool error", async (profile) => {
    const client = await connect(profile);
    try {
      const { tools } = await client.listTools();
      expect(tools.length).toBeGreaterThan(0);
      for (const tool of tools) {
        const schema = tool.outputSchema as { type?: string; anyOf?: { required?: string[] }[] } | undefined;
        expect({ tool: tool.name, type: schema?.type }).toEqual({ tool: tool.name, type: "object" });
        expect({ tool: tool.name, branches: schema?.anyOf?.length }).toEqual({
          tool: tool.name,
          branches: 2,
        });
        expect(schema?.anyOf?.[1]?.required).toEqual(["error"]);
        expect(schema).not.toHaveProperty("properties");
      }
    } finally {
      await client.close();
    }
  });

  it("lets a real Client take records and errors (client-side validation on)", async () => {
    const client = await connect("workspace-full");
    try {
      await client.listTools(); // caches the validators
      const list = (await client.callTool({ name: "workspace_list", arguments: {} })) as CallToolResult;
      expect(list.structuredContent).toEqual({ count: 0, workspaces: [] });
      const reap = (await client.callTool({ name: "vm_reap_expired", arguments: {} })) as CallToolResult;
      expect(reap.structuredContent).toEqual({ reaped: [] });
      const missing = (await client.callTool({
        name: "workspace_status",
        arguments: { workspace_id: "ws_000000000000" },
      })) as CallToolResult;
      expect(missing.isError).toBe(true);
      expect(ToolErrorSchema.parse(missing.structuredContent).error.code).toBe("workspace_not_found");
    } finally {
      await client.close();
    }
  });
});

describe("toolOutputSchema", () => {
  it("adds the truncation flags respond.ts may set beside stdout and stderr", () => {
    const schema = toolOutputSchema(records.WorkspaceExecResultSchema);
    const big = "x".repeat(70_000);
    const record = {
      workspaceId: "ws_0123456789ab",
      sequence: 1,
      command: ["true"],
      cwd: "/workspace",
      exitCode: 0,
      stdout: big,
      stderr: "",
      durationMs: 1,
      executionMode: "guest_virtio_serial",
    };
    const structured = toolResult(record, ["stdout", "stderr"]).structuredContent;
    expect(structured).toHaveProperty("stdout_truncated", true);
    expect(structured).toHaveProperty("stdout_bytes", 70_000);
    expect(schema.safeParse(structured).success).toBe(true);
    expect(schema.safeParse({ ...structured, stdout_truncated: false }).success).toBe(false);
    expect(Object.keys(toolOutputSchema(records.WorkspaceSchema).shape)).not.toContain("stdout_truncated");
  });

  it("wraps a non-object record as { result }", () => {
    const schema = toolOutputSchema(z.array(z.string()));
    expect(schema.safeParse(toolResult(["a"]).structuredContent).success).toBe(true);
  });

  it("advertises no extra keys: a record with one field too many is refused by the JSON Schema", () => {
    const json = z.toJSONSchema(advertisedOutput(toolOutputSchema(records.VmDeleteSchema)), {
      target: "draft-7",
    }) as { anyOf: { additionalProperties?: boolean }[] };
    expect(json.anyOf[0]?.additionalProperties).toBe(false);
  });
});
