/**
 * Fails on purpose so that test/integration/fixture-selfcheck.test.ts can check what the
 * workspace-test fixture does: a failing test with a workspace leaves the workspace's logs under
 * the test's name and no VM; a test whose machine keeps a process after its delete is failed by
 * the fixture, and the leak is named by its id; a shared machine that fails to create fails each
 * test that uses it with the reason. Only that test runs this file (its own vitest
 * config), never the suite.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { requireGuest } from "../integration/fixtures.js";
import { workspaceTest } from "../integration/workspace-test.js";

requireGuest();
const pyro = workspaceTest();

it("fails on purpose with a started workspace", async () => {
  const created = await pyro.cli("workspace", "create", "debian:12", "--json");
  expect(created.code, created.stderr).toBe(0);
  const id = JSON.parse(created.stdout).workspace_id;
  // Tells the checking test which home and workspace to look for.
  const report = process.env.PYRO_SELFCHECK_REPORT;
  if (report) writeFileSync(report, JSON.stringify({ home: pyro.home(), workspaceId: id }));
  expect(`workspace ${id} is fine`, "deliberate failure").toBe("this test fails on purpose");
});

it("leaves a process of a workspace behind", () => {
  // No VM needed: a workspace directory and a process naming it, as a stuck supervisor would.
  const dir = join(pyro.home(), "workspaces", "ws_00000000fee1");
  mkdirSync(dir, { recursive: true });
  const keep = "setTimeout(() => {}, 60_000)";
  spawn(process.execPath, ["-e", keep, join(dir, "run", "sv-config.json")], {
    detached: true,
    stdio: "ignore",
  }).unref();
});

describe("a shared workspace that fails to create", () => {
  const workspace = pyro.shared("workspace", async () => {
    // Made its directory, then failed: as a create that dies mid-boot.
    mkdirSync(join(pyro.home(), "workspaces", "ws_00000000bad0"), { recursive: true });
    throw new Error("boot refused on purpose");
  });
  it("fails the first test that uses it with the reason", () => {
    expect(workspace()).toBeTruthy();
  });
  it("fails the second test that uses it with the same reason", () => {
    expect(workspace()).toBeTruthy();
  });
});
