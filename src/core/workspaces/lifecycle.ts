/**
 * The workspace lifecycle as the SDK offers it: create (seed checked and secrets resolved
 * first), list, update, status, logs, stop, start, pause, resume, fork and delete, each
 * answering with its contract record (snake_case). `ref` is a workspace id or its unique name.
 */
import { resolve } from "node:path";
import type { z } from "zod";
import { inSchemaOrder } from "../../contract/records/shape.js";
import type * as R from "../../contract/records/workspace.js";
import { HistoryEntrySchema } from "../../contract/records/workspace.js";
import type {
  CreateWorkspaceInputSchema,
  ForkWorkspaceInputSchema,
  UpdateWorkspaceInputSchema,
} from "../../contract/workspace.js";
import type { MachineStartOptions } from "../templates/start.js";
import { readHistory } from "./history.js";
import type { WorkspaceManager } from "./manager.js";
import { withNamesClaimed } from "./names.js";
import { liveWorkspaceRecord, workspaceRecord } from "./public-record.js";
import { readWorkspaceRecord } from "./record.js";
import { resolveSecrets } from "./secrets.js";

// Seed and baseline code (with tar) loads when a create runs.
const transfer = () => import("./transfer.js");

/**
 * Creates and boots a workspace: a bad seed is refused before any VM boots; aborting `signal`
 * removes everything created so far. `projectPath` and `repoUrl` seeds are staged by git-seed.ts.
 * @throws PyroError invalid_argument, environment_not_installed, name_taken, path_outside_workspace,
 *   boot_failed, network_unavailable, interrupted
 */
export async function createWorkspace(
  ws: WorkspaceManager,
  args: z.output<typeof CreateWorkspaceInputSchema>,
  signal?: AbortSignal,
  onPhase?: (phase: "template" | "start", fields: Record<string, string | number>) => void,
): Promise<R.Workspace> {
  await ws.reapExpired();
  const { captureBaseline, pushTree, validateSeed } = await transfer();
  // projectPath / repoUrl: git's file list packed into a temp .tar that takes the seed path below.
  const git = await (await import("./git-seed.js")).stageGitSeed(args, signal);
  try {
    // Absolute, so the record still names the seed when read from another directory.
    const seedPath = git?.archive ?? (args.seedPath ? resolve(args.seedPath) : undefined);
    // A bad seed is refused before any VM boots (pushTree checks it again when sending).
    const seed = seedPath ? { mode: await validateSeed(seedPath), path: seedPath } : undefined;
    const secrets = await resolveSecrets(args.secrets);
    // Template events and how the VM started (restored, or cold and why), for phase lines.
    const start: MachineStartOptions = {
      cold: args.cold,
      onTemplate: (event) => onPhase?.("template", event),
      onStarted: (r) =>
        onPhase?.("start", {
          boot: r.boot,
          ...(r.template ? { template: r.template } : {}),
          ...(r.reason ? { reason: r.reason } : {}),
        }),
    };
    const view = await ws.create(
      { ...args, seed: git ? { mode: "git", path: git.origin } : seed, secrets, start },
      async (id) => {
        if (seed) await pushTree(ws, id, seed.path, "/workspace");
      },
      (id) => captureBaseline(ws, id),
      signal,
    );
    return workspaceRecord(view);
  } finally {
    await git?.cleanup();
  }
}

/** Every workspace, live (expired ones are reaped first). */
export async function listWorkspaces(ws: WorkspaceManager): Promise<R.WorkspaceList> {
  await ws.reapExpired();
  const all = await Promise.all((await ws.list()).map((v) => liveWorkspaceRecord(ws, v)));
  return { count: all.length, workspaces: all };
}

/**
 * Renames and (re)labels; a new name must be free (names.ts).
 * @throws PyroError workspace_not_found, name_taken (nothing changed)
 */
export async function updateWorkspace(
  ws: WorkspaceManager,
  args: z.output<typeof UpdateWorkspaceInputSchema>,
): Promise<R.Workspace> {
  const id = await ws.resolve(args.workspaceId);
  const update = () =>
    ws.mutate(id, (r) => {
      if (args.name !== undefined) r.name = args.name;
      r.labels = { ...r.labels, ...(args.labels ?? {}) };
      for (const key of args.clearLabels ?? []) delete r.labels[key];
    });
  return workspaceRecord(await withNamesClaimed(ws.config.stateDir, [args.name], update, id));
}

