/**
 * `Pyro`: the SDK facade. Every public face (CLI, MCP) goes through these methods; each one
 * validates its input with the operation's zod schema (loaded on first use, validate.ts) and
 * delegates to src/core.
 */
import type { Readable } from "node:stream";
import { type PyroConfig, resolveConfig } from "../core/config.js";
import type { DoctorReport } from "../core/doctor.js";
import { CATALOG_VERSION } from "../core/environments/catalog.js";
import { resolveEnvironment } from "../core/environments/local.js";
import type { PullProgressListener } from "../core/environments/progress.js";
import { environmentStatus, listEnvironments, pruneEnvironmentCache } from "../core/environments/registry.js";
import { VmManager } from "../core/vm-manager.js";
import { WorkspaceManager } from "../core/workspaces/manager.js";
import { configOverrides, type PyroOptions, type RunHooks } from "./options.js";
import { environmentRecord, vmRecord } from "./records.js";
import type {
  BuildEnvironmentInput,
  BuildResult,
  Environment,
  EnvironmentList,
  PruneResult,
  PullResult,
  PushEnvironmentInput,
  PushResult,
} from "./schemas/environment.js";
import type { RunInput, RunResult } from "./schemas/run.js";
import type * as R from "./schemas/runtime.js";
import type { CreateVmInput, ExecVmInput, Vm, VmExecResult, VmNetworkInfo } from "./schemas/vm.js";
import type * as W from "./schemas/workspace.js";
import { validateAs } from "./validate.js";
import * as ops from "./workspace-ops.js";

// Loaded when first called, with the modules only they use (exec, file and status calls never
// do): shells and services, stop/start and disk tools; below, run, doctor and environment pull.
const rt = () => import("./runtime-ops.js");
const diskOps = () => import("./disk-ops.js");
const vmOps = () => import("./vm-ops.js");

export type { PyroOptions, RunHooks };

export class Pyro {
  readonly config: PyroConfig;
  private readonly vms: VmManager;
  private readonly ws: WorkspaceManager;

  /** @throws PyroError invalid_argument for a malformed PYRO_* variable, `vmm` or `maxActiveVms`. */
  constructor(options: PyroOptions = {}) {
    this.config = resolveConfig(configOverrides(options));
    this.vms = new VmManager(this.config);
    this.ws = new WorkspaceManager(this.config);
  }

  /** Host diagnosis: KVM (and whether a guest really boots with it), VMMs, acceleration, capabilities. */
  async doctor(): Promise<DoctorReport> {
    return (await import("../core/doctor.js")).diagnose(this.config);
  }

  /** The catalog with install status (quick check; no hashing). */
  async listEnvironments(): Promise<EnvironmentList> {
    const all = await listEnvironments(this.config.cacheDir);
    return { catalogVersion: CATALOG_VERSION, environments: all.map(environmentRecord) };
  }

  /**
   * Installs an environment (kernel + rootfs), building it locally from Debian packages when
   * no prebuilt artifact is reachable. Verified installs are a fast no-op; broken ones are repaired.
   * A registry reference (`REGISTRY/REPOSITORY:TAG` or `@sha256:...`) installs a pushed pyro
   * environment or an ordinary container image as local environment `name`: downloads resume,
   * every digest is verified before anything is installed.
   * @throws PyroError environment_not_found, environment_build_failed, host_dependency_missing,
   *   registry_unreachable, registry_auth_failed, registry_error, digest_mismatch
   */
  async pullEnvironment(
    name: string,
    options: { onProgress?: PullProgressListener; signal?: AbortSignal } = {},
  ): Promise<PullResult> {
    return (await import("./environment-pull.js")).pullEnvironment(this.config, name, options);
  }

