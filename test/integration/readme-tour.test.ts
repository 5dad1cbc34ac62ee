/**
 * The README's "60-second tour" runs as written, line by line and in order, against real
 * guests (one VM at a time): `pyro` is the built CLI, the working directory is a temp dir,
 * `ws=$(...)` lines capture the workspace id for later lines. A line exits 0 unless its
 * comment names an `error[CODE]`, which it must then print. Spot checks pin a few outputs.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shellBlocks } from "../support/markdown-commands.js";
import { cliPath, repoRoot, requireGuest } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const home = workspaceTest();

const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
/** The tour's command lines; the `alias` line is replaced by a `pyro` shell function. */
const tour = shellBlocks(readme)
  .filter((b) => b.heading === "60-second tour")
  .flatMap((b) => b.lines)
  .filter((line) => !line.startsWith("alias pyro="));

interface LineResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

let cwd = "";
const vars: Record<string, string> = {};

function bash(script: string): Promise<LineResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", `pyro() { node "$TOUR_CLI" "$@"; }\n${script}`], {
      cwd,
      env: { ...home.env(), ...vars, TOUR_CLI: cliPath },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Output checks keyed by a fragment of the tour line they apply to. */
const SPOT_CHECKS: Record<string, (r: LineResult) => void> = {
  "-- git --version": (r) => expect(r.stdout).toMatch(/^git version 2\./m),
  'echo "exit=$?"': (r) => expect(r.stdout).toBe("out\nexit=7\n"),
  "--json -- uname -r": (r) =>
    expect(JSON.parse(r.stdout)).toMatchObject({ exit_code: 0, cleanup: { deleted: true } }),
  // Every guest's host name is its own id (ws-<12 hex digits>), set when it boots.
  "-- sh hello.sh": (r) => expect(r.stdout).toMatch(/^hello from ws-[0-9a-f]{12}\n$/),
  "workspace diff demo": (r) => expect(r.stdout).toContain("+++ b/notes.md\n"),
  "reset demo --snapshot checkpoint": (r) => {
    expect(r.stdout).toMatch(/^State: started$/m);
    expect(r.stdout).toMatch(/^Commands: 0 /m); // history starts over
  },
  "service logs demo ticker": (r) => expect(r.stdout.trim().split("\n").length).toBeGreaterThan(0),
  "pause demo": (r) => expect(r.stdout).toMatch(/^State: paused \(paused on request, since /m),
  // The first call after a pause resumes the workspace; the service started before it still runs.
  "service list demo": (r) => expect(r.stdout).toMatch(/^ticker\tready\t\d+\t/m),
  "--content-only": (r) => {
    expect(r.stdout).toMatch(/^State: stopped$/m); // from `stop`; then the file, read offline
    expect(r.stdout.endsWith("\nhi")).toBe(true);
  },
};

beforeAll(() => {
  cwd = mkdtempSync(join(home.home(), "tour-"));
});
// The tour deletes its workspace; if a line failed first, the workspace-test fixture does.
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe("README 60-second tour", () => {
  it("has both blocks: one-shot runs and a workspace", () => {
    expect(tour.some((l) => l.startsWith("pyro run "))).toBe(true);
    expect(tour.some((l) => l.startsWith("ws=$(pyro workspace create "))).toBe(true);
    expect(tour.at(-1)).toBe('pyro workspace delete "$ws"');
  });

  it("runs every line in order", { timeout: 600_000 }, async () => {
    const checked = new Set<string>();
    for (const line of tour) {
      const assignment = /^([A-Za-z_]\w*)=\$\((.*)\)\s*(#.*)?$/.exec(line);
      const result = await bash(assignment ? (assignment[2] as string) : line);
      const context = `${line}\nexit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
      const expectedError = /error\[(\w+)\]/.exec(line.replace(/^[^#]*/, ""))?.[0];
      if (expectedError) {
        expect(result.code, context).toBe(1);
        expect(result.stderr, context).toContain(`${expectedError}:`);
      } else {
        expect(result.code, context).toBe(0);
      }
      if (assignment) vars[assignment[1] as string] = result.stdout.trim();
      for (const [fragment, check] of Object.entries(SPOT_CHECKS)) {
        if (!line.includes(fragment)) continue;
        check(result);
        checked.add(fragment);
      }
    }
    expect(vars.ws).toMatch(/^ws_[0-9a-f]{12}$/);
    expect(readFileSync(join(cwd, "notes-from-vm.md"), "utf8")).toBe("hi");
    expect([...checked].sort()).toEqual(Object.keys(SPOT_CHECKS).sort());
    const gone = await bash('pyro workspace status "$ws"');
    expect(gone.stderr).toMatch(/^error\[workspace_not_found\]/);
  });
});
