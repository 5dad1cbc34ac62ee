/** The human rendering of `workspace summary`. */
import type { WorkspaceSummary } from "../../sdk/index.js";
import { safeName } from "../output.js";

function changesLines(c: WorkspaceSummary["changes"]): string[] {
  if (c === null) return ["Changes since baseline: unknown (not running)"];
  if (!c.changed) return ["Changes since baseline: none"];
  const s = c.summary;
  const counts = [
    `${s.added} added`,
    `${s.modified} modified`,
    `${s.deleted} deleted`,
    ...(s.typeChanged ? [`${s.typeChanged} type changed`] : []),
    ...(s.modeChanged ? [`${s.modeChanged} mode changed`] : []),
    ...(s.binary ? [`${s.binary} binary`] : []),
  ];
  return [
    `Changes since baseline: ${counts.join(", ")}`,
    ...c.files.map((f) => `  ${f.status.padEnd(12)} ${safeName(f.path)}`),
    ...(c.filesTruncated ? [`  ... ${c.fileCount - c.files.length} more`] : []),
  ];
}

/**
 * A workspace summary as text: the workspace line, changes with one line per path, the last
 * commands (`#SEQ exit=CODE DURATION ms COMMAND`), services, shells and snapshots.
 */
export function renderSummary(s: WorkspaceSummary): string {
  const recent = s.commands.recent;
  const lines = [
    `Workspace: ${s.workspaceId}${s.name ? ` (${s.name})` : ""} ${s.state}, ${s.environment}`,
    ...changesLines(s.changes),
    `Commands: ${s.commands.count}${recent.length < s.commands.count ? ` (last ${recent.length} shown)` : ""}`,
    ...recent.map(
      (c) =>
        `  #${c.sequence} exit=${c.exitCode}${c.timedOut ? " timed_out" : ""} ${c.durationMs} ms ${JSON.stringify(c.command)}`,
    ),
    `Services: ${s.services.length}`,
    ...s.services.map((v) => {
      const ports = v.publishedPorts.map((p) => `${p.host}:${p.hostPort}->${p.guestPort}`).join(" ");
      const end = v.exitCode === null ? "" : ` exit=${v.exitCode}`;
      return `  ${v.serviceName} ${v.state}${end}${v.stopReason ? ` (${v.stopReason})` : ""}${ports ? ` ports ${ports}` : ""}`;
    }),
    `Shells: ${s.shells.length}`,
    ...s.shells.map((h) => `  ${h.shellId} ${h.state} ${h.cwd}`),
    `Snapshots: ${s.snapshots.map((n) => n.name).join(", ")}`,
  ];
  return `${lines.join("\n")}\n`;
}
