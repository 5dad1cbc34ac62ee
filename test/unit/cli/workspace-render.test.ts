/** The human rendering of a workspace's state (src/cli/render/workspace.ts): why it is paused. */
import { describe, expect, it } from "vitest";
import { renderWorkspace, renderWorkspaceTable } from "../../../src/cli/render/workspace.js";
import { toCamel } from "../../../src/contract/case.js";
import { workspaceRecord } from "../../../src/core/workspaces/public-record.js";
import type { WorkspaceView } from "../../../src/core/workspaces/workspace-view.js";
import type { Workspace } from "../../../src/sdk/index.js";
import { SAMPLE_WORKSPACE_RECORD } from "../../support/workspace-record.js";

const AT = "2026-01-01T00:00:00.000Z";

function workspace(fields: Partial<WorkspaceView>): Workspace {
  const view = { ...SAMPLE_WORKSPACE_RECORD, expires_at: null, disk: null, ...fields } as WorkspaceView;
  return toCamel(workspaceRecord(view)) as Workspace;
}

describe("workspace state rendering", () => {
  it("says a paused workspace was paused by its TTL, and since when", () => {
    const w = workspace({ state: "paused", paused: { at: AT, reason: "ttl", stopped: false } });
    expect(renderWorkspace(w)).toContain(`State: paused (idle past its TTL, since ${AT})`);
    expect(renderWorkspaceTable([w])).toMatch(/ws_\S+\s+\S+\s+paused:ttl\s/);
  });

  it("says when the TTL had to stop it instead, and a requested pause plainly", () => {
    const stopped = workspace({ state: "stopped", paused: { at: AT, reason: "ttl", stopped: true } });
    expect(renderWorkspace(stopped)).toContain("State: stopped (idle past its TTL; could not be paused");
    const asked = workspace({ state: "paused", paused: { at: AT, reason: "requested", stopped: false } });
    expect(renderWorkspace(asked)).toContain(`State: paused (paused on request, since ${AT})`);
    expect(renderWorkspaceTable([asked])).not.toContain("paused:");
  });

  it("names the TTL's action beside the expiry of a running workspace", () => {
    const w = workspace({ state: "started", expires_at: AT, ttl_action: "delete" });
    expect(renderWorkspace(w)).toContain(`Expires: ${AT} (then delete)`);
  });

  it("names the parent of a fork, and nothing for a created workspace", () => {
    const fork = workspace({ forked_from: "ws_aaaaaaaaaaaa" });
    expect(renderWorkspace(fork)).toContain(
      "Forked from: ws_aaaaaaaaaaaa (its diff baseline is the parent's)",
    );
    expect(renderWorkspace(workspace({}))).not.toContain("Forked from");
  });

  it("lists a fork's parent in a FORK OF column, which a list without forks does not have", () => {
    const parent = workspace({ workspace_id: "ws_aaaaaaaaaaaa", name: "origin" });
    const fork = workspace({ workspace_id: "ws_bbbbbbbbbbbb", name: "try", forked_from: "ws_aaaaaaaaaaaa" });
    const [header, parentRow, forkRow] = renderWorkspaceTable([parent, fork]).trimEnd().split("\n");
    expect(header).toMatch(/^ID\s+NAME\s+STATE\s+FORK OF\s+ENVIRONMENT\s/);
    expect(parentRow).toMatch(/^ws_aaaaaaaaaaaa\s+origin\s+started\s+-\s+debian:12\s/);
    expect(forkRow).toMatch(/^ws_bbbbbbbbbbbb\s+try\s+started\s+ws_aaaaaaaaaaaa\s+debian:12\s/);
    expect(renderWorkspaceTable([parent])).toMatch(/^ID\s+NAME\s+STATE\s+ENVIRONMENT\s/);
  });
});
