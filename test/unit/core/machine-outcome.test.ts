import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { machineCrash, supervisorRuns } from "../../../src/core/machine-outcome.js";
import type { SupervisorState } from "../../../src/supervisor/protocol.js";

// The supervisor's own golden records (protocol/supervisor), as core reads them from sv.json.
const golden = (file: string) =>
  JSON.parse(
    readFileSync(resolve(import.meta.dirname, "../../../protocol/supervisor", file), "utf8"),
  ) as SupervisorState;
const ready = golden("state_ready.json");
const crashed = golden("state_crashed.json");
const exited = golden("state_exited.json");
const dead = () => false;
const running = () => true;

describe("machineCrash", () => {
  it.each([
    ["a live supervisor that recorded the VMM's crash", crashed, null, running, "vmm_crashed"],
    ["a gone supervisor whose last record is the crash", null, crashed, dead, "vmm_crashed"],
    ["a supervisor killed while the VM was ready", null, ready, dead, "vmm_crashed"],
    ["a supervisor that is alive but did not answer in time", null, ready, running, undefined],
    ["a VM stopped on request", null, exited, dead, undefined],
    ["a VM stopped at its TTL", null, { ...exited, state: "expired" }, dead, undefined],
    ["a VM stopping right now", { ...ready, state: "stopping" }, null, running, undefined],
    ["no record at all", null, null, dead, undefined],
  ] as const)("%s", (_name, live, recorded, alive, code) => {
    expect(
      machineCrash(live as SupervisorState | null, recorded as SupervisorState | null, alive)?.code,
    ).toBe(code);
  });

  it("names the dead supervisor in the reason", () => {
    expect(machineCrash(null, ready, dead)?.message).toMatch(
      /supervisor \(pid 4100\) died while the VM was ready/,
    );
  });
});

describe("supervisorRuns", () => {
  it("is false for a pid that runs something else, and for no process at all", () => {
    expect(supervisorRuns(process.pid, "/nonexistent/run/sv-config.json")).toBe(false);
    expect(supervisorRuns(2 ** 22 + 1, "/x")).toBe(false);
  });
  it("is true for a process whose command line names the config", () => {
    const ownArgv0 = readFileSync(`/proc/${process.pid}/cmdline`, "utf8").split("\0")[0] ?? "";
    expect(supervisorRuns(process.pid, ownArgv0)).toBe(true);
  });
});
