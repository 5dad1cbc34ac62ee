/**
 * `pyro mcp serve [--profile P]`: the MCP server on stdio. stdout carries only the protocol;
 * the process serves until stdin closes (or SIGINT/SIGTERM), then exits 0.
 */
import { Command } from "commander";
import { MCP_PROFILES, type McpProfile } from "../../contract/choices.js";
import type { CliContext } from "../context.js";
import { choiceOption } from "../flags.js";

/** The `mcp` command group (`pyro mcp serve`). */
export function mcpCommand(ctx: CliContext): Command {
  const serve = new Command("serve")
    .description("serve pyro's tools over MCP on stdio (stdout carries only the protocol)")
    .addOption(
      choiceOption(
        "--profile <profile>",
        "tool set (vm-run: only vm_run; workspace-full: everything)",
        MCP_PROFILES,
        "workspace-core",
      ),
    )
    .option(
      "--allowed-root <dir>",
      "host directory tools may read seeds from and export into (repeatable; default: the current directory)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .action(async (flags: { profile: McpProfile; allowedRoot?: string[] }) =>
      (await import("../actions/mcp.js")).serve(ctx, flags),
    );
  return new Command("mcp").description("Model Context Protocol server for agents").addCommand(serve);
}
