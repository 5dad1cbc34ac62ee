/**
 * `pyro mcp serve [--profile P]`: the MCP server on stdio. stdout carries only the protocol;
 * the process serves until stdin closes (or SIGINT/SIGTERM), then exits 0. With
 * `--http HOST:PORT` it serves MCP Streamable HTTP instead, until SIGINT/SIGTERM.
 */
import { Command } from "commander";
import { MCP_PROFILES } from "../../contract/choices.js";
import type { CliContext } from "../context.js";
import { choiceOption } from "../flags.js";

const repeatable = (value: string, previous: string[] = []) => [...previous, value];

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
      repeatable,
    )
    .option(
      "--http <host:port>",
      "serve MCP Streamable HTTP at http://HOST:PORT/mcp instead of stdio (bearer token required)",
    )
    .option(
      "--token-file <file>",
      "with --http: file holding the bearer token (else PYRO_MCP_TOKEN; on loopback, else PYRO_HOME/mcp-http-token, created once)",
    )
    .option(
      "--allowed-host <name>",
      "with --http: another name clients may use in the Host header (repeatable; default: loopback names and the bind address)",
      repeatable,
    )
    .action(async (flags: import("../actions/mcp.js").ServeFlags) =>
      (await import("../actions/mcp.js")).serve(ctx, flags),
    );
  return new Command("mcp").description("Model Context Protocol server for agents").addCommand(serve);
}
