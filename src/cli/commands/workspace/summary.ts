/** `pyro workspace summary`. */
import { Command } from "commander";
import type { CliContext } from "../../context.js";
import { withJson } from "../../flags.js";

export function summaryCommand(ctx: CliContext): Command {
  return withJson(
    new Command("summary")
      .description(
        "what changed since the baseline, the last commands with exit codes, services, shells, snapshots",
      )
      .argument("<workspace>"),
  ).action(async (workspace: string, f: { json: boolean }) =>
    (await import("../../actions/workspace/summary.js")).summarizeWorkspace(ctx, workspace, f),
  );
}
