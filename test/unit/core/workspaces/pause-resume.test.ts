/**
 * Pause and resume decisions taken from the record alone, without a guest: pausing a paused
 * workspace changes nothing, resume refuses a workspace that is not paused. The guest-backed side is test/integration/pause.test.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { workspacePaths } from "../../../../src/core/paths.js";
import { Pyro } from "../../../../src/sdk/index.js";
import { SAMPLE_WORKSPACE_RECORD } from "../../../support/workspace-record.js";

let home = "";
let pyro: Pyro;
const ID = SAMPLE_WORKSPACE_RECORD.workspace_id;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "pyro-pause-"));
  pyro = new Pyro({ stateDir: join(home, "state"), cacheDir: join(home, "cache") });
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

/** A workspace record in `state` (network off); returns the record's path. */
function writeWorkspace(state: string, paused: unknown = null): string {
  const paths = workspacePaths(join(home, "state"), ID);
  mkdirSync(paths.dir, { recursive: true });
  const record = { ...SAMPLE_WORKSPACE_RECORD, state, paused, network_policy: "off", network: null };
  writeFileSync(paths.record, JSON.stringify(record));
  return paths.record;
}

describe("pauseWorkspace", () => {
  it("of a paused workspace is a no-op that leaves last_activity_at as it was", async () => {
    const paused = { at: "2025-01-01T00:00:05.000Z", reason: "requested", stopped: false };
    const record = writeWorkspace("paused", paused);
    const r = await pyro.pauseWorkspace(ID);
    expect(r).toMatchObject({ changed: false, workspace: { state: "paused", paused } });
    expect(r.workspace.lastActivityAt).toBe(SAMPLE_WORKSPACE_RECORD.last_activity_at);
    expect(JSON.parse(readFileSync(record, "utf8"))).toMatchObject({
      state: "paused",
      last_activity_at: SAMPLE_WORKSPACE_RECORD.last_activity_at,
    });
  });
});

describe("resumeWorkspace", () => {
  it("refuses a stopped workspace with workspace_not_paused, pointing at start; nothing changes", async () => {
    const record = writeWorkspace("stopped");
    const before = readFileSync(record, "utf8");
    await expect(pyro.resumeWorkspace(ID)).rejects.toMatchObject({
      code: "workspace_not_paused",
      message: `workspace "${ID}" is stopped, not paused`,
      hint: `pyro workspace start ${ID}`,
    });
    expect(readFileSync(record, "utf8")).toBe(before);
  });

  it("refuses a failed workspace too", async () => {
    writeWorkspace("failed");
    await expect(pyro.resumeWorkspace(ID)).rejects.toMatchObject({ code: "workspace_not_paused" });
  });
});
