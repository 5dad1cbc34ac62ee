/**
 * The package entry (`src/index.ts`, `pyro-mcp` in package.json "exports"): every SDK export,
 * and `Pyro.createServer` serving MCP tools to a real Client over an in-memory linked pair.
 * No VM boots here.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as entry from "../../src/index.js";
import * as sdk from "../../src/sdk/index.js";

let stateDir = "";
beforeAll(() => {
  stateDir = mkdtempSync(join(tmpdir(), "pyro-entry-"));
});
afterAll(() => {
  rmSync(stateDir, { recursive: true, force: true });
});

describe("package entry", () => {
  it("is what package.json exports as pyro-mcp", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(pkg.exports["."]).toEqual({ types: "./dist/index.d.ts", import: "./dist/index.js" });
  });

  it("re-exports every SDK export, with Pyro extended", () => {
    expect(Object.keys(sdk).filter((name) => !(name in entry))).toEqual([]);
    expect(entry.Pyro).not.toBe(sdk.Pyro);
    expect(new entry.Pyro({ stateDir })).toBeInstanceOf(sdk.Pyro);
    expect(entry.MCP_PROFILES).toEqual(["vm-run", "workspace-core", "workspace-full"]);
  });

  it("Pyro.createServer serves the profile's tools to an MCP client", async () => {
    const pyro = new entry.Pyro({ stateDir });
    const server = pyro.createServer({ profile: "vm-run" });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: "entry-test", version: "0.0.0" });
    await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(["vm_run"]);
      expect(client.getServerVersion()?.name).toBe("pyro");
    } finally {
      await client.close();
    }
  });

  it("defaults to workspace-core and answers tool calls with SDK records", async () => {
    const server = new entry.Pyro({ stateDir }).createServer();
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: "entry-test", version: "0.0.0" });
    await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain("workspace_create");
      expect(tools.map((t) => t.name)).not.toContain("shell_open");
      const result = (await client.callTool({ name: "workspace_list", arguments: {} })) as CallToolResult;
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toEqual({ count: 0, workspaces: [] });
      const missing = (await client.callTool({
        name: "workspace_status",
        arguments: { workspace_id: "ws_000000000000" },
      })) as CallToolResult;
      expect(missing.structuredContent).toMatchObject({ error: { code: "workspace_not_found" } });
    } finally {
      await client.close();
    }
  });
});
