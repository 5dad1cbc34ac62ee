/**
 * A workspace walkthrough with the TypeScript SDK: seed, sync, exec, diff, export, a service,
 * a snapshot and a reset, stop with an offline disk listing, start again, delete.
 *
 * Prerequisites: `npm run build` and an installed `debian:12` (`scripts/setup.sh` or
 * `pyro env pull debian:12`). Run it through its test:
 *   npx vitest run --project integration test/integration/examples.test.ts
 * or directly with a TypeScript runner, e.g. `npx tsx examples/sdk-workspace.ts`.
 * In your own project, import from "pyro-mcp" instead of "../src/sdk/index.js".
 *
 * Exits non-zero (throws from `main`) on any unexpected result; the workspace is always deleted.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Pyro, PyroError } from "../src/sdk/index.js";

const ENVIRONMENT = "debian:12";

function step(message: string): void {
  console.log(`[sdk-workspace] ${message}`);
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`unexpected result: ${message}`);
}

/** Runs the walkthrough. `stateDir` overrides PYRO_HOME (tests pass a private one). */
export async function main(stateDir?: string): Promise<void> {
  const pyro = new Pyro(stateDir ? { stateDir } : {});
  const work = mkdtempSync(join(tmpdir(), "pyro-sdk-example-"));
  let workspaceId: string | undefined;
  const cleanUp = async () => {
    rmSync(work, { recursive: true, force: true });
    if (!workspaceId) return;
    await pyro.deleteWorkspace(workspaceId);
    step(`deleted ${workspaceId}`);
  };
  try {
    await walkThrough(pyro, work, (id) => {
      workspaceId = id;
    });
  } catch (err) {
    // Delete the workspace, but never hide the walkthrough's own error behind a cleanup error.
    await cleanUp().catch((cleanupErr: unknown) => {
      console.error(`[sdk-workspace] could not delete ${workspaceId}: ${String(cleanupErr)}`);
    });
    throw err;
  }
  await cleanUp();
}

async function walkThrough(
  pyro: Pyro,
  work: string,
  onCreated: (workspaceId: string) => void,
): Promise<void> {
  // A small project to seed /workspace with, and a change to push later.
  const seed = join(work, "seed");
  mkdirSync(join(seed, "src"), { recursive: true });
  writeFileSync(join(seed, "README.md"), "# demo project\n");
  writeFileSync(join(seed, "src", "app.sh"), "echo app v1\n");
  const change = join(work, "change");
  mkdirSync(join(change, "src"), { recursive: true });
  writeFileSync(join(change, "src", "app.sh"), "echo app v2\n");
  writeFileSync(join(change, "NOTES.md"), "pushed from the host\n");

  const ws = await pyro.createWorkspace({
    environment: ENVIRONMENT,
    seedPath: seed,
    labels: { example: "sdk-workspace" },
  });
  const workspaceId = ws.workspaceId;
  onCreated(workspaceId);
  check(ws.state === "started", `workspace state ${ws.state}, expected started`);
  check(ws.workspaceSeed.mode === "directory", `seed mode ${ws.workspaceSeed.mode}`);
  step(`created ${ws.workspaceId} (${ws.environment}, ${ws.executionMode})`);

  const sync = await pyro.pushWorkspaceSync({ workspaceId, sourcePath: change });
  check(sync.entries > 0, "sync push copied nothing");
  step(`pushed ${sync.entries} entries (${sync.bytes} bytes) into ${sync.destination}`);

  const run = await pyro.execWorkspace({
    workspaceId,
    command: ["sh", "-c", "sh src/app.sh; cat NOTES.md"],
  });
  check(run.exitCode === 0, `exec exit code ${run.exitCode}: ${run.stderr}`);
  check(run.stdout.includes("app v2"), `exec stdout ${JSON.stringify(run.stdout)}`);
  const failing = await pyro.execWorkspace({ workspaceId, command: ["sh", "-c", "exit 3"] });
  check(failing.exitCode === 3, `a failing command is a result, not an error (got ${failing.exitCode})`);
  step(`exec: ${JSON.stringify(run.stdout.trim().split("\n"))}, then exit code ${failing.exitCode}`);

  const diff = await pyro.diffWorkspace(workspaceId);
  check(diff.changed, "diff shows no change");
  check(diff.patch.includes("+echo app v2"), "diff patch lacks the pushed change");
  const changedPaths = diff.entries.map((e) => `${e.status}:${e.path}`);
  check(
    changedPaths.some((p) => p.startsWith("added:") && p.endsWith("NOTES.md")),
    `diff entries ${changedPaths}`,
  );
  step(`diff vs baseline: ${changedPaths.join(", ")}`);

  const exported = join(work, "exported-src");
  const exp = await pyro.exportWorkspace({ workspaceId, path: "src", outputPath: exported });
  check(readFileSync(join(exported, "app.sh"), "utf8") === "echo app v2\n", "exported app.sh differs");
  step(`exported ${exp.guestPath} (${exp.kind}, ${exp.entries} entries) to the host`);

  const service = await pyro.startService({
    workspaceId,
    serviceName: "ticker",
    command: ["sh", "-c", "touch .ready; while :; do echo tick; sleep 1; done"],
    readyFile: ".ready",
    readyTimeoutSeconds: 30,
  });
  check(service.state === "ready", `service state ${service.state} (${service.stopReason})`);
  step(`service ${service.serviceName} is ${service.state} (pid ${service.pid})`);

  const snapshot = await pyro.createSnapshot({ workspaceId, name: "after-push" });
  step(`snapshot ${snapshot.name} (${snapshot.sizeBytes} bytes)`);

  await pyro.writeWorkspaceFile({ workspaceId, path: "scratch.txt", text: "to be discarded\n" });
  const reset = await pyro.resetWorkspace({ workspaceId, snapshot: "after-push" });
  check(reset.state === "started", `state after reset ${reset.state}`);
  check(reset.runningServiceCount === 0, "services survived the reset");
  const afterReset = await pyro.execWorkspace({
    workspaceId,
    command: ["sh", "-c", "test ! -e scratch.txt && cat src/app.sh"],
  });
  check(afterReset.exitCode === 0, "scratch.txt survived the reset (or src/app.sh is missing)");
  check(afterReset.stdout === "echo app v2\n", `app.sh after reset ${JSON.stringify(afterReset.stdout)}`);
  step("reset to after-push: scratch.txt gone, pushed change kept, services cleared");

  const stopped = await pyro.stopWorkspace(workspaceId);
  check(stopped.workspace.state === "stopped", `state after stop ${stopped.workspace.state}`);
  const disk = await pyro.listWorkspaceDisk({ workspaceId, recursive: true });
  const diskPaths = disk.entries.map((e) => e.path);
  check(
    diskPaths.some((p) => p.endsWith("src/app.sh")),
    `disk listing lacks src/app.sh: ${diskPaths}`,
  );
  step(`stopped; the disk image lists ${disk.entries.length} entries without booting`);

  const started = await pyro.startWorkspace(workspaceId);
  check(started.workspace.state === "started", `state after start ${started.workspace.state}`);
  const again = await pyro.execWorkspace({ workspaceId, command: ["cat", "NOTES.md"] });
  check(again.stdout === "pushed from the host\n", `NOTES.md after restart ${JSON.stringify(again.stdout)}`);
  step("started again; /workspace is intact");
}

// Run only when executed directly, not when imported (the test imports `main`).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    () => step("done"),
    (err: unknown) => {
      const code = err instanceof PyroError ? `[${err.code}]` : "";
      console.error(`error${code}: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    },
  );
}
