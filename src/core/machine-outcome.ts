/**
 * How a machine that should be running ended, from what its supervisor recorded
 * (`run/sv.json`) and whether it still answers. A VM whose VMM or supervisor died without a
 * stop request is a crash: `failed`, never silently `stopped` (issue 12, crash visibility).
 */
import { readFileSync } from "node:fs";
import type { SupervisorState } from "../supervisor/protocol.js";

/** The error code of a machine whose VMM (or supervisor, and the VMM with it) died unasked. */
export const CRASH_CODE = "vmm_crashed";

/** The `{code, message}` a crashed machine's record shows. */
export interface MachineCrash {
  code: string;
  message: string;
}

/**
 * The crash of a machine whose record says it runs but whose supervisor is not `ready`, or
 * undefined when it ended on request (`exited`, `expired`), is still booting or stopping, or
 * never recorded a state.
 * - The supervisor answers (`live`) and says `failed`: its error (e.g. `vmm_crashed`).
 * - It does not answer, its last record says `failed`: that error.
 * - It does not answer, its last record says it was running (`booting`, `ready`, `stopping`)
 *   and its process is gone: the supervisor itself died (`kill -9`, host reboot).
 * `alive` tells whether the supervisor pid still runs (tests pass their own).
 */
export function machineCrash(
  live: SupervisorState | null,
  recorded: SupervisorState | null,
  alive: (pid: number) => boolean,
): MachineCrash | undefined {
  const last = live ?? recorded;
  if (!last) return undefined;
  if (last.state === "failed") {
    return last.error ?? { code: CRASH_CODE, message: "the VM failed without recording why" };
  }
  if (live || last.state === "exited" || last.state === "expired" || alive(last.supervisor_pid)) {
    return undefined;
  }
  return {
    code: CRASH_CODE,
    message: `the VM's supervisor (pid ${last.supervisor_pid}) died while the VM was ${last.state}; its VMM died with it`,
  };
}

/**
 * Whether `pid` is still this machine's supervisor: it runs (a zombie waiting to be reaped has
 * ended) and its command line names the machine's launch config, so a reused pid is not taken
 * for it.
 */
export function supervisorRuns(pid: number, configPath: string): boolean {
  try {
    if (/^\S+ \(.*\) [ZX] /s.test(readFileSync(`/proc/${pid}/stat`, "utf8"))) return false;
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(configPath);
  } catch {
    return false;
  }
}
