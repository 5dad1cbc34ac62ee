/**
 * The host treats everything from the agent as hostile input (issue "A workspace survives its
 * own commands", item 5b). A workspace boots with a stand-in agent as PID 1
 * (guest/testdata/hostile-agent: same boot as pyro-agent, then every route misbehaves:
 * oversized headers, endless bodies, malformed JSON and NDJSON, export tars that climb out).
 * Every call must fail with a clear code within its time limit, the CLI and the supervisor
 * must stay within a memory bound while an endless body streams, and no export may write
 * outside its target.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliPath, processesMentioning, repoRoot, requireGuest, runCli } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const pyro = workspaceTest();
const host = mkdtempSync("/tmp/pyro-hostile-");
// Export targets go beside the sentinel: `../sentinel` from a target's staging dir reaches it.
const sentinel = join(host, "sentinel");
const agentPath = join(host, "hostile-agent");
const env = () => ({ ...pyro.env(), PYRO_AGENT_PATH: agentPath });

/** RSS bounds while an endless body streams, in MiB (idle: CLI ~60, supervisor ~10). */
const CLI_RSS_LIMIT_MIB = 200;
const SUPERVISOR_RSS_LIMIT_MIB = 64;

/** Resident set size of `pid` in MiB, 0 once it is gone. */
function rssMib(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function supervisorPid(): number {
  const pids = processesMentioning(pyro.home()).filter((pid) =>
    readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("pyro-supervisor"),
  );
  expect(pids, "one supervisor runs").toHaveLength(1);
  return pids[0] as number;
}

interface Watched {
  code: number | null;
  stderr: string;
  durationMs: number;
  cliRssMib: number;
  supervisorRssMib: number;
}

/**
 * Runs the CLI with stdout discarded (an endless answer must not fill this process) and
 * samples the peak RSS of the CLI and of the supervisor every 100 ms.
 */
function watched(...args: string[]): Promise<Watched> {
  const supervisor = supervisorPid();
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: env(),
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += d.toString();
    });
    let cliRssMib = 0;
    let supervisorRssMib = 0;
    const sample = setInterval(() => {
      cliRssMib = Math.max(cliRssMib, rssMib(child.pid as number));
      supervisorRssMib = Math.max(supervisorRssMib, rssMib(supervisor));
    }, 100);
    child.on("error", reject);
    child.on("close", (code) => {
      clearInterval(sample);
      resolve({ code, stderr, durationMs: Date.now() - started, cliRssMib, supervisorRssMib });
    });
  });
}

/** A failure with `code`: one `error[code]` line, no stack, within `withinMs`, memory bounded. */
function expectFailure(r: Watched, code: string, withinMs: number): void {
  expect(r.stderr).toMatch(new RegExp(`^error\\[${code}\\]: `));
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(r.code).toBe(code === "invalid_argument" ? 2 : 1);
  expect(r.durationMs).toBeLessThan(withinMs);
  expect(r.cliRssMib, "RSS was sampled").toBeGreaterThan(0);
  expect(r.cliRssMib).toBeLessThan(CLI_RSS_LIMIT_MIB);
  expect(r.supervisorRssMib).toBeLessThan(SUPERVISOR_RSS_LIMIT_MIB);
}

