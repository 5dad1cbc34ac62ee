import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activeMachineIds, withMachineSlot } from "../../../src/core/active-machines.js";
import { PyroError } from "../../../src/errors.js";

describe("the running-VM limit", () => {
  const state = mkdtempSync("/tmp/pyro-slots-");
  const stand_ins: ChildProcess[] = [];
  const runDir = (kind: string, id: string) => join(state, kind, id, "run");
  /** A live process whose command line names the machine's sv-config.json, as a supervisor's does. */
  const supervisorFor = (kind: string, id: string) => {
    // `; :` keeps sh from exec'ing sleep, so its own command line (with the path as $0) stays.
    const child = spawn("sh", ["-c", "sleep 60; :", join(runDir(kind, id), "sv-config.json")], {
      stdio: "ignore",
    });
    child.on("error", () => undefined);
    stand_ins.push(child);
    return child.pid as number;
  };
  const machine = (kind: "vms" | "workspaces", id: string, pid: number | string) => {
    mkdirSync(runDir(kind, id), { recursive: true });
    writeFileSync(join(runDir(kind, id), "sv.pid"), `${pid}\n`);
  };
  beforeAll(async () => {
    machine("vms", "vm_live", supervisorFor("vms", "vm_live"));
    machine("workspaces", "ws_live", supervisorFor("workspaces", "ws_live"));
    await new Promise((r) => setTimeout(r, 100)); // let sh exec, so its command line is set
  });
  afterAll(() => {
    for (const child of stand_ins) child.kill("SIGKILL");
    rmSync(state, { recursive: true, force: true });
  });

  it("counts machines whose own supervisor runs, in both VMs and workspaces", () => {
    machine("workspaces", "ws_dead", 2 ** 22 + 7); // above pid_max: never a live process
    machine("workspaces", "ws_reused", process.pid); // alive, but not this machine's supervisor
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