  /**
   * Builds a local environment from a catalog one plus Debian packages and an optional recipe
   * (files, one setup command), like the catalog images (mmdebstrap, minutes). Usable by name
   * wherever an environment is; rebuilding a name replaces it.
   * @throws PyroError invalid_argument (bad or catalog name, bad recipe, unknown package),
   *   environment_not_found (`from`), environment_build_failed, host_dependency_missing
   */
  async buildEnvironment(
    input: BuildEnvironmentInput,
    options: { onProgress?: PullProgressListener; signal?: AbortSignal } = {},
  ): Promise<BuildResult> {
    const args = await validateAs("BuildEnvironmentInputSchema", input);
    const r = await (await import("../core/environments/build.js")).buildEnvironment(
      this.config,
      { name: args.name, from: args.from, packages: args.packages, recipeFile: args.recipe },
      options,
    );
    return {
      environment: environmentRecord(r.environment),
      status: r.replaced ? "rebuilt" : "built",
      durationMs: r.durationMs,
    };
  }

  /**
   * Pushes an installed environment (catalog or local) to a registry as an OCI artifact (one
   * layer per artifact, zstd-compressed where it pays); blobs the registry has are skipped.
   * @throws PyroError invalid_argument, environment_not_found, environment_not_installed,
   *   registry_unreachable, registry_auth_failed, registry_error
   */
  async pushEnvironment(
    input: PushEnvironmentInput,
    options: { onProgress?: PullProgressListener; signal?: AbortSignal } = {},
  ): Promise<PushResult> {
    const args = await validateAs("PushEnvironmentInputSchema", input);
    return (await import("../core/oci/pull.js")).pushEnvironment(
      this.config,
      args.name,
      args.reference,
      options,
    );
  }

  /** One environment with its manifest, every artifact re-hashed. @throws PyroError environment_not_found */
  async inspectEnvironment(name: string): Promise<Environment> {
    const entry = await resolveEnvironment(this.config.cacheDir, await validateAs("EnvironmentName", name));
    return environmentRecord(await environmentStatus(this.config.cacheDir, entry, "full"));
  }

  /**
   * Without `name`: removes stale or unused cache entries (valid local environments stay).
   * With `name`: removes that environment's install. Reports bytes freed.
   * @throws PyroError environment_not_found (with `name`)
   */
  async pruneEnvironments(name?: string): Promise<PruneResult> {
    const only = name === undefined ? undefined : await validateAs("EnvironmentName", name);
    return pruneEnvironmentCache(this.config.cacheDir, only);
  }

  /**
   * One-shot: create a microVM, boot it, run `command`, delete it (always, also on error,
   * timeout or abort).
   * @throws PyroError invalid_argument, environment_not_installed, boot_failed, timeout, interrupted
   */
  async run(input: RunInput, hooks: RunHooks = {}): Promise<RunResult> {
    return (await vmOps()).run(this.vms, input, hooks);
  }

  /** Same as {@link Pyro.run} (the 1.x name). */
  runInVm(input: RunInput, hooks: RunHooks = {}): Promise<RunResult> {
    return this.run(input, hooks);
  }

  /** Creates a VM record (nothing boots until {@link Pyro.startVm}). @throws PyroError environment_not_installed */
  async createVm(input: CreateVmInput): Promise<Vm> {
    const args = await validateAs("CreateVmInputSchema", input);
    const record = await this.vms.create(args);
    return vmRecord(await this.vms.status(record.vm_id));
  }

  /** Boots a created VM and waits for its guest agent. @throws PyroError vm_not_found, boot_failed */
  async startVm(vmId: string): Promise<Vm> {
    await this.vms.start(await validateAs("VmId", vmId));
    return vmRecord(await this.vms.status(vmId));
  }

  /**
   * Runs one command in a started VM, then deletes the VM (pyro's exec auto-clean semantics).
   * @throws PyroError vm_not_found, vm_not_running, timeout
   */
  async execVm(input: ExecVmInput, hooks: Omit<RunHooks, "onPhase"> = {}): Promise<VmExecResult> {
    return (await vmOps()).execVm(this.vms, input, hooks);
  }

  /** Powers a VM off (guest flushes, VMM exits). @throws PyroError vm_not_found */
  async stopVm(vmId: string): Promise<Vm> {
    await this.vms.stop(await validateAs("VmId", vmId));
    return vmRecord(await this.vms.status(vmId));
  }

