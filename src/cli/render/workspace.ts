/** Human renderings of workspace records. */
import type { Workspace } from "../../sdk/index.js";

const labelsText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");

/** The state, and why a workspace is paused (or was stopped by its TTL). */
function stateText(w: Workspace): string {
  const p = w.paused;
  if (!p) return w.state;
  const why = p.reason === "ttl" ? "idle past its TTL" : "paused on request";
  return p.stopped
    ? `${w.state} (${why}; could not be paused, stopped at ${p.at})`
    : `${w.state} (${why}, since ${p.at})`;
}

/** The state column of `workspace list`: `paused:ttl`, `stopped:ttl`, else the state. */
const stateCell = (w: Workspace) => (w.paused?.reason === "ttl" ? `${w.state}:ttl` : w.state);

export function renderWorkspace(w: Workspace): string {
  const lines = [
    `Workspace: ${w.workspaceId}${w.name ? ` (${w.name})` : ""}`,
    `State: ${stateText(w)}${w.error ? ` (${w.error.code}: ${w.error.message})` : ""}`,
    `Environment: ${w.environment}`,
    `Resources: ${w.vcpuCount} vCPU, ${w.memMib} MiB`,
    `Execution mode: ${w.executionMode}${w.acceleration ? ` (${w.acceleration})` : ""}`,
    `Network policy: ${w.networkPolicy}${w.network ? ` (guest ${w.network.guestIp}/30 via ${w.network.interface}, host ${w.network.hostIp})` : ""}`,
    `Seed: ${w.workspaceSeed.mode}${w.workspaceSeed.seedPath ? ` ${w.workspaceSeed.seedPath}` : ""}`,
    ...(w.forkedFrom ? [`Forked from: ${w.forkedFrom} (its diff baseline is the parent's)`] : []),
    `Labels: ${labelsText(w.labels) || "-"}`,
    `Secrets: ${w.secrets.map((s) => s.name).join(", ") || "-"}`,
    `Commands: ${w.commandCount}  Services: ${w.runningServiceCount}/${w.serviceCount} running`,
    `Processes: ${w.userProcessCount ?? "-"} running  Max pids per command: ${w.maxPids ?? "default"}`,
    `Disk: ${w.diskMib === null ? "-" : `${w.diskMib} MiB (${w.diskAllocatedMib} MiB stored on the host)`}`,
    `Created: ${w.createdAt}  Last activity: ${w.lastActivityAt}  Expires: ${w.expiresAt ? `${w.expiresAt} (then ${w.ttlAction})` : "never"}`,
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * The table of `workspace list`; a FORK OF column (the parent's id) after STATE when any
 * listed workspace is a fork, so a list without forks stays as narrow as before.
 */
export function renderWorkspaceTable(list: Workspace[]): string {
  if (list.length === 0) return "No workspaces.\n";
  const forks = list.some((w) => w.forkedFrom);
  const rows = list.map((w) => [
    w.workspaceId,
    w.name ?? "-",
    stateCell(w),
    ...(forks ? [w.forkedFrom ?? "-"] : []),
    w.environment,
    w.lastActivityAt,
    w.expiresAt ?? "never",
    `${w.runningServiceCount}/${w.serviceCount}`,
    labelsText(w.labels) || "-",
  ]);
  const header = [
    "ID",
    "NAME",
    "STATE",
    ...(forks ? ["FORK OF"] : []),
    "ENVIRONMENT",
    "LAST ACTIVITY",
    "EXPIRES",
    "SERVICES",
    "LABELS",
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return `${[fmt(header), ...rows.map(fmt)].join("\n")}\n`;
}
