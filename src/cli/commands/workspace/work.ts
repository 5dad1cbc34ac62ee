/** `pyro workspace exec|sync push|export|diff|patch apply`. */
import { Command } from "commander";
import { DEFAULT_TIMEOUT_SECONDS, PyroError } from "../../../sdk/index.js";
import { type CliContext, intOption, readFlagFile, requireGuestCommand } from "../../context.js";
import { phaseLine, printJson, withJson } from "../../output.js";
import { collect } from "./options.js";

export function execCommand(ctx: CliContext): Command {
  return withJson(
    new Command("exec")
      .description("run a command in /workspace; its exit code becomes pyro's")
      .argument("<workspace>")
      .usage("WORKSPACE [options] -- CMD...")
      .option(
        "--timeout-seconds <n>",
        "time limit in seconds",
        intOption("--timeout-seconds"),
        DEFAULT_TIMEOUT_SECONDS,
      )
      .option(
        "--secret-env <name[=env_var]>",
        "expose a workspace secret as an environment variable (repeatable)",
        collect,
      ),
  ).action(async (workspace: string, f) => {
    const command = requireGuestCommand(ctx, "pyro workspace exec WS -- make test");
    const r = await ctx.pyro().execWorkspace(
      { workspaceId: workspace, command, timeoutSeconds: f.timeoutSeconds, secretEnv: f.secretEnv ?? [] },
      f.json
        ? { signal: ctx.signal }
        : {
            signal: ctx.signal,
            onStdout: (c) => process.stdout.write(c),
            onStderr: (c) => process.stderr.write(c),
          },
    );
    if (f.json) printJson(r);
    else {
      phaseLine("workspace-exec", {
        workspace_id: r.workspaceId,
        sequence: r.sequence,
        cwd: r.cwd,
        execution_mode: r.executionMode,
        exit_code: r.exitCode,
        duration_ms: r.durationMs,
      });
    }
    ctx.exitCode = r.exitCode;
  });
}

export function syncCommand(ctx: CliContext): Command {
  const sync = new Command("sync").description("copy host files into a workspace");
  sync.addCommand(
    withJson(
      new Command("push")
        .description("copy a host directory or .tar/.tar.gz/.tgz into /workspace (not atomic)")
        .argument("<workspace>")
        .argument("<source>")
        .option("--dest <path>", "destination inside /workspace", "/workspace"),
    ).action(async (workspace: string, source: string, f) => {
      const r = await ctx
        .pyro()
        .pushWorkspaceSync({ workspaceId: workspace, sourcePath: source, dest: f.dest });
      if (f.json) printJson(r);
      else {
        phaseLine("workspace-sync", {
          workspace_id: r.workspaceId,
          source_kind: r.sourceKind,
          destination: r.destination,
          entries: r.entries,
          bytes: r.bytes,
        });
      }
    }),
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
  ).action(async (workspace: string, path: string, f) => {
    const r = await ctx.pyro().exportWorkspace({ workspaceId: workspace, path, outputPath: f.output });
    if (f.json) printJson(r);
    else {
      phaseLine("workspace-export", {
        workspace_id: r.workspaceId,
        guest_path: r.guestPath,
        output_path: r.outputPath,
        kind: r.kind,
        entries: r.entries,
      });
    }
  });
}

export function diffCommand(ctx: CliContext): Command {
  return withJson(
    new Command("diff")
      .description("changes in /workspace since create (unified patch for text)")
      .argument("<workspace>"),
  ).action(async (workspace: string, f) => {
    const r = await ctx.pyro().diffWorkspace(workspace);
    if (f.json) return printJson(r);
    process.stdout.write(r.patch);
    // The patch shows text content changes; everything else gets a line of its own.
    const inPatch = (x: { kind: string; status: string }) =>
      x.kind === "text" && (x.status === "added" || x.status === "deleted" || x.status === "modified");
    for (const e of r.entries.filter((x) => !inPatch(x))) {
      const modes = e.oldMode !== e.newMode ? ` mode ${e.oldMode ?? "-"} -> ${e.newMode ?? "-"}` : "";
      process.stdout.write(`${e.status} ${e.kind} ${e.path}${modes}\n`);
    }
    const s = r.summary;
    phaseLine("workspace-diff", {
      workspace_id: r.workspaceId,
      changed: r.changed,
      added: s.added,
      modified: s.modified,
      deleted: s.deleted,
      type_changed: s.typeChanged,
      mode_changed: s.modeChanged,
      binary: s.binary,
    });
  });
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
    ).action(async (workspace: string, f) => {
      if (Boolean(f.patch) === Boolean(f.patchFile)) {
        throw new PyroError("usage", "give exactly one of --patch TEXT or --patch-file FILE");
      }
      const text = f.patch ?? (await readFlagFile("--patch-file", f.patchFile));
      const r = await ctx.pyro().applyWorkspacePatch({ workspaceId: workspace, patch: text });
      if (f.json) return printJson(r);
      for (const file of r.files) process.stdout.write(`${file.status} ${file.path}\n`);
      phaseLine("workspace-patch", {
        workspace_id: r.workspaceId,
        applied: r.applied,
        files: r.files.length,
      });
    }),
  );
  return patch;
}
