/**
 * The workspace-test fixture every integration file uses (`const pyro = workspaceTest()` at the
 * top of the file). Like Firecracker's microvm factory it owns every machine a test makes:
 *
 * - a private PYRO_HOME per file (short path: socket paths must stay under 108 bytes);
 * - before each test it lists the workspaces and VMs under that home, after it (pass or fail)
 *   it deletes every one that appeared, whatever made it (CLI, SDK, MCP), and fails the test
 *   when a delete fails or leaves a process or directory behind, naming the id;
 * - when a test fails it first copies the console log, supervisor log, record and supervisor
 *   state of every machine under the home into `test-artifacts/<file>/<test name>/<id>/` and
 *   names that directory in the test's failure;
 * - `shared()` makes a machine for a whole `describe` (or file): its failure is remembered and
 *   each test that asks for it fails with the reason; it is deleted, checked, after the block;
 * - after the file it deletes what is left and fails the file on any process still running
 *   under the home, named by workspace or VM id.
 *
 * Hooks rather than `test.extend` fixtures: machines made in `beforeAll`/`beforeEach` must be
 * owned too, and every test of the file is covered whichever `it` it was declared with.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import type { PyroOptions } from "../../src/sdk/index.js";
import { Pyro } from "../../src/sdk/index.js";
import { type CliResult, repoRoot, runCli } from "./fixtures.js";
import {
  deleteMachine,
  listMachines,
  type MachineId,
  processesByMachine,
  saveMachineArtifacts,
} from "./machines.js";

/** Where failed tests leave their machines' logs. @default <repo>/test-artifacts */
export const artifactsRoot = process.env.PYRO_TEST_ARTIFACTS ?? join(repoRoot, "test-artifacts");

export interface WorkspaceTest {
  /** This file's PYRO_HOME (set once the file's `beforeAll` ran). */
  home(): string;
  /** `process.env` with PYRO_HOME set to this file's home, plus `extra`. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** Runs the built CLI against this file's home. */
  cli(...args: string[]): Promise<CliResult>;
  /** An SDK instance on this file's home. */
  sdk(options?: Omit<PyroOptions, "stateDir">): Pyro;
  /**
   * Makes something once for the enclosing `describe` (or the file, at top level) in a
   * `beforeAll`; the machines it makes are deleted and checked in the matching `afterAll`.
   * Returns a getter: it gives the value, or throws `shared <what> <ids> failed to create:
   * <reason>` in every test that uses it when `create` threw.
   */
  shared<T>(what: string, create: () => Promise<T>): () => T;
}

/** A short, path-safe directory name for a test or block name. */
export function artifactName(name: string): string {
  return (
    name
      .replace(/[^A-Za-z0-9._]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 120) || "unnamed"
  );
}

interface NamedTask {
  name: string;
  suite?: NamedTask;
  file?: { name: string };
}

/** `describe > describe > test`, as vitest prints it (without the file). */
function fullName(task: NamedTask): string {
  const names: string[] = [];
  for (let t: NamedTask | undefined = task; t && t !== t.file; t = t.suite) names.unshift(t.name);
  return names.join(" > ");
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Registers the file's hooks; call once, at the top of an integration test file. */
export function workspaceTest(): WorkspaceTest {
  let home = "";
  let fileName = "";
  let before = new Set<MachineId>();
  const fileArtifacts = () => join(artifactsRoot, fileName);

  beforeAll((file) => {
    home = mkdtempSync("/tmp/pyro-t-");
    fileName = basename(file.name);
    rmSync(fileArtifacts(), { recursive: true, force: true }); // the last run's, now stale
  });

  beforeEach(() => {
    before = new Set(listMachines(home));
  });

  afterEach(async ({ task }) => {
    if (!home) return; // the file's beforeAll failed: that failure is the report
    const made = listMachines(home).filter((id) => !before.has(id));
    const failed = task.result?.state === "fail";
    const dest = join(fileArtifacts(), artifactName(fullName(task)));
    const problems: string[] = [];
    if (failed) {
      const saved = saveMachineArtifacts(home, listMachines(home), dest);
      if (saved.length > 0)
        problems.push(`test failed; logs and records of its machines are in ${dest} (${saved.join(", ")})`);
    }
    const deleteFailures = await deleteAll(home, made);
    if (deleteFailures.length > 0 && !failed) saveMachineArtifacts(home, made, dest);
    problems.push(...deleteFailures);
    if (problems.length > 0) throw fixtureError(problems);
  });

  afterAll(async () => {
    if (!home) return;
    const problems = await deleteAll(home, listMachines(home));
    // Processes get a moment to exit after their machine was deleted.
    let leaked = processesByMachine(home);
    for (let i = 0; i < 50 && leaked.size > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      leaked = processesByMachine(home);
    }
    for (const [id, processes] of leaked) {
      problems.push(
        `${id} left running under ${home}: ${processes.map((p) => `pid ${p.pid} ${p.command}`).join(", ")}`,
      );
      for (const p of processes) process.kill(p.pid, "SIGKILL");
    }
    rmSync(home, { recursive: true, force: true });
    if (problems.length > 0) throw fixtureError(problems);
  });

  const env = (extra: NodeJS.ProcessEnv = {}) => ({ ...process.env, PYRO_HOME: home, ...extra });
  return {
    home: () => home,
    env,
    cli: (...args) => runCli(args, env()),
    sdk: (options = {}) => new Pyro({ ...options, stateDir: home }),
    shared<T>(what: string, create: () => Promise<T>): () => T {
      let value: T | undefined;
      let failure: string | undefined;
      let owned: MachineId[] = [];
      beforeAll(async (suite) => {
        const existing = new Set(listMachines(home));
        try {
          value = await create();
        } catch (err) {
          failure = errorText(err);
        }
        owned = listMachines(home).filter((id) => !existing.has(id));
        if (failure !== undefined) {
          const dest = join(fileArtifacts(), artifactName(`${fullName(suite)} shared ${what}`));
          if (saveMachineArtifacts(home, owned, dest).length > 0) failure += ` (logs in ${dest})`;
        }
      });
      afterAll(async () => {
        const problems = await deleteAll(home, owned);
        if (problems.length > 0) throw fixtureError(problems);
      });
      return () => {
        if (failure !== undefined)
          throw new Error(
            `shared ${what}${owned.map((id) => ` ${id}`).join(",")} failed to create: ${failure}`,
          );
        return value as T;
      };
    },
  };
}

async function deleteAll(home: string, ids: MachineId[]): Promise<string[]> {
  const problems: string[] = [];
  for (const id of ids) {
    const problem = await deleteMachine(home, id);
    if (problem) problems.push(problem);
  }
  return problems;
}

/** One error listing what the fixture found; its stack would only point into this file. */
function fixtureError(problems: string[]): Error {
  const err = new Error(`workspace-test: ${problems.join("\n  ")}`);
  err.stack = err.message;
  return err;
}
