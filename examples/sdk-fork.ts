/**
 * Trying two approaches from one state with the TypeScript SDK: set a workspace up once (a
 * file, a shell with a variable), fork it into two, change each fork its own way, compare, and
 * delete them all. The parent runs on untouched; each fork diffs against the parent's baseline.
 * Three VMs run at once here.
 *
 * Prerequisites and how to run: see examples/sdk-workspace.ts (its test is
 * test/integration/fork.test.ts).
 */
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { Pyro } from "../src/index.js";

const log = (message: string) => console.log(`[sdk-fork] ${message}`);

/** Runs the example. `stateDir` overrides PYRO_HOME (the test passes a private one). */
export async function main(stateDir?: string): Promise<void> {
  const pyro = new Pyro(stateDir ? { stateDir } : {});
  const { workspaceId } = await pyro.createWorkspace({ environment: "debian:12" });
  const made = [workspaceId];
  try {
    await pyro.writeWorkspaceFile({ workspaceId, path: "app.sh", text: "echo v1 $MODE\n" });
    const shell = await pyro.openShell({ workspaceId });
    await pyro.writeShell({ workspaceId, shellId: shell.shellId, input: "export MODE=fast" });
    await pyro.readShell({ workspaceId, shellId: shell.shellId, waitForIdleMs: 300 }); // bash took it

    const fork = await pyro.forkWorkspace({ workspaceId, count: 2, name: "attempt" });
    made.push(...fork.workspaces.map((w) => w.workspaceId));
    assert.ok(fork.workspaces.every((w) => w.forkedFrom === workspaceId && w.state === "started"));
    log(`forked ${workspaceId} into ${fork.workspaces.map((w) => w.name).join(", ")}`);

    const [a, b] = fork.workspaces.map((w) => w.workspaceId) as [string, string];
    await pyro.writeWorkspaceFile({ workspaceId: a, path: "app.sh", text: "echo v2-a $MODE\n" });
    await pyro.writeWorkspaceFile({ workspaceId: b, path: "app.sh", text: "echo v2-b $MODE\n" });
    const outputs: string[] = [];
    for (const id of [workspaceId, a, b]) {
      // The shell carried over: run the app in each machine's copy of it.
      await pyro.writeShell({ workspaceId: id, shellId: shell.shellId, input: "sh -c '. ./app.sh'" });
      outputs.push(await shellLine(pyro, id, shell.shellId, /^v\S+ fast$/m));
    }
    assert.deepEqual(outputs, ["v1 fast", "v2-a fast", "v2-b fast"]);
    log(`parent: ${outputs[0]}; attempt-1: ${outputs[1]}; attempt-2: ${outputs[2]}`);

    const diff = await pyro.diffWorkspace(a);
    assert.ok(diff.patch.includes("+echo v2-a $MODE"));
    log(`attempt-1 vs the parent's baseline: ${diff.entries.map((e) => `${e.status} ${e.path}`).join(", ")}`);
  } finally {
    for (const id of made.reverse()) await pyro.deleteWorkspace(id);
    log(`deleted ${made.length} workspaces`);
  }
}

/**
 * The first line of a shell's screen that matches `pattern`, read again until it appears: a
 * quiet spell (waitForIdleMs) is no proof that a command has printed, on a busy host. Gives up
 * after 30 s with the screen as it is.
 */
async function shellLine(pyro: Pyro, workspaceId: string, shellId: string, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const read = await pyro.readShell({ workspaceId, shellId, plain: true, waitForIdleMs: 300 });
    const line = read.output.match(pattern)?.[0];
    if (line !== undefined || Date.now() > deadline) return line ?? read.output;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
