/**
 * `workspace fork` without a guest: input validation, refusal of a parent that is not running,
 * and the rollback of a fork that fails after its files were made (the boundary that fails is
 * the restore: the parent's environment is not installed in this cache). No VM boots here.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { workspacePaths } from "../../../../src/core/paths.js";
import { forkName } from "../../../../src/core/workspaces/fork.js";
import { Pyro, type PyroError } from "../../../../src/sdk/index.js";
import { SAMPLE_WORKSPACE_RECORD } from "../../../support/workspace-record.js";

let home = "";
let pyro: Pyro;
const PARENT = "ws_0123456789ab";

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "pyro-fork-"));
  pyro = new Pyro({ stateDir: join(home, "state"), cacheDir: join(home, "cache") });
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

/** A parent workspace record (network off) in `state`, with its files. */
function writeParent(state: string, paused: boolean): ReturnType<typeof workspacePaths> {
  const paths = workspacePaths(join(home, "state"), PARENT);
  mkdirSync(paths.baselineDir, { recursive: true });
  mkdirSync(paths.logsDir, { recursive: true });
  writeFileSync(paths.baselineTar, "baseline");
  writeFileSync(paths.history, '{"sequence":1}\n');
  writeFileSync(paths.rootfs, "disk");
  const record = { ...SAMPLE_WORKSPACE_RECORD, state, network_policy: "off", network: null, snapshots: [] };
  writeFileSync(paths.record, JSON.stringify(record));
  if (paused) {
    mkdirSync(paths.pauseDir);
    writeFileSync(paths.pauseState, "saved machine");
    writeFileSync(
      paths.pauseManifest,
      JSON.stringify({
        saved_at: "2025-01-01T00:00:00.000Z",
        save_ms: 1,
        state_bytes: 13,
        memory_file: false,
        accel: "tcg",
        published_ports: [],
      }),
    );
  }
  return paths;
}

const code = (p: Promise<unknown>) =>
  p.then(
    () => "resolved",
    (e: PyroError) => e.code,
  );
const workspaceDirs = () => readdirSync(join(home, "state", "workspaces")).sort();

describe("forkName", () => {
  it("names one fork NAME and several NAME-1 ... NAME-K; none without a name", () => {
    expect(forkName("try", 0, 1)).toBe("try");
    expect([0, 1, 2].map((i) => forkName("try", i, 3))).toEqual(["try-1", "try-2", "try-3"]);
    expect(forkName(undefined, 0, 2)).toBeNull();
  });
});

describe("forkWorkspace", () => {
  it("refuses a count outside 1-8 and a bad name before touching anything", async () => {
    for (const count of [0, 9, 1.5]) {
      expect(await code(pyro.forkWorkspace({ workspaceId: PARENT, count }))).toBe("invalid_argument");
    }
    expect(await code(pyro.forkWorkspace({ workspaceId: PARENT, name: "-x" }))).toBe("invalid_argument");
    expect(await code(pyro.forkWorkspace({ workspaceId: PARENT, name: "a".repeat(63) }))).toBe(
      "invalid_argument",
    );
    expect(existsSync(join(home, "state"))).toBe(false);
  });

  it("refuses a name another workspace has (name_taken) and leaves no fork behind", async () => {
    writeParent("paused", true); // named "dev"
    await expect(pyro.forkWorkspace({ workspaceId: PARENT, name: "dev" })).rejects.toMatchObject({
      code: "name_taken",
      message: `name "dev" is taken by workspace "${PARENT}"`,
      details: { name: "dev", workspace_id: PARENT },
    });
    expect(workspaceDirs()).toEqual([PARENT]);
  });

  it("answers workspace_not_found for an unknown parent", async () => {
    expect(await code(pyro.forkWorkspace({ workspaceId: "ws_000000000000" }))).toBe("workspace_not_found");
  });

  it("refuses a stopped parent (workspace_not_running) and leaves no fork behind", async () => {
    writeParent("stopped", false);
    await expect(pyro.forkWorkspace({ workspaceId: PARENT, count: 2 })).rejects.toMatchObject({
      code: "workspace_not_running",
      hint: `pyro workspace start ${PARENT}`,
    });
    expect(workspaceDirs()).toEqual([PARENT]);
  });

  it("an aborted fork is interrupted and keeps nothing", async () => {
    writeParent("paused", true);
    const abort = new AbortController();
    abort.abort();
    const forked = pyro.forkWorkspace({ workspaceId: PARENT, count: 2 }, { signal: abort.signal });
    await expect(forked).rejects.toMatchObject({ code: "interrupted" });
    expect(workspaceDirs()).toEqual([PARENT]);
  });

  it("removes every fork when one cannot start, and leaves the paused parent as it was", async () => {
    const parent = writeParent("paused", true);
    const before = readFileSync(parent.record, "utf8");
    await expect(pyro.forkWorkspace({ workspaceId: PARENT, count: 3, name: "try" })).rejects.toMatchObject({
      code: "environment_not_installed",
      message: expect.stringMatching(/^fork "ws_[0-9a-f]{12}" of "ws_0123456789ab" could not be started/),
      hint: `no fork was kept; workspace "${PARENT}" runs on as it was`,
    });
    expect(workspaceDirs()).toEqual([PARENT]);
    expect(readFileSync(parent.record, "utf8")).toBe(before);
    expect(readFileSync(parent.pauseState, "utf8")).toBe("saved machine");
    expect(readFileSync(parent.rootfs, "utf8")).toBe("disk");
  });
});
