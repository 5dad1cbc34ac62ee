/** `pyro workspace exec WS [flags] -- CMD...`: the hot path of an agent's loop, so its action loads alone. */
import { Command } from "commander";
import type { ExecFlags } from "../../actions/workspace/exec.js";
import { type CliContext, requireGuestCommand } from "../../context.js";
import { DEFAULT_TIMEOUT_SECONDS } from "../../defaults.js";
import { intOption, withJson } from "../../flags.js";
import { collect } from "./options.js";

export function execCommand(ctx: CliContext): Command {
  return withJson(
    new Command("exec")
      .description("run a command in /workspace; its exit code becomes pyro's")
      .argument("<workspace>")
      .usage("WORKSPACE [options] -- CMD...")
      .option(
        "--timeout-seconds <n>",
        "time limit in seconds",
        intOption("--timeout-seconds"),
        DEFAULT_TIMEOUT_SECONDS,
      )
      .option("-i, --interactive", "pass pyro's stdin to the command, streamed (default: none)", false)
      .option(
        "--secret-env <name[=env_var]>",
        "expose a workspace secret as an environment variable (repeatable)",
        collect,
      ),
  ).action(async (workspace: string, f: ExecFlags) => {
    const command = requireGuestCommand(ctx, "pyro workspace exec WS -- make test");
    await (await import("../../actions/workspace/exec.js")).execWorkspace(ctx, workspace, command, f);
  });
}
