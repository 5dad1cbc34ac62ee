/** `pyro env list|pull|build|push|inspect|prune`. */
import { Command } from "commander";
import type { CliContext } from "../../context.js";
import { withJson } from "../../flags.js";

type Flags = { json: boolean };
const actions = () => import("../../actions/env.js");

export function envCommand(ctx: CliContext): Command {
  const env = new Command("env").description("guest environments: list, pull, build, push, inspect, prune");

  env.addCommand(
    withJson(new Command("list").description("the catalog and what is installed")).action(async (f: Flags) =>
      (await actions()).listEnvironments(ctx, f),
    ),
  );

  env.addCommand(
    withJson(
      new Command("pull")
        .description(
          "install an environment: a catalog one (built locally from Debian packages when needed), or a registry reference REGISTRY/REPOSITORY:TAG|@sha256:DIGEST (a pushed environment or a container image)",
        )
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
    withJson(
      new Command("build")
        .description("build a local environment from a catalog one plus Debian packages (minutes)")
        .argument("<name>", "name of the new environment, e.g. node-dev")
        .option("--from <environment>", "catalog environment to extend", "debian:12")
        .option("--packages <list>", 'extra Debian packages, space- or comma-separated, e.g. "nodejs npm"')
        .option("--recipe <file>", "JSON or YAML recipe: packages, files, setup"),
    ).action(async (name: string, f: Flags & { from: string; packages?: string; recipe?: string }) =>
      (await actions()).buildEnvironment(ctx, name, f),
    ),
  );

  env.addCommand(
    withJson(
      new Command("push")
        .description("push an installed environment to a registry as an OCI artifact")
        .argument("<environment>", "installed environment, catalog or local")
        .argument("<reference>", "REGISTRY/REPOSITORY:TAG, e.g. 127.0.0.1:5000/team/node-dev:1"),
    ).action(async (name: string, reference: string, f: Flags) =>
      (await actions()).pushEnvironment(ctx, name, reference, f),
    ),
  );

  env.addCommand(
    withJson(
      new Command("prune")
        .description("remove stale or unused cached installs, or one environment's install")
        .argument("[environment]", "remove only this environment's install"),
    ).action(async (name: string | undefined, f: Flags) => (await actions()).pruneEnvironments(ctx, name, f)),
  );
  return env;
}