  /** Kills the VM if running and removes all its state. @throws PyroError vm_not_found */
  async deleteVm(vmId: string): Promise<{ deleted: boolean; reason: string; vmId: string }> {
    const r = await this.vms.delete(await validateAs("VmId", vmId));
    return { deleted: r.deleted, reason: r.reason, vmId: r.vm_id };
  }

  /** Record plus live supervisor state. @throws PyroError vm_not_found */
  async statusVm(vmId: string): Promise<Vm> {
    return vmRecord(await this.vms.status(await validateAs("VmId", vmId)));
  }

  /**
   * Network facts of a VM: for a running VM created with `network: true`, its guest and host
   * addresses (a private /30) and host TAP device; nulls otherwise. @throws PyroError vm_not_found
   */
  async networkInfoVm(vmId: string): Promise<VmNetworkInfo> {
    const vm = await this.vms.status(await validateAs("VmId", vmId));
    const live = vm.state === "started" ? vm.network_info : null;
    return {
      vmId: vm.vm_id,
      networkEnabled: vm.network,
      guestIp: live?.guest_ip ?? null,
      hostIp: live?.host_ip ?? null,
      tapName: live?.interface ?? null,
    };
  }

  /** Every VM under this state dir. */
  async listVms(): Promise<{ vms: Vm[] }> {
    return { vms: (await this.vms.list()).map(vmRecord) };
  }

  /** Deletes VMs and workspaces idle past their TTL. */
  async reapExpired(): Promise<{ reaped: string[] }> {
    return { reaped: [...(await this.vms.reapExpired()), ...(await this.ws.reapExpired())] };
  }

  // ---- Workspaces (docs/workspaces.md). `workspaceId` accepts an id or a unique name. ----

  /**
   * Creates and boots a workspace: its own rootfs (sparse copy), the seed imported into
   * /workspace (validated first), and an immutable baseline captured before this returns.
   * Aborting `hooks.signal` kills the VM and removes everything created so far.
   * @throws PyroError invalid_argument, environment_not_installed, path_outside_workspace, boot_failed,
   *   network_unavailable, interrupted
   */
  createWorkspace(input: W.CreateWorkspaceInput, hooks: Pick<RunHooks, "signal"> = {}): Promise<W.Workspace> {
    return ops.createWorkspace(this.ws, input, hooks.signal);
  }

  /** Every workspace (expired ones are reaped first). */
  listWorkspaces(): Promise<{ count: number; workspaces: W.Workspace[] }> {
    return ops.listWorkspaces(this.ws);
  }

  /** Renames and (re)labels. @throws PyroError workspace_not_found, invalid_argument */
  updateWorkspace(input: W.UpdateWorkspaceInput): Promise<W.Workspace> {
    return ops.updateWorkspace(this.ws, input);
  }

  /** State, resources, seed, counts. Never throws for a damaged workspace (state `failed`). */
  statusWorkspace(workspaceId: string): Promise<W.Workspace> {
    return ops.statusWorkspace(this.ws, workspaceId);
  }

  /** Command history: sequence, command, exit code, duration, output (64 KiB per stream kept). */
  logsWorkspace(workspaceId: string): Promise<W.WorkspaceLogs> {
    return ops.logsWorkspace(this.ws, workspaceId);
  }

  /** Destroys the VM and all state. @throws PyroError workspace_not_found */
  deleteWorkspace(workspaceId: string): Promise<{ workspaceId: string; deleted: boolean }> {
    return ops.deleteWorkspace(this.ws, workspaceId);
  }

  /**
   * Runs a command with cwd /workspace; output streams through `hooks`.
   * @throws PyroError workspace_not_running, timeout (the process group was killed)
   */
  execWorkspace(
    input: W.ExecWorkspaceInput,
    hooks: Omit<RunHooks, "onPhase"> = {},
  ): Promise<W.WorkspaceExecResult> {
    return ops.execWorkspace(this.ws, input, hooks);
  }

