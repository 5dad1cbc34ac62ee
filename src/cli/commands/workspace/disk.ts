/** `pyro workspace stop|start` and `pyro workspace disk list|read|export` (offline, stopped only). */
import { Command } from "commander";
import type { StopStartResult } from "../../../sdk/index.js";
import { type CliContext, intOption } from "../../context.js";
import { phaseLine, printJson, safeName, withJson } from "../../output.js";
import { renderWorkspace } from "../../render/workspace.js";

function report(tag: string, r: StopStartResult, json: boolean, note: string): void {
  if (json) {
    printJson(r);
    return;
  }
  if (!r.changed) phaseLine(tag, { workspace_id: r.workspace.workspaceId, note });
  process.stdout.write(renderWorkspace(r.workspace));
}

export function stopCommand(ctx: CliContext): Command {
  return withJson(
    new Command("stop")
      .description("flush the guest file system and stop the VM; /workspace is kept")
      .argument("<workspace>"),
  ).action(async (workspace: string, f) => {
    report("workspace-stop", await ctx.pyro().stopWorkspace(workspace), f.json, "already_stopped");
  });
}

export function startCommand(ctx: CliContext): Command {
  return withJson(
    new Command("start")
      .description("boot a stopped workspace again, /workspace untouched")
      .argument("<workspace>"),
  ).action(async (workspace: string, f) => {
    report("workspace-start", await ctx.pyro().startWorkspace(workspace), f.json, "already_running");
  });
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
    ).action(async (workspace: string, path: string, f) => {
      const r = await ctx.pyro().listWorkspaceDisk({ workspaceId: workspace, path, recursive: f.recursive });
      if (f.json) return printJson(r);
      for (const e of r.entries) {
        process.stdout.write(
          `${e.type.padEnd(7)} ${e.mode} ${String(e.size).padStart(10)} ${e.mtime} ${safeName(e.path)}\n`,
        );
      }
    }),
  );
  disk.addCommand(
    withJson(
      new Command("read")
        .description("print a regular file from the disk image")
        .argument("<workspace>")
        .argument("<path>")
        .option("--max-bytes <n>", "bytes to read at most", intOption("--max-bytes"), 65536)
        .option("--content-only", "print only the content", false),
    ).action(async (workspace: string, path: string, f) => {
      const r = await ctx.pyro().readWorkspaceDisk({ workspaceId: workspace, path, maxBytes: f.maxBytes });
      if (f.json) return printJson(r);
      process.stdout.write(r.encoding === "base64" ? Buffer.from(r.content, "base64") : r.content);
      if (!f.contentOnly)
        phaseLine("workspace-disk-read", { path: r.path, size: r.size, truncated: r.truncated });
    }),
  );
  disk.addCommand(
    withJson(
      new Command("export")
        .description("copy the raw ext4 image (sparse) to a new host path")
        .argument("<workspace>")
        .requiredOption("--output <host-path>", "where to write the image (must not exist)"),
    ).action(async (workspace: string, f) => {
      const r = await ctx.pyro().exportWorkspaceDisk({ workspaceId: workspace, outputPath: f.output });
      if (f.json) return printJson(r);
      phaseLine("workspace-disk-export", {
        workspace_id: r.workspaceId,
        output_path: r.outputPath,
        disk_format: r.diskFormat,
        bytes_written: r.bytesWritten,
      });
    }),
  );
  return disk;
}
