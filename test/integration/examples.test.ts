/**
 * The TypeScript examples in examples/ run end to end against real guests, one VM at a time,
 * each with this file's private PYRO_HOME. (examples/stopped-workspace.sh runs in
 * stopped-workspace.test.ts, examples/sdk-fork.ts, three VMs at once, in fork.test.ts.) Each example asserts its own results; here we check that it ran
 * through its steps and cleaned up.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main as mcpInProcess } from "../../examples/mcp-in-process.js";
import { main as sdkSecretsPorts } from "../../examples/sdk-secrets-ports.js";
import { main as sdkServices } from "../../examples/sdk-services.js";
import { main as sdkSnapshots } from "../../examples/sdk-snapshots.js";
import { main as sdkStoppedDisk } from "../../examples/sdk-stopped-disk.js";
import { main as sdkWorkspace } from "../../examples/sdk-workspace.js";
import { Pyro } from "../../src/sdk/index.js";
import { requireGuest } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
requireGuest("debian:12-build");
const home = workspaceTest();

/** Example name, its main, and the log fragments it must print, in order. */
const EXAMPLES: [string, (stateDir: string) => Promise<void>, string[]][] = [
  [
    "sdk-workspace",
    sdkWorkspace,
    [
      "created ws_",
      "pushed",
      "exec: app v2, then exit code 3",
      "diff vs baseline: modified",
      "exported",
      "deleted",
    ],
  ],
  [
    "sdk-services",
    sdkServices,
    ["service ticker is ready", "1 of 1 services running", "stopped ticker", "deleted"],
  ],
  [
    "sdk-snapshots",
    sdkSnapshots,
    ["snapshot known-good", "reset to known-good", "baseline (implicit), known-good", "deleted"],
  ],
  [
    "sdk-stopped-disk",
    sdkStoppedDisk,
    ["stopped; the disk lists out, out/result.txt; out/result.txt = 42", "started again", "deleted"],
  ],
  ["mcp-in-process", mcpInProcess, ["tools: vm_run", "vm_run: Linux 6.1"]],
  [
    "sdk-secrets-ports",
    sdkSecretsPorts,
    [
      "with secrets: API_TOKEN",
      "exec: token is [REDACTED]",
      "hello from the guest",
      "the host port is closed",
    ],
  ],
];

describe("examples", () => {
  let lines: string[] = [];
  beforeEach(() => {
    lines = [];
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      lines.push(args.join(" "));
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  for (const [name, main, markers] of EXAMPLES) {
    it(`examples/${name}.ts runs end to end`, { timeout: 300_000 }, async () => {
      await main(home.home());
      process.stderr.write(`${lines.join("\n")}\n`);
      let at = 0;
      for (const marker of markers) {
        const found = lines.findIndex((l, i) => i >= at && l.includes(marker));
        expect(found, `"${marker}" in ${JSON.stringify(lines)}`).toBeGreaterThanOrEqual(0);
        at = found + 1;
      }
      expect((await new Pyro({ stateDir: home.home() }).listWorkspaces()).workspaces).toEqual([]);
    });
  }
});
