import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { activeMachineIds, withMachineSlot } from "../../../src/core/active-machines.js";
import { PyroError } from "../../../src/errors.js";

describe("the running-VM limit", () => {
  const state = mkdtempSync("/tmp/pyro-slots-");
  afterAll(() => rmSync(state, { recursive: true, force: true }));
  const machine = (kind: "vms" | "workspaces", id: string, pid: number | string) => {
    mkdirSync(join(state, kind, id, "run"), { recursive: true });
    writeFileSync(join(state, kind, id, "run", "sv.pid"), `${pid}\n`);
  };

  it("counts machines whose supervisor pid is alive, in both VMs and workspaces", () => {
    machine("vms", "vm_live", process.pid); // this test process stands in for a live supervisor
    machine("workspaces", "ws_live", process.pid);
    machine("workspaces", "ws_dead", 2 ** 22 + 7); // above pid_max: never a live process
    machine("workspaces", "ws_junk", "not-a-pid");
    mkdirSync(join(state, "workspaces", "ws_creating"), { recursive: true }); // no run dir yet
    expect(activeMachineIds(state).sort()).toEqual(["vm_live", "ws_live"]);
    expect(activeMachineIds(state, "ws_live")).toEqual(["vm_live"]);
  });

  it("launches below the limit, refuses at it with too_many_vms, and never counts the one booting", async () => {
    expect(await withMachineSlot(state, undefined, "ws_new", async () => "no limit")).toBe("no limit");
    expect(await withMachineSlot(state, 3, "ws_new", async () => "launched")).toBe("launched");
    expect(await withMachineSlot(state, 2, "ws_live", async () => "restart")).toBe("restart");
    let launched = false;
    const refused = await withMachineSlot(state, 2, "ws_new", async () => {
      launched = true;
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PyroError);
    expect((refused as PyroError).code).toBe("too_many_vms");
    expect((refused as PyroError).details).toMatchObject({ max_active_vms: 2 });
    expect(launched).toBe(false);
  });
});
