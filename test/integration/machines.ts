/**
 * The machines (workspaces and one-shot VMs) under one PYRO_HOME, as the workspace-test fixture
 * sees them: listed from the state dirs (whatever made them: CLI, SDK or MCP), deleted through
 * the SDK with the result checked, their logs and records copied out, and the processes still
 * running for them named by machine id. The layout comes from src/core/paths.ts.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { machinePaths, statePaths, vmPaths, workspacePaths } from "../../src/core/paths.js";
import { Pyro } from "../../src/sdk/index.js";
import { processTable } from "./fixtures.js";

const MACHINE_ID = /^(ws|vm)_[0-9a-f]+$/;

/** A workspace (`ws_…`) or one-shot VM (`vm_…`) id. */
export type MachineId = string;

/** Ids of every workspace and VM directory under `home` right now. */
export function listMachines(home: string): MachineId[] {
  const ids: MachineId[] = [];
  for (const dir of [statePaths.workspacesDir(home), statePaths.vmsDir(home)]) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) if (MACHINE_ID.test(name)) ids.push(name);
  }
  return ids.sort();
}

/** The state directory and record file of a machine id. */
export function machineFiles(home: string, id: MachineId): { dir: string; record: string } {
  const paths = id.startsWith("ws_") ? workspacePaths(home, id) : vmPaths(home, id);
  return { dir: paths.dir, record: paths.record };
}

/** Pids and command names of the processes whose command line names the machine's directory. */
export function machineProcesses(home: string, id: MachineId): string[] {
  const needle = `${machineFiles(home, id).dir}/`;
  return processTable()
    .filter((p) => p.cmdline.includes(needle))
    .map((p) => `pid ${p.pid} ${p.command}`);
}

/**
 * Processes mentioning `home`, grouped by the machine id their command line names (a
 * supervisor's config path, QEMU's sockets); `(no machine)` for any that names none.
 */
export function processesByMachine(home: string): Map<string, { pid: number; command: string }[]> {
  const byId = new Map<string, { pid: number; command: string }[]>();
  for (const p of processTable()) {
    if (!p.cmdline.includes(`${home}/`)) continue;
    const id = /\/(?:workspaces|vms)\/((?:ws|vm)_[0-9a-f]+)/.exec(p.cmdline)?.[1] ?? "(no machine)";
    byId.set(id, [...(byId.get(id) ?? []), { pid: p.pid, command: p.command }]);
  }
  return byId;
}

/**
 * Deletes a machine through the SDK and checks that its directory and processes are gone
 * (processes get up to 5 s to exit). Resolves to undefined when it is gone, else to why not,
 * naming the id. A machine that no longer exists counts as deleted.
 */
export async function deleteMachine(home: string, id: MachineId): Promise<string | undefined> {
  const pyro = new Pyro({ stateDir: home });
  try {
    if (id.startsWith("ws_")) await pyro.deleteWorkspace(id);
    else await pyro.deleteVm(id);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== "workspace_not_found" && code !== "vm_not_found")
      return `delete of ${id} failed: ${code ? `${code}: ` : ""}${(err as Error).message}`;
  }
  let running = machineProcesses(home, id);
  for (let i = 0; i < 50 && running.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    running = machineProcesses(home, id);
  }
  if (running.length > 0) return `${id} still has processes after its delete: ${running.join(", ")}`;
  if (existsSync(machineFiles(home, id).dir))
    return `${id}: its state directory is still there after its delete`;
  return undefined;
}

/**
 * Copies each machine's console log, supervisor log, record and supervisor state into
 * `dest/<id>/`. Log paths come from the machine's supervisor config when it has one (that is
 * where the supervisor wrote them), else from the standard layout. Returns what was copied.
 */
export function saveMachineArtifacts(home: string, ids: MachineId[], dest: string): string[] {
  const saved: string[] = [];
  for (const id of ids) {
    const { dir, record } = machineFiles(home, id);
    const paths = machinePaths(dir);
    const logs = supervisorLogPaths(paths.supervisorConfig);
    const files = [
      logs.console ?? paths.consoleLog,
      logs.supervisor ?? paths.supervisorLog,
      record,
      paths.supervisorState,
    ];
    const present = files.filter((f) => existsSync(f));
    if (present.length === 0) continue;
    mkdirSync(join(dest, id), { recursive: true });
    for (const file of present) {
      copyFileSync(file, join(dest, id, basename(file)));
      saved.push(`${id}/${basename(file)}`);
    }
  }
  return saved;
}

function supervisorLogPaths(configPath: string): { console?: string; supervisor?: string } {
  try {
    const config = JSON.parse(readFileSync(configPath, "utf8"));
    return { console: config.vm?.consoleLogPath, supervisor: config.logPath };
  } catch {
    return {}; // no config yet (killed mid-create) or never launched: the standard layout
  }
}
