/**
 * A workspace as every face shows it (contract/records/workspace.ts, snake_case): its view
 * (record plus live state) without internal fields, plus what only the running guest knows
 * (service counts, process cap and count) when asked for the live record.
 */

import { inSchemaOrder } from "../../contract/records/shape.js";
import { type Workspace, WorkspaceSchema } from "../../contract/records/workspace.js";
import { machineClient } from "../machine.js";
import { readGuestLimits } from "./guest-limits.js";
import { countServices, GuestServices } from "./guest-services.js";
import type { WorkspaceManager, WorkspaceView } from "./manager.js";
import { pausedServiceCounts } from "./pause.js";

/** The public record of `v` from host state only (no guest round trip: counts 0). */
export function workspaceRecord(v: WorkspaceView): Workspace {
  return inSchemaOrder<Workspace>(WorkspaceSchema, {
    ...v,
    service_count: 0,
    running_service_count: 0,
    disk_mib: v.disk?.size_mib ?? null,
    disk_allocated_mib: v.disk?.allocated_mib ?? null,
    user_process_count: null,
  });
}

/**
 * Service counts of a running workspace; of a paused one as they were at pause time (its
 * services still exist, frozen); 0/0 when it is stopped or does not answer.
 */
async function serviceCounts(ws: WorkspaceManager, v: WorkspaceView): Promise<[number, number]> {
  if (v.state === "paused") return pausedServiceCounts(ws.paths(v.workspace_id));
  if (v.state !== "started") return [0, 0];
  try {
    return countServices(await new GuestServices(machineClient(ws.paths(v.workspace_id))).list(3_000));
  } catch {
    return [0, 0];
  }
}

/** {@link workspaceRecord} plus the guest's service counts, process cap and count (3 s at most each). */
export async function liveWorkspaceRecord(ws: WorkspaceManager, v: WorkspaceView): Promise<Workspace> {
  const limits =
    v.state === "started" ? readGuestLimits(machineClient(ws.paths(v.workspace_id)), 3_000) : undefined;
  const [[count, running], live] = await Promise.all([serviceCounts(ws, v), limits?.catch(() => undefined)]);
  return {
    ...workspaceRecord(v),
    service_count: count,
    running_service_count: running,
    ...(live?.enabled ? { max_pids: live.max_pids, user_process_count: live.user_process_count } : {}),
  };
}
