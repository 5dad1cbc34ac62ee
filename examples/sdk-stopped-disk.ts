/**
 * Stopped workspaces with the TypeScript SDK: stop (the disk is flushed, the VM powered off),
 * list and read /workspace from the disk image without booting, start again, delete.
 *
 * Prerequisites and how to run: see examples/sdk-workspace.ts.
 */
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { Pyro } from "../src/index.js";

const log = (message: string) => console.log(`[sdk-stopped-disk] ${message}`);

/** Runs the example. `stateDir` overrides PYRO_HOME (the test passes a private one). */
export async function main(stateDir?: string): Promise<void> {
  const pyro = new Pyro(stateDir ? { stateDir } : {});
  const { workspaceId } = await pyro.createWorkspace({ environment: "debian:12" });
  try {
    await pyro.execWorkspace({
      workspaceId,
      command: ["sh", "-c", "mkdir -p out && echo 42 > out/result.txt"],
    });

    const stopped = await pyro.stopWorkspace(workspaceId);
    assert.equal(stopped.workspace.state, "stopped");
    const disk = await pyro.listWorkspaceDisk({ workspaceId, recursive: true });
    const file = await pyro.readWorkspaceDisk({ workspaceId, path: "out/result.txt" });
    assert.equal(file.content, "42\n");
    log(
      `stopped; the disk lists ${disk.entries.map((e) => e.path).join(", ")}; out/result.txt = ${file.content.trim()}`,
    );

    const started = await pyro.startWorkspace(workspaceId);
    assert.equal(started.workspace.state, "started");
    const again = await pyro.execWorkspace({ workspaceId, command: ["cat", "out/result.txt"] });
    assert.equal(again.stdout, "42\n");
    log("started again from the same disk; out/result.txt is still there");
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
