/**
 * `workspace summary`: in one call what a reviewing model needs of a workspace: what changed
 * since the baseline (the diff core without its patch), the last commands with exit codes,
 * services, shells and snapshots. A workspace that is not running still has its history and
 * snapshots; its changes are null and it has no services or shells (they end with the VM).
 */
import { inSchemaOrder } from "../../contract/records/shape.js";
import {
  SUMMARY_MAX_FILES,
  SUMMARY_RECENT_COMMANDS,
  SummaryCommandSchema,
  SummaryServiceSchema,
  SummaryShellSchema,
  type WorkspaceSummary,
} from "../../contract/records/summary.js";
import { diffWorkspace } from "./diff.js";
import { readHistory } from "./history.js";
import type { WorkspaceManager } from "./manager.js";
import { listServices } from "./service-api.js";
import { listShells } from "./shell-api.js";
import { listSnapshots } from "./snapshots.js";

type Changes = NonNullable<WorkspaceSummary["changes"]>;

/** The live parts, read through the agent of a running workspace. */
async function liveParts(ws: WorkspaceManager, id: string) {
  const [diff, services, shells] = await Promise.all([
    diffWorkspace(ws, id, { patch: false }),
    listServices(ws, id),
    listShells(ws, id),
  ]);
  const changes: Changes = {
    changed: diff.changed,
    summary: diff.summary,
    file_count: diff.entries.length,
    files: diff.entries.slice(0, SUMMARY_MAX_FILES),
    files_truncated: diff.entries.length > SUMMARY_MAX_FILES,
  };
  return {
    changes,
    services: services.services.map((s) =>
      inSchemaOrder<WorkspaceSummary["services"][number]>(SummaryServiceSchema, s),
    ),
    shells: shells.shells.map((s) =>
      inSchemaOrder<WorkspaceSummary["shells"][number]>(SummaryShellSchema, s),
    ),
  };
}

/**
 * The summary of workspace `ref` (id or name). Commands, services and their commands come as
 * recorded (secret values redacted).
 * @throws PyroError workspace_not_found, state_corrupt; guest_unreachable when the agent of a
 *   running workspace does not answer
 */
export async function summarizeWorkspace(ws: WorkspaceManager, ref: string): Promise<WorkspaceSummary> {
  const id = await ws.resolve(ref);
  const view = await ws.view(id);
  const [history, snapshots, live] = await Promise.all([
    readHistory(ws.paths(id).history),
    listSnapshots(ws, id),
    view.state === "started" ? liveParts(ws, id) : undefined,
  ]);
  return {
    workspace_id: id,
    name: view.name,
    state: view.state,
    environment: view.environment,
    changes: live?.changes ?? null,
    commands: {
      count: history.length,
      recent: history
        .slice(-SUMMARY_RECENT_COMMANDS)
        .map((e) => inSchemaOrder<WorkspaceSummary["commands"]["recent"][number]>(SummaryCommandSchema, e)),
    },
    services: live?.services ?? [],
    shells: live?.shells ?? [],
    snapshots: snapshots.snapshots,
  };
}
