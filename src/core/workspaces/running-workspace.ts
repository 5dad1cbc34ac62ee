/** What the shell and service operations share: a running workspace's agent clients and its secret env. */
import { machineClient } from "../machine.js";
import { GuestServices } from "./guest-services.js";
import { GuestShells } from "./guest-shells.js";
import type { WorkspaceManager } from "./manager.js";
import { readWorkspaceRecord } from "./record.js";
import { secretEnv } from "./secrets.js";

/** Resolves the workspace, checks it runs, and hands out agent clients. @throws PyroError workspace_not_running */
export async function runningWorkspace(ws: WorkspaceManager, ref: string) {
  const id = await ws.resolve(ref);
  await ws.requireRunning(id);
  const client = machineClient(ws.paths(id));
  return { id, client, shells: new GuestShells(client), services: new GuestServices(client) };
}

/** The agent's `secret_env` for `NAME[=ENV_VAR]` specs. @throws PyroError secret_not_found */
export async function secretEnvFor(ws: WorkspaceManager, id: string, specs: string[]) {
  if (specs.length === 0) return undefined;
  const record = await readWorkspaceRecord(ws.config.stateDir, id);
  try {
    return secretEnv(
      specs,
      record.secrets.map((s) => s.name),
    );
  } catch (err) {
    // A value typed where a name belongs must not come back in the error.
    throw (await ws.redactor(id)).error(err);
  }
}
