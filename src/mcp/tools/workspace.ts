/** MCP `workspace_*` tools: persistent microVMs with /workspace, mirroring the SDK methods. */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import * as records from "../../contract/records/index.js";
import { type Pyro, schemas } from "../../sdk/index.js";
import { HostPathPolicy } from "../host-paths.js";
import { defineTool, HINTS, type McpProfile, registerToolTable, type ToolSpec } from "../tool.js";

const WORKSPACE: readonly McpProfile[] = ["workspace-core", "workspace-full"];
/** Snapshots, shells, services, stop/start and disk tools: the full profile only. */
const FULL: readonly McpProfile[] = ["workspace-full"];

/** Input of the tools that take only a workspace. */
const RefInput = z.object({ workspaceId: schemas.WorkspaceRef }).strict();
const NoInput = z.object({}).strict();

const READ = HINTS.read;
const WRITE = HINTS.write;
const DESTROY = HINTS.destroy;

/** Command output, shown as text blocks after the record's other fields. */
const OUTPUT = ["stdout", "stderr"] as const;

/** The `workspace_*` tool table, bound to `pyro`. */
export function workspaceTools(pyro: Pyro, hostPaths: HostPathPolicy = new HostPathPolicy()): ToolSpec[] {
  return [
    defineTool({
      name: "workspace_create",
      title: "Create a workspace",
      description:
        "Create and boot a persistent Linux microVM with a /workspace directory, optionally seeded from a host " +
        "directory or tar archive, a git project's files (project_path) or a git clone (repo_url, repo_ref). Use it for multi-step work (edit, build, test); keep the returned workspace_id.",
      profiles: WORKSPACE,
      input: schemas.CreateWorkspaceInputSchema,
      output: records.WorkspaceSchema,
      annotations: { ...WRITE, openWorldHint: true },
      call: (input, signal) =>
        pyro.createWorkspace(
          {
            ...input,
            ...(input.seedPath ? { seedPath: hostPaths.check("seed_path", input.seedPath) } : {}),
            ...(input.projectPath
              ? { projectPath: hostPaths.checkProjectPath("project_path", input.projectPath) }
              : {}),
            ...(input.repoUrl ? { repoUrl: hostPaths.checkRepoUrl("repo_url", input.repoUrl) } : {}),
            // A secret file is a host read on the model's behalf: confined like any other host path.
            secrets: (input.secrets ?? []).map((s) =>
              "filePath" in s ? { ...s, filePath: hostPaths.check("secrets.file_path", s.filePath) } : s,
            ),
          },
          { signal },
        ),
    }),
    defineTool({
      name: "workspace_list",
      title: "List workspaces",
      description: "List all workspaces with name, labels, state, last activity and expiry.",
      profiles: WORKSPACE,
      input: NoInput,
      output: records.WorkspaceListSchema,
      annotations: READ,
      call: () => pyro.listWorkspaces(),
    }),
    defineTool({
      name: "workspace_update",
      title: "Rename or relabel a workspace",
      description: "Set a workspace's name, add labels, or clear labels.",
      profiles: WORKSPACE,
      input: schemas.UpdateWorkspaceInputSchema,
      output: records.WorkspaceSchema,
      annotations: { ...WRITE, idempotentHint: true },
      call: (input) => pyro.updateWorkspace(input),
    }),
    defineTool({
      name: "workspace_status",
      title: "Workspace status",
      description: "Show a workspace's state, resources, seed, secrets and command count.",
      profiles: WORKSPACE,
      input: RefInput,
      output: records.WorkspaceSchema,
      annotations: READ,
      call: (input) => pyro.statusWorkspace(input.workspaceId),
    }),
    defineTool({
      name: "workspace_logs",
      title: "Workspace command history",
      description: "List the commands run in a workspace with exit codes, durations and (bounded) output.",
      profiles: WORKSPACE,
      input: RefInput,
      output: records.WorkspaceLogsSchema,
      annotations: READ,
      call: (input) => pyro.logsWorkspace(input.workspaceId),
    }),
    defineTool({
      name: "workspace_summary",
      title: "Summarize a workspace",
      description:
        "In one call, what a reviewer needs: files changed since the create-time baseline (paths, status, counts; " +
        "workspace_diff has the patch), the last 10 commands with exit codes, services, shells and snapshots.",
      profiles: WORKSPACE,
      input: RefInput,
      output: records.WorkspaceSummarySchema,
      annotations: READ,
      call: (input) => pyro.summarizeWorkspace(input.workspaceId),
    }),
    defineTool({
      name: "workspace_delete",
      title: "Delete a workspace",
      description: "Destroy a workspace's microVM and all its state. Export anything you need first.",
      profiles: WORKSPACE,
      input: RefInput,
      output: records.WorkspaceDeleteSchema,
      annotations: DESTROY,
      call: (input) => pyro.deleteWorkspace(input.workspaceId),
    }),
    defineTool({
      name: "workspace_exec",
      title: "Run a command in a workspace",
      description:
        "Run one command with cwd /workspace and return exit_code, stdout and stderr. command: a string runs " +
        "as `sh -lc STRING` (pipes, &&, globs), an argv array runs as given. State persists between calls.",
      profiles: WORKSPACE,
      input: schemas.ExecWorkspaceInputSchema,
      output: records.WorkspaceExecResultSchema,
      streams: OUTPUT,
      annotations: WRITE,
      call: (input, signal) => pyro.execWorkspace(input, { signal }),
    }),
    defineTool({
      name: "workspace_sync_push",
      title: "Copy host files into a workspace",
      description: "Copy a host directory or .tar/.tar.gz/.tgz into /workspace (or a dest inside it).",
      profiles: WORKSPACE,
      input: schemas.PushWorkspaceSyncInputSchema,
      output: records.SyncResultSchema,
      annotations: WRITE,
      call: (input) =>
        pyro.pushWorkspaceSync({ ...input, sourcePath: hostPaths.check("source_path", input.sourcePath) }),
    }),
    defineTool({
      name: "workspace_export",
      title: "Export from a workspace",
      description: "Copy a file or directory of /workspace to a new path on the host.",
      profiles: WORKSPACE,
      input: schemas.ExportWorkspaceInputSchema,
      output: records.ExportResultSchema,
      annotations: { ...WRITE, openWorldHint: true },
      call: (input) =>
        pyro.exportWorkspace({ ...input, outputPath: hostPaths.check("output_path", input.outputPath) }),
    }),
    defineTool({
      name: "workspace_diff",
      title: "Diff a workspace",
      description:
        "Compare /workspace to the immutable create-time baseline: a unified patch for text files and " +
        "summary entries for binary, type and mode changes.",
      profiles: WORKSPACE,
      input: RefInput,
      output: records.WorkspaceDiffSchema,
      streams: ["patch"],
      annotations: READ,
      call: (input) => pyro.diffWorkspace(input.workspaceId),
    }),
    defineTool({
      name: "workspace_file_list",
      title: "List workspace files",
      description: "List a directory of /workspace (recursively if asked): path, type, size, mode, mtime.",
      profiles: WORKSPACE,
      input: schemas.ListWorkspaceFilesInputSchema,
      output: records.FileListSchema,
      annotations: READ,
      call: (input) => pyro.listWorkspaceFiles(input),
    }),
    defineTool({
      name: "workspace_file_read",
      title: "Read a workspace file",
      description: "Read a regular file of /workspace (first max_bytes bytes; binary content comes base64).",
      profiles: WORKSPACE,
      input: schemas.ReadWorkspaceFileInputSchema,
      output: records.FileReadSchema,
      streams: ["content"],
      annotations: READ,
      call: (input) => pyro.readWorkspaceFile(input),
    }),
    defineTool({
      name: "workspace_file_write",
      title: "Write a workspace file",
      description: "Write a whole text file in /workspace (at most 1 MiB), creating parent directories.",
      profiles: WORKSPACE,
      input: schemas.WriteWorkspaceFileInputSchema,
      output: records.FileWriteSchema,
      annotations: { ...WRITE, idempotentHint: true },
      call: (input) => pyro.writeWorkspaceFile(input),
    }),
    defineTool({
      name: "workspace_patch_apply",
      title: "Apply a patch",
      description:
        "Apply a unified diff to /workspace. Every hunk is checked first; if any does not apply, nothing changes.",
      profiles: WORKSPACE,
      input: schemas.ApplyWorkspacePatchInputSchema,
      output: records.PatchResultSchema,
      annotations: WRITE,
      call: (input) => pyro.applyWorkspacePatch(input),
    }),
    defineTool({
      name: "snapshot_create",
      title: "Snapshot a workspace",
      description: "Save the current /workspace tree as a named snapshot you can reset to later.",
      profiles: FULL,
      input: schemas.SnapshotInputSchema,
      output: records.SnapshotSchema,
      annotations: WRITE,
      call: (input) => pyro.createSnapshot(input),
    }),
    defineTool({
      name: "snapshot_list",
      title: "List snapshots",
      description: "List a workspace's snapshots, including the implicit create-time `baseline`.",
      profiles: FULL,
      input: RefInput,
      output: records.SnapshotListSchema,
      annotations: READ,
      call: (input) => pyro.listSnapshots(input.workspaceId),
    }),
    defineTool({
      name: "snapshot_delete",
      title: "Delete a snapshot",
      description: "Delete a named snapshot (the baseline cannot be deleted).",
      profiles: FULL,
      input: schemas.SnapshotInputSchema,
      output: records.SnapshotDeleteSchema,
      annotations: DESTROY,
      call: (input) => pyro.deleteSnapshot(input),
    }),
    defineTool({
      name: "workspace_reset",
      title: "Reset a workspace",
      description:
        "Replace the workspace's VM with a fresh one and restore /workspace from a snapshot (default baseline). " +
        "Prefer this over repairing a broken environment; command history, shells and services are cleared.",
      profiles: WORKSPACE,
      input: schemas.ResetWorkspaceInputSchema,
      output: records.WorkspaceSchema,
      annotations: DESTROY,
      call: (input) => pyro.resetWorkspace(input),
    }),
    defineTool({
      name: "workspace_stop",
      title: "Stop a workspace",
      description:
        "Stop a workspace's VM after flushing its disk; /workspace, snapshots and history are kept. Needed " +
        "before the workspace_disk_* tools. Stopping a stopped workspace changes nothing.",
      profiles: FULL,
      input: RefInput,
      output: records.StopStartResultSchema,
      annotations: { ...WRITE, idempotentHint: true },
      call: (input) => pyro.stopWorkspace(input.workspaceId),
    }),
    defineTool({
      name: "workspace_start",
      title: "Start a workspace",
      description: "Boot a stopped workspace again from its own disk, /workspace untouched.",
      profiles: FULL,
      input: RefInput,
      output: records.StopStartResultSchema,
      annotations: { ...WRITE, idempotentHint: true },
      call: (input) => pyro.startWorkspace(input.workspaceId),
    }),
    defineTool({
      name: "workspace_pause",
      title: "Pause a workspace",
      description:
        "Save a running workspace's memory and processes to disk and end its VM (published ports close). " +
        "workspace_resume, or the next exec, shell or service call, carries on where it stopped.",
      profiles: FULL,
      input: RefInput,
      output: records.StopStartResultSchema,
      annotations: { ...WRITE, idempotentHint: true },
      call: (input) => pyro.pauseWorkspace(input.workspaceId),
    }),
    defineTool({
      name: "workspace_resume",
      title: "Resume a workspace",
      description:
        "Resume a paused workspace: processes, shells and services carry on, the guest clock is set again, published ports reopen.",
      profiles: FULL,
      input: RefInput,
      output: records.StopStartResultSchema,
      annotations: { ...WRITE, idempotentHint: true },
      call: (input) => pyro.resumeWorkspace(input.workspaceId),
    }),
    defineTool({
      name: "workspace_fork",
      title: "Fork a workspace",
      description:
        "Copy a running (or paused) workspace into count (1-8) new running workspaces, e.g. to try several " +
        "approaches from one state: each has its own disk, memory, host name, random seed, network address and " +
        "published ports, and carries over the parent's processes, shells, services, files and diff baseline. " +
        "The parent keeps running. Returns the forks (forked_from names the parent).",
      profiles: FULL,
      input: schemas.ForkWorkspaceInputSchema,
      output: records.WorkspaceForkSchema,
      annotations: WRITE,
      call: (input, signal) => pyro.forkWorkspace(input, { signal }),
    }),
    defineTool({
      name: "workspace_disk_list",
      title: "List a stopped workspace's disk",
      description: "List /workspace on the raw disk image of a stopped workspace, without booting it.",
      profiles: FULL,
      input: schemas.DiskListInputSchema,
      output: records.DiskListSchema,
      annotations: READ,
      call: (input) => pyro.listWorkspaceDisk(input),
    }),
    defineTool({
      name: "workspace_disk_read",
      title: "Read a file from a stopped workspace's disk",
      description: "Read a regular file from the raw disk image of a stopped workspace, without booting it.",
      profiles: FULL,
      input: schemas.DiskReadInputSchema,
      output: records.FileReadSchema,
      streams: ["content"],
      annotations: READ,
      call: (input) => pyro.readWorkspaceDisk(input),
    }),
    defineTool({
      name: "workspace_disk_export",
      title: "Export a stopped workspace's disk",
      description: "Copy the raw ext4 image of a stopped workspace to a new host path.",
      profiles: FULL,
      input: schemas.DiskExportInputSchema,
      output: records.DiskExportSchema,
      annotations: { ...WRITE, openWorldHint: true },
      call: (input) =>
        pyro.exportWorkspaceDisk({ ...input, outputPath: hostPaths.check("output_path", input.outputPath) }),
    }),
  ];
}

/** Registers the workspace tools the profile exposes. */
export function registerWorkspaceTools(
  server: McpServer,
  pyro: Pyro,
  profile: McpProfile,
  hostPaths: HostPathPolicy,
): void {
  registerToolTable(server, profile, workspaceTools(pyro, hostPaths));
}
