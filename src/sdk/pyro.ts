/**
 * `Pyro`: the SDK facade. Every public face (CLI, MCP) goes through these methods; each one
 * validates its input with the operation's zod schema (loaded on first use, validate.ts; exec
 * has a zod-free fast path, exec-input.ts), makes one call into src/core, which answers with
 * the contract's snake_case record, and returns it through the one mapper, `toCamel`.
 */
import type { Readable } from "node:stream";
import { execWorkspace } from "../core/workspaces/workspace-exec.js";
import { files, lifecycle, offlineDisk, services, shells, snapshots, summary } from "./core-modules.js";
import { quickExecInput } from "./exec-input.js";
import type { PyroOptions, RunHooks } from "./options.js";
import { camel, PyroMachines } from "./pyro-machines.js";
import type * as S from "./schemas.js";
import { validateAs } from "./validate.js";

export type { PyroOptions, RunHooks };

/**
 * The SDK: everything {@link PyroMachines} has (doctor, environments, templates, run, VMs) plus
 * workspaces, their files, snapshots, shells, services and offline disk tools.
 */
export class Pyro extends PyroMachines {
  // ---- Workspaces (docs/workspaces.md). `workspaceId` accepts an id or a unique name. ----

  /**
   * Creates and boots a workspace: its own rootfs (sparse copy), the seed imported into
   * /workspace (validated first), and an immutable baseline captured before this returns.
   * Aborting `hooks.signal` kills the VM and removes everything created so far. The VM is
   * restored from a VM template when one is usable (`cold: true` boots it); `hooks.onPhase`
   * hears `template` events and `start` (`boot: restored|cold`, and why).
   * `name` must be free: names are unique, so a name selects one workspace.
   * @throws PyroError invalid_argument, environment_not_installed, name_taken (nothing written),
   *   path_outside_workspace, boot_failed, network_unavailable, interrupted
   */
  async createWorkspace(
    input: S.CreateWorkspaceInput,
    hooks: Pick<RunHooks, "signal" | "onPhase"> = {},
  ): Promise<S.Workspace> {
    return camel(
      (await lifecycle()).createWorkspace(
        this.ws,
        await validateAs("CreateWorkspaceInputSchema", input),
        hooks.signal,
        hooks.onPhase,
      ),
    );
  }

  /** Every workspace (expired ones are reaped first). */
  async listWorkspaces(): Promise<S.WorkspaceList> {
    return camel((await lifecycle()).listWorkspaces(this.ws));
  }

  /** Renames (to a free name) and (re)labels. @throws PyroError workspace_not_found, invalid_argument, name_taken */
  async updateWorkspace(input: S.UpdateWorkspaceInput): Promise<S.Workspace> {
    const args = await validateAs("UpdateWorkspaceInputSchema", input);
    return camel((await lifecycle()).updateWorkspace(this.ws, args));
  }

  /** State, resources, seed, counts. Never throws for a damaged workspace (state `failed`). */
  async statusWorkspace(workspaceId: string): Promise<S.Workspace> {
    return camel((await lifecycle()).statusWorkspace(this.ws, await validateAs("WorkspaceRef", workspaceId)));
  }

  /** Command history: sequence, command, exit code, duration, output (64 KiB per stream kept). */
  async logsWorkspace(workspaceId: string): Promise<S.WorkspaceLogs> {
    return camel((await lifecycle()).logsWorkspace(this.ws, await validateAs("WorkspaceRef", workspaceId)));
  }

  /** Changes since the baseline (no patch), the last 10 commands, services, shells, snapshots. */
  async summarizeWorkspace(workspaceId: string): Promise<S.WorkspaceSummary> {
    const ref = await validateAs("WorkspaceRef", workspaceId);
    return camel((await summary()).summarizeWorkspace(this.ws, ref));
  }

  /** Destroys the VM and all state. @throws PyroError workspace_not_found */
  async deleteWorkspace(workspaceId: string): Promise<S.WorkspaceDelete> {
    return camel((await lifecycle()).deleteWorkspace(this.ws, await validateAs("WorkspaceRef", workspaceId)));
  }

