/** `pyro mcp serve`: the only command that loads the MCP server and the MCP SDK. */
import type { McpProfile } from "../../contract/choices.js";
import type { CliContext } from "../context.js";

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
export async function serve(ctx: CliContext, flags: { profile: McpProfile; allowedRoot?: string[] }) {
  const profile = flags.profile;
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
