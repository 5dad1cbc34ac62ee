/**
 * The `pyro-mcp` package entry: the SDK plus its MCP face. It is the one module above both
 * `src/sdk` and `src/mcp` (the SDK must not import its faces), so the `Pyro` exported here is
 * the SDK class with {@link Pyro.createServer} added; everything else is `src/sdk/index.ts`
 * re-exported unchanged. Nothing under `src/` imports this file.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { createMcpServer, type McpServerOptions } from "./mcp/server.js";
import { Pyro as SdkPyro } from "./sdk/index.js";

export { createMcpServer, MCP_PROFILES, type McpProfile, type McpServerOptions } from "./mcp/server.js";
// Every SDK export; the local `Pyro` below takes precedence over the SDK's.
export * from "./sdk/index.js";

/** The SDK facade (`src/sdk/pyro.ts`) plus {@link Pyro.createServer}, docs/public-contract.md. */
export class Pyro extends SdkPyro {
  /**
   * An MCP server (the one `pyro mcp serve` runs) whose tools call this `Pyro`. Connect it to
   * any MCP transport: `StdioServerTransport`, a Streamable HTTP transport, or
   * `InMemoryTransport` to embed it in-process.
   * @param options.profile tool set: `vm-run`, `workspace-core` or `workspace-full`. @default "workspace-core"
   * @param options.allowedRoots host directories tools may read seeds from and export into. @default [process.cwd()]
   */
  createServer(options: McpServerOptions = {}): McpServer {
    return createMcpServer(this, options);
  }
}
