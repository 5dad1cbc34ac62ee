/** `pyro workspace create|list|update|status|logs|delete`. */
import { Command } from "commander";
import { DEFAULT_MEM_MIB, DEFAULT_TTL_SECONDS, DEFAULT_VCPU_COUNT } from "../../../sdk/index.js";
import { type CliContext, intOption } from "../../context.js";
import { phaseLine, printJson, withJson } from "../../output.js";
import { renderWorkspace, renderWorkspaceTable } from "../../render/workspace.js";
import { collect, collectLabel, secretCollector } from "./options.js";

export function createCommand(ctx: CliContext): Command {
  return withJson(
    new Command("create")
      .description("create and boot a persistent workspace (returns once the seed is imported)")
      .argument("<environment>", 'environment name, e.g. "debian:12"')
      .option("--vcpu-count <n>", "virtual CPUs", intOption("--vcpu-count"), DEFAULT_VCPU_COUNT)
      .option("--mem-mib <n>", "guest memory in MiB", intOption("--mem-mib"), DEFAULT_MEM_MIB)
      .option(
        "--ttl-seconds <n>",
        "idle seconds before it is reaped",
        intOption("--ttl-seconds"),
        DEFAULT_TTL_SECONDS,
      )
      .option("--network-policy <policy>", "off | egress | egress+published-ports", "off")
      .option("--seed-path <path>", "host directory or .tar/.tar.gz/.tgz to import into /workspace")
      .option("--name <name>", "a unique, human name")
      .option("--label <key=value>", "a label (repeatable)", collectLabel)
      .option(
        "--secret <name=value>",
        "a secret for /run/pyro-secrets and --secret-env (repeatable; visible in ps, prefer --secret-file)",
        secretCollector("--secret"),
      )
      .option(
        "--secret-file <name=path>",
        "a secret read from a host file (repeatable)",
        secretCollector("--secret-file"),
      )
      .option("--id-only", "print only the workspace id", false),
  ).action(async (environment: string, f) => {
    const w = await ctx.pyro().createWorkspace(
      {
        environment,
        vcpuCount: f.vcpuCount,
        memMib: f.memMib,
        ttlSeconds: f.ttlSeconds,
        networkPolicy: f.networkPolicy,
        ...(f.seedPath ? { seedPath: f.seedPath } : {}),
        ...(f.name ? { name: f.name } : {}),
        labels: f.label ?? {},
        secrets: [...(f.secret ?? []), ...(f.secretFile ?? [])],
      },
      { signal: ctx.signal },
    );
    if (f.json) printJson(w);
    else if (f.idOnly) process.stdout.write(`${w.workspaceId}\n`);
    else process.stdout.write(renderWorkspace(w));
  });
}

export function listCommand(ctx: CliContext): Command {
  return withJson(
    new Command("list")
      .description("all workspaces: name, labels, state, last activity, expiry, services")
      .option("--label <key=value>", "only workspaces with this label (repeatable)", collectLabel),
  ).action(async (f) => {
    const r = await ctx.pyro().listWorkspaces();
    const wanted = Object.entries((f.label ?? {}) as Record<string, string>);
    const workspaces = r.workspaces.filter((w) => wanted.every(([k, v]) => w.labels[k] === v));
    if (f.json) printJson({ count: workspaces.length, workspaces });
    else process.stdout.write(renderWorkspaceTable(workspaces));
  });
}

export function updateCommand(ctx: CliContext): Command {
  return withJson(
    new Command("update")
      .description("rename or relabel a workspace")
      .argument("<workspace>")
      .option("--name <name>", "new name")
      .option("--label <key=value>", "set a label (repeatable)", collectLabel)
      .option("--clear-label <key>", "remove a label (repeatable)", collect),
  ).action(async (workspace: string, f) => {
    const w = await ctx.pyro().updateWorkspace({
      workspaceId: workspace,
      ...(f.name ? { name: f.name } : {}),
      ...(f.label ? { labels: f.label } : {}),
      ...(f.clearLabel ? { clearLabels: f.clearLabel } : {}),
    });
    if (f.json) printJson(w);
    else process.stdout.write(renderWorkspace(w));
  });
}

export function statusCommand(ctx: CliContext): Command {
  return withJson(
    new Command("status").description("state, resources, seed, counts").argument("<workspace>"),
  ).action(async (workspace: string, f) => {
    const w = await ctx.pyro().statusWorkspace(workspace);
    if (f.json) printJson(w);
    else process.stdout.write(renderWorkspace(w));
  });
}

export function logsCommand(ctx: CliContext): Command {
  return withJson(
    new Command("logs").description("command history with exit codes and output").argument("<workspace>"),
  ).action(async (workspace: string, f) => {
    const r = await ctx.pyro().logsWorkspace(workspace);
    if (f.json) return printJson(r);
    for (const e of r.entries) {
      process.stdout.write(
        `#${e.sequence} $ ${JSON.stringify(e.command)} exit_code=${e.exitCode} duration_ms=${e.durationMs}${e.timedOut ? " timed_out" : ""}\n`,
      );
      if (e.stdout) process.stdout.write(e.stdout.endsWith("\n") ? e.stdout : `${e.stdout}\n`);
      if (e.stderr) process.stdout.write(e.stderr.endsWith("\n") ? e.stderr : `${e.stderr}\n`);
    }
    if (r.count === 0) process.stdout.write("No commands yet.\n");
  });
}

export function deleteCommand(ctx: CliContext): Command {
  return withJson(
    new Command("delete").description("destroy the VM and all its state").argument("<workspace>"),
  ).action(async (workspace: string, f) => {
    const r = await ctx.pyro().deleteWorkspace(workspace);
    if (f.json) printJson(r);
    else phaseLine("workspace-delete", { workspace_id: r.workspaceId, deleted: r.deleted });
  });
}