  /**
   * Runs a command with cwd /workspace; output streams through `hooks`.
   * @throws PyroError workspace_not_running, timeout (the process group was killed)
   */
  async execWorkspace(
    input: S.ExecWorkspaceInput,
    hooks: Omit<RunHooks, "onPhase"> = {},
  ): Promise<S.WorkspaceExecResult> {
    const args = quickExecInput(input) ?? (await validateAs("ExecWorkspaceInputSchema", input));
    return camel(execWorkspace(this.ws, { ...args, ...hooks }));
  }

  /** Copies a host dir or archive into /workspace (`dest`). Not atomic. @throws PyroError path_outside_workspace */
  async pushWorkspaceSync(input: S.PushWorkspaceSyncInput): Promise<S.SyncResult> {
    const args = await validateAs("PushWorkspaceSyncInputSchema", input);
    return camel((await files()).pushWorkspaceSync(this.ws, args));
  }

  /** Copies a file or directory of /workspace to a new host path. @throws PyroError invalid_argument if it exists */
  async exportWorkspace(input: S.ExportWorkspaceInput): Promise<S.ExportResult> {
    const args = await validateAs("ExportWorkspaceInputSchema", input);
    return camel((await files()).exportWorkspace(this.ws, args));
  }

  /** /workspace against the create-time baseline: unified patch for text, entries for the rest. */
  async diffWorkspace(workspaceId: string): Promise<S.WorkspaceDiffResult> {
    return camel((await files()).diffWorkspace(this.ws, await validateAs("WorkspaceRef", workspaceId)));
  }

  /** Lists a directory (or one file) of /workspace. */
  async listWorkspaceFiles(input: S.ListWorkspaceFilesInput): Promise<S.FileList> {
    const args = await validateAs("ListWorkspaceFilesInputSchema", input);
    return camel((await files()).listWorkspaceFiles(this.ws, args));
  }

  /** Reads a regular file (at most `maxBytes`, default 65536); binary content comes base64. */
  async readWorkspaceFile(input: S.ReadWorkspaceFileInput): Promise<S.FileRead> {
    const args = await validateAs("ReadWorkspaceFileInputSchema", input);
    return camel((await files()).readWorkspaceFile(this.ws, args));
  }

  /** Writes a text file atomically (at most 1 MiB), creating parent directories. */
  async writeWorkspaceFile(input: S.WriteWorkspaceFileInput): Promise<S.FileWrite> {
    const args = await validateAs("WriteWorkspaceFileInputSchema", input);
    return camel((await files()).writeWorkspaceFile(this.ws, args));
  }

  /** Applies a unified diff; every hunk is checked before anything is written. @throws PyroError patch_failed */
  async applyWorkspacePatch(input: S.ApplyWorkspacePatchInput): Promise<S.PatchResult> {
    const args = await validateAs("ApplyWorkspacePatchInputSchema", input);
    return camel((await files()).applyWorkspacePatch(this.ws, args));
  }

  /**
   * Saves /workspace as a named snapshot (`baseline` is reserved).
   * @throws PyroError invalid_argument (name taken), workspace_not_running
   */
  async createSnapshot(input: S.SnapshotInput): Promise<S.Snapshot> {
    return camel((await snapshots()).createSnapshot(this.ws, await validateAs("SnapshotInputSchema", input)));
  }

  /** Snapshots of a workspace, the implicit `baseline` first. */
  async listSnapshots(workspaceId: string): Promise<S.SnapshotList> {
    return camel((await snapshots()).listSnapshots(this.ws, await validateAs("WorkspaceRef", workspaceId)));
  }

  /** Deletes a named snapshot. @throws PyroError snapshot_protected (baseline), snapshot_not_found */
  async deleteSnapshot(input: S.SnapshotInput): Promise<S.SnapshotDelete> {
    return camel((await snapshots()).deleteSnapshot(this.ws, await validateAs("SnapshotInputSchema", input)));
  }

  /**
   * A fresh VM with /workspace restored from `snapshot` (default `baseline`): identity,
   * baseline and snapshots kept; command history, shells and services cleared.
   * @throws PyroError snapshot_not_found, boot_failed
   */
  async resetWorkspace(input: S.ResetWorkspaceInput): Promise<S.Workspace> {
    const args = await validateAs("ResetWorkspaceInputSchema", input);
    return camel((await snapshots()).resetWorkspace(this.ws, args));
  }

  // ---- Shells: persistent PTYs in a workspace ----

