/**
 * `createMcpServer`: the MCP face of pyro. Tool groups (one per noun, `src/mcp/tools/*.ts`)
 * each register the tools the chosen profile exposes; transports are the caller's business.
 */
import { readFileSync } from "node:fs";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Pyro } from "../sdk/index.js";
import { HostPathPolicy } from "./host-paths.js";
import type { HttpServeHandle, HttpServeOptions } from "./http.js";
import { MCP_PROFILES, type McpProfile } from "./tool.js";
import { registerRuntimeTools } from "./tools/runtime.js";
import { registerVmTools } from "./tools/vm.js";
import { registerWorkspaceTools } from "./tools/workspace.js";

export { MCP_PROFILES, type McpProfile };

/** Options of {@link createMcpServer}. */
export interface McpServerOptions {
  /** Which tools to expose (docs/integrations.md). @default "workspace-core" */
  profile?: McpProfile;
  /** Host directories tools may read seeds from and export into. @default [process.cwd()] */
  allowedRoots?: readonly string[];
}

/** Registers one noun's tools for a profile (each group filters by its own table). */
type ToolGroup = (server: McpServer, pyro: Pyro, profile: McpProfile, hostPaths: HostPathPolicy) => void;

/** Every tool group, in catalog order. Workspace, snapshot, shell and service groups go here. */
const TOOL_GROUPS: readonly ToolGroup[] = [registerVmTools, registerWorkspaceTools, registerRuntimeTools];

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

/**
 * An MCP server named `pyro` (version from package.json) whose tools call `pyro`. Results carry
 * the SDK record in snake_case as `structuredContent` plus one line of text; failures are tool
 * errors `{ error: { code, message } }`. Connect it to a transport (stdio for `pyro mcp serve`).
 */
export function createMcpServer(pyro: Pyro, options: McpServerOptions = {}): McpServer {
  const profile = options.profile ?? "workspace-core";
  const server = new McpServer({ name: "pyro", version: pkg.version });
  const hostPaths = new HostPathPolicy(options.allowedRoots);
  for (const register of TOOL_GROUPS) register(server, pyro, profile, hostPaths);
  return server;
}

export type { HttpServeHandle, HttpServeOptions };

/**
 * Serves pyro's tools over MCP Streamable HTTP (`pyro mcp serve --http`, src/mcp/http.ts): each
 * client session gets `createMcpServer(pyro, options)`, so profile and host-path confinement
 * are those of stdio. Loaded on first use: stdio never pays for the HTTP transport.
 * @throws PyroError invalid_argument (token under 16 characters), port_in_use, usage (cannot bind)
 */
export async function serveMcpOverHttp(
  pyro: Pyro,
  options: McpServerOptions & HttpServeOptions,
): Promise<HttpServeHandle> {
  const { serveHttp } = await import("./http.js");
  return serveHttp(() => createMcpServer(pyro, options), options);
}
