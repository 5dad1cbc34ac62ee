/** `pyro mcp serve`: the only command that loads the MCP server and the MCP SDK. */
import { MCP_PROFILES, type McpProfile } from "../../mcp/tool.js";
import { PyroError } from "../../sdk/index.js";
import type { CliContext } from "../context.js";

/** `--profile` value as a profile. @throws PyroError usage for anything not in MCP_PROFILES. */
export function parseProfile(value: string): McpProfile {
  if ((MCP_PROFILES as readonly string[]).includes(value)) return value as McpProfile;
  throw new PyroError("usage", `--profile must be one of ${MCP_PROFILES.join(", ")}, got "${value}"`);
}

/** Resolves when stdin ends or closes, or when the CLI is interrupted. */
function untilStdinCloses(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    process.stdin.once("end", resolve);
    process.stdin.once("close", resolve);
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/** Serves the profile on stdio until stdin closes; in-flight tool calls are aborted (their VMs deleted). */
export async function serve(ctx: CliContext, flags: { profile: string; allowedRoot?: string[] }) {
  const profile = parseProfile(flags.profile);
  // A stray console.log from any library would corrupt the protocol stream: send it to stderr.
  console.log = console.error;
  console.info = console.error;
  const [{ createMcpServer }, { StdioServerTransport }] = await Promise.all([
    import("../../mcp/server.js"),
    import("@modelcontextprotocol/sdk/server/stdio.js"),
  ]);
  const allowedRoots = flags.allowedRoot;
  const server = createMcpServer(await ctx.pyro(), { profile, ...(allowedRoots ? { allowedRoots } : {}) });
  const closed = untilStdinCloses(ctx.signal);
  await server.connect(new StdioServerTransport());
  await closed;
  await server.close();
}
