/** `pyro workspace sync push|export|diff|patch apply` (exec: exec.ts). */
import { Command } from "commander";
import type { PatchFlags, PushFlags } from "../../actions/workspace/work.js";
import type { CliContext } from "../../context.js";
import { withJson } from "../../flags.js";

type Flags = { json: boolean };
const actions = () => import("../../actions/workspace/work.js");

export function syncCommand(ctx: CliContext): Command {
  const sync = new Command("sync").description("copy host files into a workspace");
  sync.addCommand(
    withJson(
      new Command("push")
        .description("copy a host directory or .tar/.tar.gz/.tgz into /workspace (not atomic)")
        .argument("<workspace>")
        .argument("<source>")
        .option("--dest <path>", "destination inside /workspace", "/workspace"),
    ).action(async (workspace: string, source: string, f: PushFlags) =>
      (await actions()).pushWorkspaceSync(ctx, workspace, source, f),
    ),
  );
  return sync;
}

export function exportCommand(ctx: CliContext): Command {
  return withJson(
    new Command("export")
      .description("copy a file or directory of /workspace to a new host path")
      .argument("<workspace>")
      .argument("<path>", "inside /workspace")
      .requiredOption("--output <host-path>", "where to write it (must not exist)"),
  ).action(async (workspace: string, path: string, f: Flags & { output: string }) =>
    (await actions()).exportWorkspace(ctx, workspace, path, f),
  );
}

export function diffCommand(ctx: CliContext): Command {
  return withJson(
    new Command("diff")
      .description("changes in /workspace since create (unified patch for text)")
      .argument("<workspace>"),
  ).action(async (workspace: string, f: Flags) => (await actions()).diffWorkspace(ctx, workspace, f));
}

export function patchCommand(ctx: CliContext): Command {
  const patch = new Command("patch").description("apply patches to /workspace");
  patch.addCommand(
    withJson(
      new Command("apply")
        .description("apply a unified diff; every hunk is checked before anything changes")
        .argument("<workspace>")
        .option("--patch <text>", "the patch text")
        .option("--patch-file <path>", "a host file holding the patch"),
    ).action(async (workspace: string, f: PatchFlags) =>
      (await actions()).applyWorkspacePatch(ctx, workspace, f),
    ),
  );
  return patch;
}
