/** `pyro env list|pull|inspect|prune`. */
import { Command } from "commander";
import type { Environment } from "../../../sdk/index.js";
import type { CliContext } from "../../context.js";
import { phaseLine, printJson, withJson } from "../../output.js";
import { pullProgressRenderer } from "../../render/pull-progress.js";

function renderEnvironment(e: Environment): string {
  const lines = [
    `Environment: ${e.name}`,
    `Version: ${e.version}`,
    `Description: ${e.description}`,
    `Installed: ${e.installed ? "yes" : "no"}${e.problem ? ` (${e.problem})` : ""}`,
    `Install dir: ${e.installDir}`,
  ];
  if (e.installedAt)
    lines.push(
      `Installed at: ${e.installedAt}`,
      `Source: ${e.source}`,
      `Kernel: ${e.kernelRelease}${e.kernel ? ` (${e.kernel.package} ${e.kernel.version}, ${e.kernel.flavor})` : ""}`,
    );
  for (const a of e.artifacts)
    lines.push(`Artifact ${a.role}: ${a.path} sha256=${a.sha256} size_bytes=${a.sizeBytes}`);
  return `${lines.join("\n")}\n`;
}

export function envCommand(ctx: CliContext): Command {
  const env = new Command("env").description("guest environments: list, pull, inspect, prune");

  env.addCommand(
    withJson(new Command("list").description("the catalog and what is installed")).action(
      async (f: { json: boolean }) => {
        const list = await ctx.pyro().listEnvironments();
        if (f.json) return printJson(list);
        const out = [`Catalog version: ${list.catalogVersion}`];
        for (const e of list.environments) {
          out.push(`${e.name} [${e.installed ? "installed" : "not installed"}] ${e.description}`);
        }
        process.stdout.write(`${out.join("\n")}\n`);
      },
    ),
  );

  env.addCommand(
    withJson(
      new Command("pull")
        .description("install an environment (built locally from Debian packages when needed)")
        .argument("<environment>"),
    ).action(async (name: string, f: { json: boolean }) => {
      const progress = pullProgressRenderer();
      try {
        const result = await ctx
          .pyro()
          .pullEnvironment(name, { onProgress: (e) => progress.onProgress(e), signal: ctx.signal });
        progress.stop();
        if (f.json) return printJson(result);
        phaseLine("pull", {
          environment: result.environment.name,
          status: result.status,
          reason: result.repairReason ? JSON.stringify(result.repairReason) : undefined,
          duration_ms: result.durationMs,
        });
        process.stdout.write(renderEnvironment(result.environment));
      } finally {
        progress.stop();
      }
    }),
  );

  env.addCommand(
    withJson(
      new Command("inspect")
        .description("manifest and verified artifacts of one environment")
        .argument("<environment>"),
    ).action(async (name: string, f: { json: boolean }) => {
      const e = await ctx.pyro().inspectEnvironment(name);
      if (f.json) printJson(e);
      else process.stdout.write(renderEnvironment(e));
    }),
  );

  env.addCommand(
    withJson(new Command("prune").description("remove stale or unused cached installs")).action(
      async (f: { json: boolean }) => {
        const r = await ctx.pyro().pruneEnvironments();
        if (f.json) return printJson(r);
        for (const p of r.removed) process.stdout.write(`removed ${p}\n`);
        process.stdout.write(`Freed ${r.bytesFreed} bytes (${r.removed.length} entries)\n`);
      },
    ),
  );
  return env;
}
