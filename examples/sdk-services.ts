/**
 * Long-running processes in a workspace with the TypeScript SDK: start a service that is
 * ready once it writes a file, look at its status, stop it, read its logs, delete.
 *
 * Prerequisites and how to run: see examples/sdk-workspace.ts.
 */
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { Pyro } from "../src/index.js";

const log = (message: string) => console.log(`[sdk-services] ${message}`);

/** Runs the example. `stateDir` overrides PYRO_HOME (the test passes a private one). */
export async function main(stateDir?: string): Promise<void> {
  const pyro = new Pyro(stateDir ? { stateDir } : {});
  const { workspaceId } = await pyro.createWorkspace({ environment: "debian:12" });
  try {
    // startService returns once the readiness probe passes (or with state "failed" and a
    // stopReason when it does not within readyTimeoutSeconds).
    const started = await pyro.startService({
      workspaceId,
      serviceName: "ticker",
      command: ["sh", "-c", "echo started; touch .ready; while :; do echo tick; sleep 1; done"],
      readyFile: ".ready",
      readyTimeoutSeconds: 30,
    });
    assert.equal(started.state, "ready", `service ${started.state}: ${started.stopReason}`);
    log(`service ${started.serviceName} is ${started.state} (pid ${started.pid})`);

    const list = await pyro.listServices(workspaceId);
    assert.equal(list.runningCount, 1);
    log(`${list.runningCount} of ${list.count} services running`);

    const stopped = await pyro.stopService({ workspaceId, serviceName: "ticker" });
    assert.equal(stopped.state, "stopped");
    // Logs live outside /workspace and outlast the process.
    const logs = await pyro.logsService({ workspaceId, serviceName: "ticker", tailLines: 100 });
    assert.ok(logs.stdout.startsWith("started\n"), logs.stdout);
    log(`stopped ${stopped.serviceName} (${stopped.stopReason}); its log starts with "started"`);
  } finally {
    await pyro.deleteWorkspace(workspaceId);
    log(`deleted ${workspaceId}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
