/**
 * Proves the workspace-test fixture on deliberately failing tests (run as a child vitest on
 * test/fixture-selfcheck/, outside the suite's include glob): a failing guest test leaves its
 * workspace's console and supervisor logs under the test's name, its failure names where, and
 * no VM is left; a machine that keeps a process after its delete fails its test and the file,
 * named by its id; a shared machine that fails to create fails each test using it with the reason.
 * Also checks that every integration file uses the fixture.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { processesMentioning, repoRoot, requireGuest } from "./fixtures.js";
import { artifactName, workspaceTest } from "./workspace-test.js";

requireGuest();
const pyro = workspaceTest();

/** Runs vitest on the self-check directory; resolves with its JSON report. */
function runFailingGuestTest(env: NodeJS.ProcessEnv, reportFile: string): Promise<number | null> {
  const vitest = join(repoRoot, "node_modules", "vitest", "vitest.mjs");
  const args = ["run", "--config", "test/fixture-selfcheck/vitest.config.ts", "--reporter=json"];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vitest, ...args, `--outputFile=${reportFile}`], {
      cwd: repoRoot,
      env,
      stdio: "ignore",
    });
    child.on("error", reject);
    child.on("close", resolve);
  });
}

it("a failing guest test leaves its console and supervisor logs under its name, and no VM; a leak is named by id", async () => {
  const scratch = mkdtempSync("/tmp/pyro-selfcheck-");
  try {
    const artifacts = join(scratch, "artifacts");
    const made = join(scratch, "made.json");
    const reportFile = join(scratch, "report.json");
    // The child is a vitest of its own: none of this worker's VITEST_* settings.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST")));
    const code = await runFailingGuestTest(
      { ...env, PYRO_TEST_ARTIFACTS: artifacts, PYRO_SELFCHECK_REPORT: made },
      reportFile,
    );
    expect(code, "the deliberately failing run exits non-zero").toBe(1);
    const { home, workspaceId } = JSON.parse(readFileSync(made, "utf8"));
    expect(workspaceId).toMatch(/^ws_[0-9a-f]{12}$/);

    const testName = "fails on purpose with a started workspace";
    const dir = join(artifacts, "failing.guest.ts", artifactName(testName), workspaceId);
    expect(readdirSync(dir).sort()).toEqual(["console.log", "sv.json", "sv.log", "workspace.json"]);
    // A cold boot prints "ready"; a guest restored from a template prints its identity line.
    expect(readFileSync(join(dir, "console.log"), "utf8")).toMatch(/pyro-agent: (ready|identity applied)/);
    expect(statSync(join(dir, "sv.log")).size).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(dir, "workspace.json"), "utf8")).workspace_id).toBe(workspaceId);

    // The failure names the test's own assertion and then where its logs are; nothing else.
    const report = JSON.parse(readFileSync(reportFile, "utf8"));
    const [file] = report.testResults;
    const [test, leaking, ...dependent] = file.assertionResults;
    expect(test).toMatchObject({ title: testName, status: "failed" });
    expect(test.failureMessages).toHaveLength(2);
    expect(test.failureMessages[0]).toMatch(/deliberate failure/);
    expect(test.failureMessages[1]).toContain(
      `test failed; logs and records of its machines are in ${join(artifacts, "failing.guest.ts", artifactName(testName))}`,
    );

    // The second test's stand-in keeps a process naming its workspace after the delete.
    const fake = "ws_00000000fee1";
    expect(leaking).toMatchObject({ title: "leaves a process of a workspace behind", status: "failed" });
    expect(leaking.failureMessages).toEqual([
      expect.stringMatching(
        new RegExp(`^workspace-test: ${fake} still has processes after its delete: pid \\d+ node$`),
      ),
    ]);
    // Each test of a failed shared setup fails with its reason, naming the directory it made.
    expect(
      dependent.map((t: { status: string; failureMessages: string[] }) => [t.status, t.failureMessages]),
    ).toEqual(
      Array(2).fill([
        "failed",
        [
          expect.stringMatching(
            /^Error: shared workspace ws_00000000bad0 failed to create: boot refused on purpose\n/,
          ),
        ],
      ]),
    );
    expect(file.message, "the file's leak check names the leak by id, and nothing else").toMatch(
      new RegExp(`^workspace-test: ${fake} left running under ${home}: pid \\d+ node$`),
    );

    expect(processesMentioning(workspaceId), "no process of the workspace is left").toEqual([]);
    expect(processesMentioning(home), "no process of the run's PYRO_HOME is left").toEqual([]);
    expect(existsSync(join(home, "workspaces", workspaceId)), "no workspace dir is left").toBe(false);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

it("every integration test file uses the workspace-test fixture", () => {
  const dir = join(repoRoot, "test", "integration");
  const without = readdirSync(dir)
    .filter((name) => name.endsWith(".test.ts"))
    .filter((name) => !/^const \w+ = workspaceTest\(\);$/m.test(readFileSync(join(dir, name), "utf8")));
  expect(without).toEqual([]);
  expect(pyro.home()).toMatch(/^\/tmp\/pyro-t-/);
});
