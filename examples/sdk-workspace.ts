/**
 * The everyday workspace loop with the TypeScript SDK: create from a seed directory, sync push
 * a change, exec, diff against the create-time baseline, export a file back, delete.
 *
 * Prerequisites: `npm run build` and an installed `debian:12` (`scripts/setup.sh`). Run it with
 * its test (`npx vitest run --project integration test/integration/examples.test.ts`) or with a
 * TypeScript runner (`npx tsx examples/sdk-workspace.ts`). In your own project, import from
 * "pyro-mcp" instead of "../src/index.js".
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Pyro } from "../src/index.js";

const log = (message: string) => console.log(`[sdk-workspace] ${message}`);

/** Runs the example. `stateDir` overrides PYRO_HOME (the test passes a private one). */
export async function main(stateDir?: string): Promise<void> {
  const pyro = new Pyro(stateDir ? { stateDir } : {});
  const host = mkdtempSync(join(tmpdir(), "pyro-example-"));
  mkdirSync(join(host, "seed"));
  writeFileSync(join(host, "seed", "app.sh"), "echo app v1\n");
  mkdirSync(join(host, "change"));
  writeFileSync(join(host, "change", "app.sh"), "echo app v2\n");

  const ws = await pyro.createWorkspace({ environment: "debian:12", seedPath: join(host, "seed") });
  const workspaceId = ws.workspaceId;
  try {
    log(`created ${workspaceId} (${ws.environment}, seed: ${ws.workspaceSeed.mode})`);

    const sync = await pyro.pushWorkspaceSync({ workspaceId, sourcePath: join(host, "change") });
    log(`pushed ${sync.entries} entries (${sync.bytes} bytes) into ${sync.destination}`);

    const run = await pyro.execWorkspace({ workspaceId, command: ["sh", "app.sh"] });
    assert.equal(run.stdout, "app v2\n");
    // A failing command is a result with its exit code, not an exception.
    const failing = await pyro.execWorkspace({ workspaceId, command: ["sh", "-c", "exit 3"] });
    assert.equal(failing.exitCode, 3);
    log(`exec: ${run.stdout.trim()}, then exit code ${failing.exitCode}`);

    const diff = await pyro.diffWorkspace(workspaceId);
    assert.ok(diff.patch.includes("-echo app v1\n+echo app v2\n"), diff.patch);
    log(`diff vs baseline: ${diff.entries.map((e) => `${e.status} ${e.path}`).join(", ")}`);

    const output = join(host, "app-from-vm.sh");
    const exported = await pyro.exportWorkspace({ workspaceId, path: "app.sh", outputPath: output });
    assert.equal(readFileSync(output, "utf8"), "echo app v2\n");
    log(`exported ${exported.guestPath} to the host`);
  } finally {
    await pyro.deleteWorkspace(workspaceId);
    rmSync(host, { recursive: true, force: true });
    log(`deleted ${workspaceId}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