  /** Copies a host dir or archive into /workspace (`dest`). Not atomic. @throws PyroError path_outside_workspace */
  pushWorkspaceSync(input: W.PushWorkspaceSyncInput): Promise<W.SyncResult> {
    return ops.pushWorkspaceSync(this.ws, input);
  }

  /** Copies a file or directory of /workspace to a new host path. @throws PyroError invalid_argument if it exists */
  exportWorkspace(input: W.ExportWorkspaceInput): Promise<W.ExportResult> {
    return ops.exportWorkspace(this.ws, input);
  }

  /** /workspace against the create-time baseline: unified patch for text, entries for the rest. */
  diffWorkspace(workspaceId: string): Promise<W.WorkspaceDiffResult> {
    return ops.diffWorkspaceOp(this.ws, workspaceId);
  }

  /** Lists a directory (or one file) of /workspace. */
  listWorkspaceFiles(input: W.ListWorkspaceFilesInput): Promise<W.FileList> {
    return ops.listWorkspaceFiles(this.ws, input);
  }

  /** Reads a regular file (at most `maxBytes`, default 65536); binary content comes base64. */
  readWorkspaceFile(input: W.ReadWorkspaceFileInput): Promise<W.FileRead> {
    return ops.readWorkspaceFile(this.ws, input);
  }

  /** Writes a text file atomically (at most 1 MiB), creating parent directories. */
  writeWorkspaceFile(input: W.WriteWorkspaceFileInput): Promise<W.FileWrite> {
    return ops.writeWorkspaceFile(this.ws, input);
  }

  /** Applies a unified diff; every hunk is checked before anything is written. @throws PyroError patch_failed */
  applyWorkspacePatch(input: W.ApplyWorkspacePatchInput): Promise<W.PatchResult> {
    return ops.applyPatch(this.ws, input);
  }

  /**
   * Saves /workspace as a named snapshot (`baseline` is reserved).
   * @throws PyroError invalid_argument (name taken), workspace_not_running
   */
  createSnapshot(input: W.SnapshotInput): Promise<W.Snapshot> {
    return ops.createSnapshot(this.ws, input);
  }

  /** Snapshots of a workspace, the implicit `baseline` first. */
  listSnapshots(workspaceId: string): Promise<W.SnapshotList> {
    return ops.listSnapshots(this.ws, workspaceId);
  }

  /** Deletes a named snapshot. @throws PyroError snapshot_protected (baseline), snapshot_not_found */
  deleteSnapshot(input: W.SnapshotInput): Promise<{ workspaceId: string; name: string; deleted: boolean }> {
    return ops.deleteSnapshot(this.ws, input);
  }

  /**
   * A fresh VM with /workspace restored from `snapshot` (default `baseline`): identity,
   * baseline and snapshots kept; command history, shells and services cleared.
   * @throws PyroError snapshot_not_found, boot_failed
   */
  resetWorkspace(input: W.ResetWorkspaceInput): Promise<W.Workspace> {
    return ops.resetWorkspace(this.ws, input);
  }

  // ---- Shells: persistent PTYs in a workspace ----

  /** Opens a PTY shell (bash) in /workspace (or `cwd` inside it). @throws PyroError workspace_not_running */
  async openShell(input: R.OpenShellInput): Promise<R.Shell> {
    return (await rt()).openShell(this.ws, input);
  }

  /**
   * Reads shell output from `cursor` (bytes); `plain` renders it through a terminal emulator,
   * `waitForIdleMs` waits for the shell to go quiet first. @throws PyroError shell_not_found
   */
  async readShell(input: R.ReadShellInput): Promise<R.ShellRead> {
    return (await rt()).readShell(this.ws, input);
  }

  /** Types `input` (plus Enter unless `newline: false`). @throws PyroError shell_not_running */
  async writeShell(
    input: R.WriteShellInput,
  ): Promise<{ workspaceId: string; shellId: string; bytes: number }> {
    return (await rt()).writeShell(this.ws, input);
  }

  /** Signals the shell's foreground process group (default INT, like Ctrl-C). */
  async signalShell(
    input: R.SignalShellInput,
  ): Promise<{ workspaceId: string; shellId: string; signal: string }> {
    return (await rt()).signalShell(this.ws, input);
  }

