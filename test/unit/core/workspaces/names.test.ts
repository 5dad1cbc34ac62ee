/**
 * Unique workspace names (src/core/workspaces/names.ts) without a guest: the claim two callers
 * race for, and rename (`workspace update --name`). Create and fork refuse a taken name too:
 * fork.test.ts here, and the guest tests workspace.test.ts and fork.test.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { workspacePaths } from "../../../../src/core/paths.js";
import { withNamesClaimed, workspacesNamed } from "../../../../src/core/workspaces/names.js";
import { Pyro } from "../../../../src/sdk/index.js";
import { SAMPLE_WORKSPACE_RECORD } from "../../../support/workspace-record.js";

let home = "";
let state = "";
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "pyro-names-"));
  state = join(home, "state");
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

/** A stopped workspace record `id` named `name` (network off: nothing to tear down). */
function writeWorkspace(id: string, name: string | null): string {
  const paths = workspacePaths(state, id);
  mkdirSync(paths.dir, { recursive: true });
  const record = { ...SAMPLE_WORKSPACE_RECORD, workspace_id: id, name, state: "stopped" };
  writeFileSync(paths.record, JSON.stringify({ ...record, network_policy: "off", network: null }));
  return paths.record;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("withNamesClaimed", () => {
  it("lets one of two concurrent claims of a name win; the other finds it taken and runs nothing", async () => {
    const ran: string[] = [];
    // Each writes its record only after a pause: without the lock both would find the name free.
    const claim = (id: string) =>
      withNamesClaimed(state, ["twin"], async () => {
        await sleep(200);
        writeWorkspace(id, "twin");
        ran.push(id);
      });
    const results = await Promise.allSettled([claim("ws_00000000000a"), claim("ws_00000000000b")]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(ran).toHaveLength(1);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({
      code: "name_taken",
      details: { name: "twin", workspace_id: ran[0] },
    });
    expect(await workspacesNamed(state, "twin")).toEqual(ran);
  });

  it("checks every name of a fork, ignores the renamed workspace itself and no name at all", async () => {
    writeWorkspace("ws_00000000000a", "try-2");
    await expect(withNamesClaimed(state, ["try-1", "try-2"], async () => "made")).rejects.toMatchObject({
      code: "name_taken",
      message: 'name "try-2" is taken by workspace "ws_00000000000a"',
    });
    expect(await withNamesClaimed(state, ["try-2"], async () => "kept", "ws_00000000000a")).toBe("kept");
    expect(await withNamesClaimed(state, [null, undefined], async () => "unnamed")).toBe("unnamed");
  });
});

describe("updateWorkspace --name", () => {
  it("refuses a name another workspace has and changes nothing; its own name is fine", async () => {
    const pyro = new Pyro({ stateDir: state, cacheDir: join(home, "cache") });
    writeWorkspace("ws_00000000000a", "alpha");
    const record = writeWorkspace("ws_00000000000b", "beta");
    const before = readFileSync(record, "utf8");
    await expect(
      pyro.updateWorkspace({ workspaceId: "beta", name: "alpha", labels: { x: "y" } }),
    ).rejects.toMatchObject({ code: "name_taken", hint: expect.stringContaining("ws_00000000000a") });
    expect(readFileSync(record, "utf8")).toBe(before);
    expect((await pyro.updateWorkspace({ workspaceId: "beta", name: "beta" })).name).toBe("beta");
    expect((await pyro.updateWorkspace({ workspaceId: "beta", name: "gamma" })).name).toBe("gamma");
  });
});
