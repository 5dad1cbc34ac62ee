/**
 * How many VMs (one-shot VMs and workspaces) of one state directory run right now, for the
 * `maxActiveVms` limit. A machine counts while its supervisor process is alive; the pid file
 * is the supervisor's own (written at launch, removed at exit).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PyroError } from "../errors.js";
import { withLock } from "./lock.js";
import { supervisorRuns } from "./machine-outcome.js";
import { type MachinePaths, machinePaths, statePaths } from "./paths.js";

/** Whether the machine's own supervisor runs: a stale sv.pid (kill -9, host reboot) whose pid
 * now belongs to another process does not count. */
function alive(paths: MachinePaths): boolean {
  try {
    const pid = Number(readFileSync(paths.supervisorPid, "utf8").trim());
    if (!Number.isInteger(pid) || pid <= 1) return false;
    return supervisorRuns(pid, paths.supervisorConfig);
  } catch {
    return false;
  }
}

/** Ids of the machines under `stateDir` whose supervisor runs, except `exceptId`. */
export function activeMachineIds(stateDir: string, exceptId?: string): string[] {
  const ids: string[] = [];
  for (const root of [statePaths.vmsDir(stateDir), statePaths.workspacesDir(stateDir)]) {
    let names: string[] = [];
    try {
      names = readdirSync(root);
    } catch {
      continue;
    }
    for (const id of names) {
      if (id !== exceptId && alive(machinePaths(join(root, id)))) ids.push(id);
    }
  }
  return ids;
}

/**
 * Runs `launch` only while fewer than `max` machines of `stateDir` run (undefined = no limit).
 * The count and the launch happen under one host lock, so two boots cannot both take the
 * last slot.
 * @throws PyroError too_many_vms naming the running ones
 */
export async function withMachineSlot<T>(
  stateDir: string,
  max: number | undefined,
  id: string,
  launch: () => Promise<T>,
): Promise<T> {
  if (max === undefined) return launch();
  return withLock(
    join(statePaths.hostDir(stateDir), "machine-slots"),
    async () => {
      const running = activeMachineIds(stateDir, id);
      if (running.length >= max) {
        throw new PyroError(
          "too_many_vms",
          `${running.length} of at most ${max} VMs already run here: ${running.join(", ")}`,
          {
            details: { max_active_vms: max, running },
            hint: "stop or delete one (`pyro workspace stop WS`, or wait for a one-shot run to end), or raise maxActiveVms / PYRO_MAX_ACTIVE_VMS",
          },
        );
      }
      return launch();
    },
    { waitMs: 60_000 },
  );
}
