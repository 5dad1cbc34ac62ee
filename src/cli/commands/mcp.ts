/**
 * `pyro mcp serve [--profile P]`: the MCP server on stdio. stdout carries only the protocol;
 * the process serves until stdin closes (or SIGINT/SIGTERM), then exits 0.
 */
import { Command } from "commander";
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

/** Serves `profile` on stdio until stdin closes; in-flight tool calls are aborted (their VMs deleted). */
async function serveStdio(ctx: CliContext, profile: McpProfile, allowedRoots?: string[]): Promise<void> {
  // A stray console.log from any library would corrupt the protocol stream: send it to stderr.
  console.log = console.error;
  console.info = console.error;
  // Loaded here, not at the top: every other command starts ~0.1 s faster without the MCP SDK.
  const [{ createMcpServer }, { StdioServerTransport }] = await Promise.all([
    import("../../mcp/server.js"),
    import("@modelcontextprotocol/sdk/server/stdio.js"),
  ]);
  const server = createMcpServer(ctx.pyro(), { profile, ...(allowedRoots ? { allowedRoots } : {}) });
  const closed = untilStdinCloses(ctx.signal);
  await server.connect(new StdioServerTransport());
  await closed;
  await server.close();
}

/** The `mcp` command group (`pyro mcp serve`). */
export function mcpCommand(ctx: CliContext): Command {
  const serve = new Command("serve")
    .description("serve pyro's tools over MCP on stdio (stdout carries only the protocol)")
    .option(
      "--profile <profile>",
      `tool set: ${MCP_PROFILES.join(" | ")} (vm-run: only vm_run; workspace-full: everything)`,
      "workspace-core",
    )
    .option(
      "--allowed-root <dir>",
      "host directory tools may read seeds from and export into (repeatable; default: the current directory)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .action(async (flags: { profile: string; allowedRoot?: string[] }) => {
      await serveStdio(ctx, parseProfile(flags.profile), flags.allowedRoot);
    });
  return new Command("mcp").description("Model Context Protocol server for agents").addCommand(serve);
}