  /** Opens a PTY shell (bash) in /workspace (or `cwd` inside it). @throws PyroError workspace_not_running */
  async openShell(input: S.OpenShellInput): Promise<S.Shell> {
    return camel((await shells()).openShell(this.ws, await validateAs("OpenShellInputSchema", input)));
  }

  /**
   * Reads shell output from `cursor` (bytes); `plain` renders it through a terminal emulator,
   * `waitForIdleMs` waits for the shell to go quiet first. @throws PyroError shell_not_found
   */
  async readShell(input: S.ReadShellInput): Promise<S.ShellRead> {
    return camel((await shells()).readShell(this.ws, await validateAs("ReadShellInputSchema", input)));
  }

  /** Types `input` (plus Enter unless `newline: false`). @throws PyroError shell_not_running */
  async writeShell(input: S.WriteShellInput): Promise<S.ShellWrite> {
    return camel((await shells()).writeShell(this.ws, await validateAs("WriteShellInputSchema", input)));
  }

  /** Signals the shell's foreground process group (default INT, like Ctrl-C). */
  async signalShell(input: S.SignalShellInput): Promise<S.ShellSignal> {
    return camel((await shells()).signalShell(this.ws, await validateAs("SignalShellInputSchema", input)));
  }

  /**
   * Attaches to a shell live: `io.input` is typed into the PTY, output arrives through
   * `io.onOutput` from now on, until the shell exits or `io.signal` aborts (detach).
   */
  async attachShell(
    input: S.ShellRefInput,
    io: { input: Readable; onOutput: (chunk: Buffer) => void; signal?: AbortSignal },
  ): Promise<S.Shell> {
    return camel((await shells()).attachShell(this.ws, await validateAs("ShellRefInputSchema", input), io));
  }

  /** Resizes a shell's terminal (columns and rows). */
  async resizeShell(input: S.ResizeShellInput): Promise<S.Shell> {
    return camel((await shells()).resizeShell(this.ws, await validateAs("ResizeShellInputSchema", input)));
  }

  /** Ends the shell and everything it started. */
  async closeShell(input: S.ShellRefInput): Promise<S.Shell> {
    return camel((await shells()).closeShell(this.ws, await validateAs("ShellRefInputSchema", input)));
  }

  /** The workspace's shells. */
  async listShells(workspaceId: string): Promise<S.ShellList> {
    return camel((await shells()).listShells(this.ws, await validateAs("WorkspaceRef", workspaceId)));
  }

  // ---- Services: long-running processes with readiness probes ----

  /**
   * Starts a service and waits for its readiness probe (file, tcp, http or command). Not ready
   * in time, or exited first: returned with `state: "failed"` and `stopReason`.
   * @throws PyroError service_exists (a running service has that name), invalid_argument
   */
  async startService(input: S.StartServiceInput): Promise<S.Service> {
    const args = await validateAs("StartServiceInputSchema", input);
    return camel((await services()).startService(this.ws, args));
  }

  /** Services of a workspace with counts. */
  async listServices(workspaceId: string): Promise<S.ServiceList> {
    return camel((await services()).listServices(this.ws, await validateAs("WorkspaceRef", workspaceId)));
  }

  /** One service's record. @throws PyroError service_not_found */
  async statusService(input: S.ServiceRefInput): Promise<S.Service> {
    return camel((await services()).statusService(this.ws, await validateAs("ServiceRefInputSchema", input)));
  }

  /** Tail (default 100 lines) or all kept stdout/stderr of a service; kept outside /workspace. */
  async logsService(input: S.LogsServiceInput): Promise<S.ServiceLogs> {
    return camel((await services()).logsService(this.ws, await validateAs("LogsServiceInputSchema", input)));
  }

  /** Stops a service: TERM to its process group, KILL after 5 s. */
  async stopService(input: S.ServiceRefInput): Promise<S.Service> {
    return camel((await services()).stopService(this.ws, await validateAs("ServiceRefInputSchema", input)));
  }

  // ---- Stopped workspaces and offline disk tools ----

