/**
 * `pyro host print-config|connect|doctor|repair CLIENT`: the pyro entry in an MCP client's own
 * config file (Claude Code, Codex, OpenCode). See docs/integrations.md.
 */
import { Argument, Command, Option } from "commander";
import { HOST_CLIENTS, HOST_SCOPES, type HostClient, MCP_PROFILES } from "../../contract/choices.js";
import type { HostFlags, HostVerb } from "../actions/host.js";
import type { CliContext } from "../context.js";
import { choiceOption } from "../flags.js";

const VERBS: readonly { verb: HostVerb; description: string; profile: boolean; dryRun: boolean }[] = [
  {
    verb: "print-config",
    description: "print the client's pyro server entry (a config file holding only it)",
    profile: true,
    dryRun: false,
  },
  {
    verb: "connect",
    description: "write the pyro entry into the client's config (other entries kept, old file backed up)",
    profile: true,
    dryRun: true,
  },
  {
    verb: "doctor",
    description: "check the client's pyro entry (binary path, mcp serve, profile); exit 1 on problems",
    profile: false,
    dryRun: false,
  },
  {
    verb: "repair",
    description: "rewrite the client's pyro entry when doctor finds problems",
    profile: true,
    dryRun: true,
  },
];

/** The `host` command group. */
export function hostCommand(ctx: CliContext): Command {
  const host = new Command("host").description("connect MCP clients (Claude Code, Codex, OpenCode) to pyro");
  for (const { verb, description, profile, dryRun } of VERBS) {
    const cmd = new Command(verb)
      .description(description)
      .addArgument(new Argument("<client>", "MCP client").choices(HOST_CLIENTS))
      .addOption(
        choiceOption(
          "--scope <scope>",
          "user (global config), project (in the current directory), local (claude-code: yours, this project)",
          HOST_SCOPES,
          "user",
        ),
      );
    if (profile) {
      cmd.addOption(
        new Option(
          "--profile <profile>",
          "tool set to serve (default: the entry's, else workspace-core)",
        ).choices(MCP_PROFILES),
      );
    }
    if (dryRun) cmd.option("--dry-run", "print the change as a diff; write nothing", false);
    cmd.option("--json", "print one JSON document", false);
    cmd.action(async (client: HostClient, flags: HostFlags) =>
      (await import("../actions/host.js")).host(ctx, verb, client, flags),
    );
    host.addCommand(cmd);
  }
  return host;
}
