/**
 * Client of the agent's limits routes (docs/agent-protocol.md, "Limits"), through the
 * supervisor: the per-command process cap a workspace was created with, and what user work
 * runs in the guest now. Answers are checked field by field: the guest is not trusted.
 */
import { PyroError } from "../../errors.js";
import type { SupervisorClient } from "../../supervisor/client.js";

/** `GET|PUT /v1/limits` answer (snake_case, as on the wire). Counts of tasks include threads. */
export interface GuestLimits {
  /** False when the guest has no cgroup v2: nothing is limited. */
  enabled: boolean;
  /** pids.max of each exec, shell and service cgroup. */
  max_pids: number;
  /** pids.max of all user work together. */
  user_pids_max: number;
  /** memory.max of all user work (and of each of its cgroups), in bytes. */
  user_memory_max_bytes: number;
  /** memory.min protecting the agent, in bytes. */
  agent_memory_min_bytes: number;
  /** Processes of user work running now (background ones included). */
  user_process_count: number;
  /** Tasks counted against user_pids_max now; -1 when unknown. */
  user_pids_current: number;
  /** Memory charged to user work now, in bytes; -1 when unknown. */
  user_memory_current_bytes: number;
}

const FIELDS = [
  "max_pids",
  "user_pids_max",
  "user_memory_max_bytes",
  "agent_memory_min_bytes",
  "user_process_count",
  "user_pids_current",
  "user_memory_current_bytes",
] as const;

/** Checks the shape of a limits answer. @throws PyroError guest_protocol_mismatch */
export function parseGuestLimits(value: unknown): GuestLimits {
  const v = value as Record<string, unknown> | null | undefined;
  const ok =
    typeof v === "object" &&
    v !== null &&
    typeof v.enabled === "boolean" &&
    FIELDS.every((f) => Number.isSafeInteger(v[f]) && (v[f] as number) >= -1);
  if (!ok) {
    throw new PyroError(
      "guest_protocol_mismatch",
      "the guest agent answered /v1/limits with an unknown shape",
    );
  }
  const out = { enabled: v.enabled } as GuestLimits;
  for (const f of FIELDS) out[f] = v[f] as number;
  return out;
}

/**
 * Sets pids.max of every exec, shell and service cgroup in the guest (existing ones too).
 * @throws PyroError invalid_argument (out of range), vm_not_running, guest_unreachable
 */
export async function setGuestMaxPids(client: SupervisorClient, maxPids: number): Promise<GuestLimits> {
  return parseGuestLimits(await client.json("PUT", "/v1/agent/limits", { max_pids: maxPids }));
}

/**
 * The limits in force and current use. `timeoutMs`: status shown beside other workspaces
 * uses a short limit, so one hung guest cannot stall it.
 * @throws PyroError vm_not_running, guest_unreachable, guest_protocol_mismatch
 */
export async function readGuestLimits(client: SupervisorClient, timeoutMs?: number): Promise<GuestLimits> {
  return parseGuestLimits(await client.json("GET", "/v1/agent/limits", undefined, undefined, timeoutMs));
}
