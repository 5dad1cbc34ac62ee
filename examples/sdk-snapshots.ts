/**
 * Checkpoints with the TypeScript SDK: snapshot /workspace, break things, reset to the
 * snapshot (a fresh VM with /workspace restored), list snapshots, delete.
 *
 * Prerequisites and how to run: see examples/sdk-workspace.ts.
 */
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { Pyro } from "../src/index.js";

const log = (message: string) => console.log(`[sdk-snapshots] ${message}`);

/** Runs the example. `stateDir` overrides PYRO_HOME (the test passes a private one). */
export async function main(stateDir?: string): Promise<void> {
  const pyro = new Pyro(stateDir ? { stateDir } : {});
  const { workspaceId } = await pyro.createWorkspace({ environment: "debian:12" });
  try {
    await pyro.writeWorkspaceFile({ workspaceId, path: "config.txt", text: "good\n" });
    const snapshot = await pyro.createSnapshot({ workspaceId, name: "known-good" });
    log(`snapshot ${snapshot.name} (${snapshot.sizeBytes} bytes)`);

    await pyro.execWorkspace({ workspaceId, command: ["sh", "-c", "echo broken > config.txt; touch junk"] });
    const reset = await pyro.resetWorkspace({ workspaceId, snapshot: "known-good" });
    assert.equal(reset.state, "started");
    assert.equal(reset.commandCount, 0); // history starts over with the fresh VM

    const after = await pyro.execWorkspace({ workspaceId, command: ["sh", "-c", "cat config.txt; ls"] });
    assert.equal(after.stdout, "good\nconfig.txt\n");
    log("reset to known-good: config.txt restored, junk gone");

    const { snapshots } = await pyro.listSnapshots(workspaceId);
    assert.deepEqual(
      snapshots.map((s) => s.name),
      ["baseline", "known-good"],
    );
    log(`snapshots: ${snapshots.map((s) => (s.implicit ? `${s.name} (implicit)` : s.name)).join(", ")}`);
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
