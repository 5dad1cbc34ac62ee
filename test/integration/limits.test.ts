/**
 * Guest limits (issue 15, item 1): every exec runs in its own cgroup under caps, the agent
 * outside them. One debian:12-build workspace is shared: each test first kills whatever user
 * processes an earlier one left and waits for none. `--max-pids` gets a workspace of its own.
 */
import { describe, expect, it } from "vitest";
import { requireGuest, runCli } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest("debian:12-build");
const pyro = workspaceTest();
const cli = (...args: string[]) => runCli(args, pyro.env());

const BOMB = "b() { b | b & }; b";
const HOG = "b = []\nwhile True:\n    b.append(b'x' * (10 * 1024 * 1024))\n";
/** The acceptance bound on an exec's answer while a bomb runs, wall time of the CLI, in ms. */
const ANSWER_MS = 5_000;

/** The debian:12-build workspace the caps are tried on. */
const buildWorkspace = pyro.shared("debian:12-build workspace", async () => {
  const r = await cli("workspace", "create", "debian:12-build", "--id-only");
  if (r.code !== 0) throw new Error(`workspace create exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout.trim();
});

interface Limits {
  max_pids: number | null;
  user_process_count: number | null;
}

/** `workspace status --json`: the process cap and the user processes running now. */
async function limits(id = buildWorkspace()): Promise<Limits> {
  const r = await cli("workspace", "status", id, "--json");
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Limits;
}

/** Reads `read` about once a second until `ok`, failing after `ms`. */
async function waitFor<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, ms: number) {
  const deadline = Date.now() + ms;
  let v = await read();
  while (!ok(v)) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(v)} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 1_000));
    v = await read();
  }
  return v;
}

/** Kills whatever user processes other execs left (inside the guest), then waits for none. */
async function killLeftovers(): Promise<void> {
  const self = "/sys/fs/cgroup$(cut -d: -f3 /proc/self/cgroup)";
  const r = await cli(
    "workspace",
    "exec",
    buildWorkspace(),
    "--",
    "sh",
    "-c",
    `for d in /sys/fs/cgroup/pyro-user/exec-*; do [ "$d" = "${self}" ] || echo 1 > "$d/cgroup.kill"; done`,
  );
  expect(r.code, r.stderr).toBe(0);
  await waitFor("user processes after the kill", limits, (l) => l.user_process_count === 0, 60_000);
}

describe("a fork bomb", () => {
  it("is capped, and the next exec answers within 5 s while it runs", async () => {
    const ws = buildWorkspace();
    await killLeftovers();
    const before = await limits();
    const cap = before.max_pids as number;
    expect(cap).toBeGreaterThan(0);

    // The shell backgrounds the bomb and exits at once; the bomb keeps growing in its cgroup.
    const bomb = await cli("workspace", "exec", ws, "--timeout-seconds", "10", "--", "sh", "-c", BOMB);
    expect(bomb.code, bomb.stderr).toBe(0);
    const grown = await waitFor(
      "the bomb reaching its cap",
      limits,
      (l) => (l.user_process_count ?? 0) >= cap * 0.9,
      180_000,
    );
    // Held at its cap: an uncapped bomb passes it within seconds (about 150 forks a second
    // under TCG) and then takes the whole guest down.
    let most = grown.user_process_count as number;
    for (const until = Date.now() + 10_000; Date.now() < until; ) {
      most = Math.max(most, (await limits()).user_process_count ?? 0);
    }
    expect(most).toBeLessThanOrEqual(cap);

    const next = await cli("workspace", "exec", ws, "--", "sh", "-c", "echo alive");
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout).toBe("alive\n");
    expect(next.durationMs).toBeLessThan(ANSWER_MS);

    // Still running, still capped: the answer did not come from a bomb that died out.
    const after = await limits();
    expect(after.user_process_count).toBeGreaterThanOrEqual(cap * 0.5);
    expect(after.user_process_count).toBeLessThanOrEqual(cap);
    console.log(
      `[limits] next exec answered in ${next.durationMs} ms with the bomb at ${after.user_process_count}/${cap} processes (most seen ${most})`,
    );
    await killLeftovers();
  }, 300_000);

  it("is gone entirely when its exec times out", async () => {
    const ws = buildWorkspace();
    await killLeftovers();
    const started = Date.now();
    const r = await cli(
      "workspace",
      "exec",
      ws,
      "--timeout-seconds",
      "5",
      "--",
      "sh",
      "-c",
      `${BOMB}; sleep 60`,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error\[timeout\]/);
    // Read right after the timeout answered: nothing of the bomb is left to count.
    expect((await limits()).user_process_count).toBe(0);
    console.log(`[limits] bomb exec with --timeout-seconds 5 answered after ${Date.now() - started} ms`);
  }, 120_000);
});

describe("an exec timeout", () => {
  it("also kills what left the process group with setsid", async () => {
    const ws = buildWorkspace();
    await killLeftovers();
    const r = await cli(
      "workspace",
      "exec",
      ws,
      "--timeout-seconds",
      "3",
      "--",
      "sh",
      "-c",
      "setsid sleep 300 & setsid sh -c 'sleep 300' & sleep 60",
    );
    expect(r.stderr).toMatch(/^error\[timeout\]/);
    expect((await limits()).user_process_count).toBe(0);
  }, 60_000);
});

describe("a memory hog", () => {
  it("is killed by the OOM handling of its cgroup; the agent keeps answering", async () => {
    const ws = buildWorkspace();
    await killLeftovers();
    const r = await cli("workspace", "exec", ws, "--timeout-seconds", "120", "--", "python3", "-c", HOG);
    expect(r.code, r.stderr).toBe(137);
    expect(r.stderr).toMatch(/pyro-agent: out of memory: the kernel killed 1 process\(es\) of this command/);
    const next = await cli("workspace", "exec", ws, "--", "sh", "-c", "echo alive");
    expect(next.stdout).toBe("alive\n");
    expect(next.durationMs).toBeLessThan(ANSWER_MS);
    expect((await limits()).user_process_count).toBe(0);
    // The user cgroups' limit decided, not a guest-wide OOM (which may pick any process).
    const log = await cli("workspace", "exec", ws, "--", "sh", "-c", "dmesg | grep -i 'out of memory'");
    expect(log.stdout).toMatch(/Memory cgroup out of memory: Killed process \d+ \(python3\)/);
    expect(log.stdout).not.toMatch(/^(?!.*Memory cgroup).*Out of memory/m);
  }, 180_000);
});

describe("--max-pids", () => {
  it("is kept in the record and applied at every boot", async () => {
    const created = await cli("workspace", "create", "debian:12", "--max-pids", "64", "--json");
    expect(created.code, created.stderr).toBe(0);
    const id = JSON.parse(created.stdout).workspace_id as string;
    expect(JSON.parse(created.stdout)).toMatchObject({ max_pids: 64 });
    const pidsMax = async () =>
      (
        await cli(
          "workspace",
          "exec",
          id,
          "--",
          "sh",
          "-c",
          "cat /sys/fs/cgroup$(cut -d: -f3 /proc/self/cgroup)/pids.max",
        )
      ).stdout;
    expect(await pidsMax()).toBe("64\n");
    expect(await limits(id)).toMatchObject({ max_pids: 64, user_process_count: 0 });
    expect((await cli("workspace", "stop", id)).code).toBe(0);
    expect(await limits(id)).toMatchObject({ max_pids: 64, user_process_count: null });
    expect((await cli("workspace", "start", id)).code).toBe(0);
    expect(await pidsMax()).toBe("64\n");
  }, 180_000);
});
