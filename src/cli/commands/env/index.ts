/** `pyro env list|pull|inspect|prune`. */
import { Command } from "commander";
import type { CliContext } from "../../context.js";
import { withJson } from "../../flags.js";

type Flags = { json: boolean };
const actions = () => import("../../actions/env.js");

export function envCommand(ctx: CliContext): Command {
  const env = new Command("env").description("guest environments: list, pull, inspect, prune");

  env.addCommand(
    withJson(new Command("list").description("the catalog and what is installed")).action(async (f: Flags) =>
      (await actions()).listEnvironments(ctx, f),
    ),
  );

  env.addCommand(
    withJson(
      new Command("pull")
        .description("install an environment (built locally from Debian packages when needed)")
        .argument("<environment>"),
    ).action(async (name: string, f: Flags) => (await actions()).pullEnvironment(ctx, name, f)),
  );

  env.addCommand(
    withJson(
      new Command("inspect")
        .description("manifest and verified artifacts of one environment")
        .argument("<environment>"),
    ).action(async (name: string, f: Flags) => (await actions()).inspectEnvironment(ctx, name, f)),
  );

  env.addCommand(
    withJson(new Command("prune").description("remove stale or unused cached installs")).action(
      async (f: Flags) => (await actions()).pruneEnvironments(ctx, f),
    ),
  );
  return env;
}
