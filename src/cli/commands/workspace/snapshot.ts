/** `pyro workspace snapshot create|list|delete` and `pyro workspace reset`. */
import { Command } from "commander";
import type { CliContext } from "../../context.js";
import { withJson } from "../../flags.js";

type Flags = { json: boolean };
const actions = () => import("../../actions/workspace/snapshot.js");

export function snapshotCommand(ctx: CliContext): Command {
  const snapshot = new Command("snapshot").description(
    "named snapshots of /workspace (baseline is implicit)",
  );
  snapshot.addCommand(
    withJson(
      new Command("create").description("save /workspace as NAME").argument("<workspace>").argument("<name>"),
    ).action(async (workspace: string, name: string, f: Flags) =>
      (await actions()).createSnapshot(ctx, workspace, name, f),
    ),
  );
  snapshot.addCommand(
    withJson(new Command("list").description("snapshots, baseline first").argument("<workspace>")).action(
      async (workspace: string, f: Flags) => (await actions()).listSnapshots(ctx, workspace, f),
    ),
  );
  snapshot.addCommand(
    withJson(
      new Command("delete").description("delete snapshot NAME").argument("<workspace>").argument("<name>"),
    ).action(async (workspace: string, name: string, f: Flags) =>
      (await actions()).deleteSnapshot(ctx, workspace, name, f),
    ),
  );
  return snapshot;
}

export function resetCommand(ctx: CliContext): Command {
  return withJson(
    new Command("reset")
      .description("fresh VM with /workspace restored from a snapshot; history, shells and services cleared")
      .argument("<workspace>")
      .option("--snapshot <name>", "snapshot to restore", "baseline"),
  ).action(async (workspace: string, f: Flags & { snapshot: string }) =>
    (await actions()).resetWorkspace(ctx, workspace, f),
  );
}