/** The live record; never throws for a damaged workspace (state `failed`). @throws PyroError workspace_not_found */
export async function statusWorkspace(ws: WorkspaceManager, ref: string): Promise<R.Workspace> {
  return liveWorkspaceRecord(ws, await ws.view(await ws.resolve(ref)));
}

/** Command history, oldest first. @throws PyroError workspace_not_found */
export async function logsWorkspace(ws: WorkspaceManager, ref: string): Promise<R.WorkspaceLogs> {
  const id = await ws.resolve(ref);
  await readWorkspaceRecord(ws.config.stateDir, id); // workspace_not_found, state_corrupt
  const entries = (await readHistory(ws.paths(id).history)).map((e) =>
    inSchemaOrder<R.HistoryEntry>(HistoryEntrySchema, e),
  );
  return { workspace_id: id, count: entries.length, entries };
}

/** Kills the VM and removes all state. @throws PyroError workspace_not_found */
export async function deleteWorkspace(ws: WorkspaceManager, ref: string): Promise<R.WorkspaceDelete> {
  const r = await ws.delete(await ws.resolve(ref));
  return { workspace_id: r.workspace_id, deleted: r.deleted };
}

/** Stops the VM, or drops a paused one's saved machine (a stopped workspace: `changed: false`). */
export async function stopWorkspace(ws: WorkspaceManager, ref: string): Promise<R.StopStartResult> {
  const r = await ws.stop(await ws.resolve(ref));
  return { workspace: workspaceRecord(r.view), changed: r.changed };
}

/** Boots a stopped workspace from its own disk. @throws PyroError boot_failed, workspace_not_stopped */
export async function startWorkspace(ws: WorkspaceManager, ref: string): Promise<R.StopStartResult> {
  const r = await ws.start(await ws.resolve(ref));
  return { workspace: await liveWorkspaceRecord(ws, r.view), changed: r.wasStopped };
}

/**
 * Pauses a running workspace: RAM, devices and processes saved in its state directory, VM
 * ended, published ports closed (a paused workspace: `changed: false`). The record shows the
 * service counts saved with it, as `status` does while it is paused.
 * @throws PyroError workspace_not_running, save_failed
 */
export async function pauseWorkspace(ws: WorkspaceManager, ref: string): Promise<R.StopStartResult> {
  const { pauseWorkspaceVm } = await import("./pause-resume.js");
  const r = await pauseWorkspaceVm(ws, await ws.resolve(ref), "requested");
  return { workspace: await liveWorkspaceRecord(ws, r.view), changed: r.changed };
}

/**
 * Forks a running (or paused) workspace into `count` new running ones (fork.ts): each with its
 * own disk copy, memory, identity, NIC and published ports, and the parent's processes,
 * shells, services, secrets, diff baseline, snapshots and history. The parent runs on.
 * @throws PyroError workspace_not_found, name_taken (a fork's name is another workspace's),
 *   workspace_not_running, save_failed, boot_failed, network_unavailable, interrupted; no fork
 *   is kept after any of them
 */
export async function forkWorkspace(
  ws: WorkspaceManager,
  args: z.output<typeof ForkWorkspaceInputSchema>,
  onPhase?: (
    phase: "checkpoint" | "memory" | "fork",
    fields: Record<string, string | number | boolean>,
  ) => void,
  signal?: AbortSignal,
): Promise<R.WorkspaceFork> {
  const { forkWorkspaceVm } = await import("./fork.js");
  const parent = await ws.resolve(args.workspaceId);
  const ids = await forkWorkspaceVm(ws, parent, { name: args.name, count: args.count, signal }, onPhase);
  const workspaces = await Promise.all(ids.map(async (id) => liveWorkspaceRecord(ws, await ws.view(id))));
  return { forked_from: parent, count: workspaces.length, workspaces };
}

/**
 * Resumes a paused workspace: processes, shells and services carry on, the guest clock is set
 * from the host's, published ports reopen (a running workspace: `changed: false`).
 * @throws PyroError workspace_not_paused (stopped, failed or creating), boot_failed
 */
export async function resumeWorkspace(ws: WorkspaceManager, ref: string): Promise<R.StopStartResult> {
  const { resumeWorkspaceVm } = await import("./pause-resume.js");
  const r = await resumeWorkspaceVm(ws, await ws.resolve(ref));
  return { workspace: await liveWorkspaceRecord(ws, r.view), changed: r.changed };
}