  /**
   * Attaches to a shell live: `io.input` is typed into the PTY, output arrives through
   * `io.onOutput` from now on, until the shell exits or `io.signal` aborts (detach).
   */
  async attachShell(
    input: R.ShellRefInput,
    io: { input: Readable; onOutput: (chunk: Buffer) => void; signal?: AbortSignal },
  ): Promise<R.Shell> {
    return (await rt()).attachShell(this.ws, input, io);
  }

  /** Resizes a shell's terminal (columns and rows). */
  async resizeShell(input: R.ResizeShellInput): Promise<R.Shell> {
    return (await rt()).resizeShell(this.ws, input);
  }

  /** Ends the shell and everything it started. */
  async closeShell(input: R.ShellRefInput): Promise<R.Shell> {
    return (await rt()).closeShell(this.ws, input);
  }

  /** The workspace's shells. */
  async listShells(workspaceId: string): Promise<{ workspaceId: string; shells: R.Shell[] }> {
    return (await rt()).listShells(this.ws, workspaceId);
  }

  // ---- Services: long-running processes with readiness probes ----

  /**
   * Starts a service and waits for its readiness probe (file, tcp, http or command). Not ready
   * in time, or exited first: returned with `state: "failed"` and `stopReason`.
   * @throws PyroError service_exists (a running service has that name), invalid_argument
   */
  async startService(input: R.StartServiceInput): Promise<R.Service> {
    return (await rt()).startService(this.ws, input);
  }

  /** Services of a workspace with counts. */
  async listServices(workspaceId: string): Promise<R.ServiceList> {
    return (await rt()).listServices(this.ws, workspaceId);
  }

  /** One service's record. @throws PyroError service_not_found */
  async statusService(input: R.ServiceRefInput): Promise<R.Service> {
    return (await rt()).statusService(this.ws, input);
  }

  /** Tail (default 100 lines) or all kept stdout/stderr of a service; kept outside /workspace. */
  async logsService(input: R.LogsServiceInput): Promise<R.ServiceLogs> {
    return (await rt()).logsService(this.ws, input);
  }

  /** Stops a service: TERM to its process group, KILL after 5 s. */
  async stopService(input: R.ServiceRefInput): Promise<R.Service> {
    return (await rt()).stopService(this.ws, input);
  }

  // ---- Stopped workspaces and offline disk tools ----

  /**
   * Stops a workspace: services and shells end, the guest flushes and remounts read-only,
   * the VM powers off. /workspace, snapshots and history are kept. Stopping a stopped
   * workspace is a no-op (`changed: false`).
   */
  async stopWorkspace(workspaceId: string): Promise<W.StopStartResult> {
    return (await diskOps()).stopWorkspace(this.ws, workspaceId);
  }

  /** Boots a stopped workspace from its own disk (stale sockets removed first). @throws PyroError boot_failed */
  async startWorkspace(workspaceId: string): Promise<W.StopStartResult> {
    return (await diskOps()).startWorkspace(this.ws, workspaceId);
  }

  /**
   * Lists /workspace on the raw disk of a stopped workspace (debugfs, read-only, no boot).
   * @throws PyroError workspace_not_stopped, path_outside_workspace, file_not_found
   */
  async listWorkspaceDisk(input: W.DiskListInput): Promise<W.DiskList> {
    return (await diskOps()).listWorkspaceDisk(this.ws, input);
  }

  /** Reads a regular file from the disk of a stopped workspace. @throws PyroError workspace_not_stopped */
  async readWorkspaceDisk(input: W.DiskReadInput): Promise<W.FileRead> {
    return (await diskOps()).readWorkspaceDisk(this.ws, input);
  }

  /** Copies the raw ext4 image of a stopped workspace (sparse) to a new host path. */
  async exportWorkspaceDisk(input: W.DiskExportInput): Promise<W.DiskExport> {
    return (await diskOps()).exportWorkspaceDisk(this.ws, input);
  }
}
