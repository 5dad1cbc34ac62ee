/**
 * `pyro workspace stop|start|pause|resume|fork` and `pyro workspace disk list|read|export`
 * (offline, stopped only).
 */
import { Command } from "commander";
import type { DiskListFlags, DiskReadFlags, ForkFlags } from "../../actions/workspace/disk.js";
import type { CliContext } from "../../context.js";
import { MAX_FORK_COUNT } from "../../defaults.js";
import { intOption, plainOnlyOption, withJson } from "../../flags.js";

type Flags = { json: boolean };
const actions = () => import("../../actions/workspace/disk.js");

export function stopCommand(ctx: CliContext): Command {
  return withJson(
    new Command("stop")
      .description("flush the guest file system and stop the VM; /workspace is kept")
      .argument("<workspace>"),
  ).action(async (workspace: string, f: Flags) => (await actions()).stopWorkspace(ctx, workspace, f));
}

export function startCommand(ctx: CliContext): Command {
  return withJson(
    new Command("start")
      .description("boot a stopped workspace again, /workspace untouched")
      .argument("<workspace>"),
  ).action(async (workspace: string, f: Flags) => (await actions()).startWorkspace(ctx, workspace, f));
}

export function pauseCommand(ctx: CliContext): Command {
  return withJson(
    new Command("pause")
      .description("save the VM's memory and processes to disk and end it; resume carries on")
      .argument("<workspace>"),
  ).action(async (workspace: string, f: Flags) => (await actions()).pauseWorkspace(ctx, workspace, f));
}

export function resumeCommand(ctx: CliContext): Command {
  return withJson(
    new Command("resume")
      .description("start a paused workspace where it stopped: processes, shells and services carry on")
      .argument("<workspace>"),
  ).action(async (workspace: string, f: Flags) => (await actions()).resumeWorkspace(ctx, workspace, f));
}

export function forkCommand(ctx: CliContext): Command {
  return withJson(
    new Command("fork")
      .description(
        "copy a running (or paused) workspace into new ones: own disk, memory, identity, NIC and ports; processes, shells and services carried over",
      )
      .argument("<workspace>")
      .option("--name <name>", "name of the fork (NAME-1 ... NAME-K with --count)")
      .option("--count <n>", `forks to make, 1-${MAX_FORK_COUNT}`, intOption("--count"), 1)
      .addOption(plainOnlyOption("--id-only", "print only the forks' ids, one per line")),
  ).action(async (workspace: string, f: ForkFlags) => (await actions()).forkWorkspace(ctx, workspace, f));
}

export function diskCommand(ctx: CliContext): Command {
  const disk = new Command("disk").description(
    "offline reads of a stopped workspace's ext4 image (no boot, no mount)",
  );
  disk.addCommand(
    withJson(
      new Command("list")
        .description("list /workspace on the disk image")
        .argument("<workspace>")
        .argument("[path]", "inside /workspace", "/workspace")
        .option("--recursive", "descend into directories", false),
    ).action(async (workspace: string, path: string, f: DiskListFlags) =>
      (await actions()).listWorkspaceDisk(ctx, workspace, path, f),
    ),
  );
  disk.addCommand(
    withJson(
      new Command("read")
        .description("print a regular file from the disk image")
        .argument("<workspace>")
        .argument("<path>")
        .option("--max-bytes <n>", "bytes to read at most", intOption("--max-bytes"), 65536)
        .addOption(plainOnlyOption("--content-only", "print only the content")),
    ).action(async (workspace: string, path: string, f: DiskReadFlags) =>
      (await actions()).readWorkspaceDisk(ctx, workspace, path, f),
    ),
  );
  disk.addCommand(
    withJson(
      new Command("export")
        .description("copy the raw ext4 image (sparse) to a new host path")
        .argument("<workspace>")
        .requiredOption("--output <host-path>", "where to write the image (must not exist)"),
    ).action(async (workspace: string, f: Flags & { output: string }) =>
      (await actions()).exportWorkspaceDisk(ctx, workspace, f),
    ),
  );
  return disk;
}
