/** `pyro workspace snapshot create|list|delete` and `pyro workspace reset`. */
import { Command } from "commander";
import type { CliContext } from "../../context.js";
import { phaseLine, printJson, withJson } from "../../output.js";
import { renderWorkspace } from "../../render/workspace.js";

export function snapshotCommand(ctx: CliContext): Command {
  const snapshot = new Command("snapshot").description(
    "named snapshots of /workspace (baseline is implicit)",
  );
  snapshot.addCommand(
    withJson(
      new Command("create").description("save /workspace as NAME").argument("<workspace>").argument("<name>"),
    ).action(async (workspace: string, name: string, f) => {
      const s = await ctx.pyro().createSnapshot({ workspaceId: workspace, name });
      if (f.json) printJson(s);
      else
        phaseLine("workspace-snapshot", { name: s.name, size_bytes: s.sizeBytes, created_at: s.createdAt });
    }),
  );
  snapshot.addCommand(
    withJson(new Command("list").description("snapshots, baseline first").argument("<workspace>")).action(
      async (workspace: string, f) => {
        const r = await ctx.pyro().listSnapshots(workspace);
        if (f.json) return printJson(r);
        for (const s of r.snapshots) {
          process.stdout.write(
            `${s.name}\t${s.createdAt}\t${s.sizeBytes} bytes${s.implicit ? "\t(implicit)" : ""}\n`,
          );
        }
      },
    ),
  );
  snapshot.addCommand(
    withJson(
      new Command("delete").description("delete snapshot NAME").argument("<workspace>").argument("<name>"),
    ).action(async (workspace: string, name: string, f) => {
      const r = await ctx.pyro().deleteSnapshot({ workspaceId: workspace, name });
      if (f.json) printJson(r);
      else
        phaseLine("workspace-snapshot-delete", {
          workspace_id: r.workspaceId,
          name: r.name,
          deleted: r.deleted,
        });
    }),
  );
  return snapshot;
}

export function resetCommand(ctx: CliContext): Command {
  return withJson(
    new Command("reset")
      .description("fresh VM with /workspace restored from a snapshot; history, shells and services cleared")
      .argument("<workspace>")
      .option("--snapshot <name>", "snapshot to restore", "baseline"),
  ).action(async (workspace: string, f) => {
    const w = await ctx.pyro().resetWorkspace({ workspaceId: workspace, snapshot: f.snapshot });
    if (f.json) printJson(w);
    else process.stdout.write(renderWorkspace(w));
  });
}
