/**
 * Fails on purpose, after making a workspace, so that test/integration/fixture-selfcheck.test.ts
 * can check what the workspace-test fixture leaves behind: the workspace's logs under this
 * test's name, and no VM. Only that test runs it (its own vitest config), never the suite.
 */
import { writeFileSync } from "node:fs";
import { expect, it } from "vitest";
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