/** Every path under `dir` with its size, mtime and link count, to prove nothing changed. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      out.push(`${p} ${st.size} ${st.mtimeMs} ${st.nlink}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

beforeAll(async () => {
  mkdirSync(sentinel);
  execFileSync("sh", ["-c", `echo secret > ${sentinel}/secret.txt`]);
  // Built here, not by `npm run build`: it is a test tool and never ships.
  execFileSync("go", ["build", "-trimpath", "-o", agentPath, "./testdata/hostile-agent"], {
    cwd: join(repoRoot, "guest"),
    env: { ...process.env, CGO_ENABLED: "0", GOOS: "linux", GOARCH: "amd64" },
    stdio: "inherit",
  });
});
afterAll(() => rmSync(host, { recursive: true, force: true }));

/** The one workspace, booted with the hostile agent (built in the beforeAll above). */
const workspace = pyro.shared("workspace with the hostile agent", async () => {
  const r = await runCli(["workspace", "create", "debian:12", "--mem-mib", "512", "--id-only"], env());
  if (r.code !== 0) throw new Error(`workspace create exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout.trim();
});

describe("exec against a hostile agent", () => {
  it.each([
    ["big-header", "an oversized response header", "guest_unreachable"],
    ["endless-line", "an event line that never ends", "guest_protocol_mismatch"],
    ["not-json", "a line that is not JSON", "guest_protocol_mismatch"],
    ["bad-event", "an exit event of the wrong shape", "guest_protocol_mismatch"],
    ["unknown-event", "an event of an unknown type", "guest_protocol_mismatch"],
    ["bad-error", "an error answer that is not the error shape", "guest_protocol_mismatch"],
  ])("%s (%s) is %s", async (mode, _why, code) => {
    expectFailure(await watched("workspace", "exec", workspace(), "--", mode), code, 30_000);
  });

  it("endless well-formed output: capture stays capped, the host timeout ends it", async () => {
    const r = await watched(
      "workspace",
      "exec",
      workspace(),
      "--timeout-seconds",
      "2",
      "--",
      "endless-output",
    );
    // The host waits the guest timeout plus its 15 s grace for an agent that never says exit.
    expectFailure(r, "timeout", 2_000 + 15_000 + 10_000);
  });
});

describe("file and service reads against a hostile agent", () => {
  // An endless JSON body stops at the 32 MiB cap (a few seconds over the TCG guest's link).
  it.each([
    ["read", "endless/f", "a body far past max_bytes, forever", "guest_protocol_mismatch"],
    ["read", "big-header/f", "an oversized header", "guest_unreachable"],
    ["read", "bad-size/f", "a pyro-size header that is no number", "guest_protocol_mismatch"],
    ["list", "bad-shape", "entries of the wrong shape", "guest_protocol_mismatch"],
    ["list", "not-json", "a body that is not JSON", "guest_protocol_mismatch"],
    ["list", "endless", "a JSON body that never ends", "guest_protocol_mismatch"],
  ])("file %s %s (%s) is %s", async (verb, path, _why, code) => {
    expectFailure(await watched("workspace", "file", verb, workspace(), path), code, 60_000);
  });

  it.each([
    ["bad-shape", "fields of the wrong types"],
    ["endless", "a JSON body that never ends"],
  ])("service logs %s (%s) is guest_protocol_mismatch", async (name) => {
    expectFailure(
      await watched("workspace", "service", "logs", workspace(), name),
      "guest_protocol_mismatch",
      60_000,
    );
  });
});

describe("export of a hostile tar stream", () => {
  const rest = sentinel.slice(1); // the stand-in aims absolute entries at "/" + rest
  it.each([
    ["dotdot", "entries named ../escape.txt and a/../../escape2.txt", "path_outside_workspace"],
    [`absolute/${rest}`, "an entry with an absolute name inside the sentinel", "path_outside_workspace"],
    [`symlink-abs/${rest}`, "a link to the sentinel, then a file through it", "path_outside_workspace"],
    ["symlink-up/sentinel", "a link ../sentinel, then a file through it", "path_outside_workspace"],
    [`hardlink/${rest}`, "a hardlink to a sentinel file", "path_outside_workspace"],
    ["hardlink-up/sentinel", "a hardlink ../sentinel/secret.txt", "path_outside_workspace"],
    ["device", "a character device", "invalid_argument"],
    ["garbage", "bytes that are not a tar", "guest_protocol_mismatch"],
  ])("%s (%s) fails, nothing written outside the target", async (path, _why, code) => {
    const before = snapshot(sentinel);
    const output = join(host, `out-${path.split("/")[0]}`);
    const r = await watched("workspace", "export", workspace(), path, "--output", output);
    expectFailure(r, code, 60_000);
    expect(snapshot(sentinel)).toEqual(before);
    expect(existsSync(output), "a failed export leaves no output").toBe(false);
    // Only the sentinel and the agent binary remain beside the target: no staging dir left.
    expect(readdirSync(host).sort()).toEqual(["hostile-agent", "sentinel"]);
    expect(readFileSync(join(sentinel, "secret.txt"), "utf8")).toBe("secret\n");
  });
});

describe("the workspace after all that", () => {
  it("still answers a well-behaved call", async () => {
    const r = await runCli(["workspace", "exec", workspace(), "--", "fine"], env());
    expect(r.code, r.stderr).toBe(0);
  });
});