  /**
   * Stops a workspace: services and shells end, the guest flushes and remounts read-only,
   * the VM powers off. /workspace, snapshots and history are kept. A paused workspace drops
   * its saved machine (`changed: true`). Stopping a stopped workspace is a no-op
   * (`changed: false`).
   */
  async stopWorkspace(workspaceId: string): Promise<S.StopStartResult> {
    return camel((await lifecycle()).stopWorkspace(this.ws, await validateAs("WorkspaceRef", workspaceId)));
  }

  /** Boots a stopped workspace from its own disk (stale sockets removed first). @throws PyroError boot_failed */
  async startWorkspace(workspaceId: string): Promise<S.StopStartResult> {
    return camel((await lifecycle()).startWorkspace(this.ws, await validateAs("WorkspaceRef", workspaceId)));
  }

  /**
   * Pauses a running workspace: RAM, devices and processes saved in its state directory, the
   * VM ended, published ports closed; state `paused`. A save that fails leaves it running.
   * @throws PyroError workspace_not_running, save_failed
   */
  async pauseWorkspace(workspaceId: string): Promise<S.StopStartResult> {
    return camel((await lifecycle()).pauseWorkspace(this.ws, await validateAs("WorkspaceRef", workspaceId)));
  }

  /**
   * Resumes a paused workspace: processes carry on, the guest clock is set from the host's,
   * published ports reopen. @throws PyroError workspace_not_paused (stopped, failed or creating), boot_failed
   *   (its saved state is kept), state_corrupt (its saved machine is gone), too_many_vms
   */
  async resumeWorkspace(workspaceId: string): Promise<S.StopStartResult> {
    return camel((await lifecycle()).resumeWorkspace(this.ws, await validateAs("WorkspaceRef", workspaceId)));
  }

  /**
   * Forks a running (or paused) workspace into `count` (1-8, default 1) new running workspaces
   * named `name` (or `name-1` ... `name-K`): each with its own disk copy, memory restored from
   * a snapshot of the parent taken at one instant, identity (host name, machine id, reseeded
   * RNG), NIC and published ports (new host ports), and the parent's processes, shells,
   * services, secrets, diff baseline, snapshots and history; `forkedFrom` names the parent,
   * which runs on. The forks' RAM is one image mapped copy-on-write, so they share its pages
   * until they write them. `hooks.onPhase` hears `checkpoint` (the parent saved), `memory`
   * (`shared`, `image_mib`, `split_ms`, a `reason` when not shared) and `fork` (each fork
   * started); aborting `hooks.signal` removes every fork (`interrupted`).
   * Every fork name must be free (`name_taken` otherwise, before anything is made).
   * @throws PyroError invalid_argument, workspace_not_found, name_taken, workspace_not_running,
   *   save_failed, boot_failed, network_unavailable, interrupted; no fork is kept after any of them
   */
  async forkWorkspace(
    input: S.ForkWorkspaceInput,
    hooks: {
      onPhase?: (
        phase: "checkpoint" | "memory" | "fork",
        fields: Record<string, string | number | boolean>,
      ) => void;
      signal?: AbortSignal;
    } = {},
  ): Promise<S.WorkspaceFork> {
    const args = await validateAs("ForkWorkspaceInputSchema", input);
    return camel((await lifecycle()).forkWorkspace(this.ws, args, hooks.onPhase, hooks.signal));
  }

  /**
   * Lists /workspace on the raw disk of a stopped workspace (debugfs, read-only, no boot).
   * @throws PyroError workspace_not_stopped, path_outside_workspace, file_not_found
   */
  async listWorkspaceDisk(input: S.DiskListInput): Promise<S.DiskList> {
    const args = await validateAs("DiskListInputSchema", input);
    return camel((await offlineDisk()).listWorkspaceDisk(this.ws, args));
  }

  /** Reads a regular file from the disk of a stopped workspace. @throws PyroError workspace_not_stopped */
  async readWorkspaceDisk(input: S.DiskReadInput): Promise<S.FileRead> {
    const args = await validateAs("DiskReadInputSchema", input);
    return camel((await offlineDisk()).readWorkspaceDisk(this.ws, args));
  }

  /** Copies the raw ext4 image of a stopped workspace (sparse) to a new host path. */
  async exportWorkspaceDisk(input: S.DiskExportInput): Promise<S.DiskExport> {
    const args = await validateAs("DiskExportInputSchema", input);
    return camel((await offlineDisk()).exportWorkspaceDisk(this.ws, args));
  }
}
