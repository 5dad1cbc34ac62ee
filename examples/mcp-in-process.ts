/**
 * pyro's MCP server embedded in your own process: `Pyro.createServer` gives the server that
 * `pyro mcp serve` runs, and an MCP client talks to it over the MCP SDK's InMemoryTransport
 * (use any other transport the same way). The client lists the tools and calls vm_run.
 *
 * Prerequisites and how to run: see examples/sdk-workspace.ts.
 */
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { Pyro } from "../src/index.js";

const log = (message: string) => console.log(`[mcp-in-process] ${message}`);

/** Runs the example. `stateDir` overrides PYRO_HOME (the test passes a private one). */
export async function main(stateDir?: string): Promise<void> {
  const pyro = new Pyro(stateDir ? { stateDir } : {});
  const server = pyro.createServer({ profile: "vm-run" });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "my-agent", version: "1.0.0" });
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  try {
    const { tools } = await client.listTools();
    log(`tools: ${tools.map((t) => t.name).join(", ")}`);

    const result = (await client.callTool({
      name: "vm_run",
      arguments: { environment: "debian:12", command: ["uname", "-sr"] },
    })) as CallToolResult;
    assert.ok(!result.isError, JSON.stringify(result.content));
    // structuredContent is the SDK's RunResult with snake_case keys.
    const run = result.structuredContent as {
      exit_code: number;
      stdout: string;
      cleanup: { deleted: boolean };
    };
    assert.equal(run.exit_code, 0);
    assert.equal(run.cleanup.deleted, true);
    log(`vm_run: ${run.stdout.trim()} (the VM is deleted afterwards)`);
  } finally {
    await client.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
