/**
 * A stand-in for "the outside world" in network tests: a network namespace joined to the host
 * by a veth pair on a private 10.214.x.0/30 (host end `.1`, namespace end `.2`, the namespace's
 * default route via the host), with an HTTP server inside it. Nothing leaves this machine.
 * Root only. Each call claims its own /30 atomically by its namespace name.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { runCommand } from "../../src/core/network/command.js";

/** A running test namespace. `close()` kills its server (by PID) and removes namespace and veth. */
export interface TestNetns {
  /** Namespace name, `pyrotest-214-<x>`. */
  name: string;
  /** Host end of the veth, `10.214.<x>.1`. */
  hostIp: string;
  /** Namespace end, `10.214.<x>.2`; the HTTP server listens here. */
  nsIp: string;
  /** TCP port of the HTTP server on `nsIp`. */
  port: number;
  close(): Promise<void>;
}

/** HTTP server run inside a namespace: `GET /` answers `pyro-netns-ok`, `GET /peer` the client address. */
const SERVER_SCRIPT = `
const http = require("node:http");
const server = http.createServer((req, res) => {
  res.end(req.url === "/peer" ? String(req.socket.remoteAddress) : "pyro-netns-ok");
});
server.listen(0, process.argv[1], () => process.stdout.write("listening " + server.address().port + "\\n"));
`;

async function sh(argv: string[]): Promise<void> {
  const r = await runCommand(argv);
  if (r.code !== 0) throw new Error(`${argv.join(" ")} failed (exit ${r.code}): ${r.stderr.trim()}`);
}

/** Host IPv4 ranges in use (routes and addresses) that mention 10.214.<x>. */
async function thirdOctetsInUse(): Promise<Set<number>> {
  const used = new Set<number>();
  const r = await runCommand(["ip", "-4", "-o", "addr", "show"]);
  const routes = await runCommand(["ip", "-4", "route", "show", "table", "all"]);
  for (const m of `${r.stdout}\n${routes.stdout}`.matchAll(/\b10\.214\.(\d{1,3})\./g)) used.add(Number(m[1]));
  return used;
}

/**
 * Starts the test HTTP server inside namespace `ns`, listening on `ip`, and resolves once it
 * listens. The returned child is the server itself (`ip netns exec` execs, it does not fork).
 */
export async function startNsHttpServer(
  ns: string,
  ip: string,
): Promise<{ child: ChildProcess; port: number }> {
  const { child, match } = await spawnInNs(ns, [process.execPath, "-e", SERVER_SCRIPT, ip], {
    until: /listening (\d+)/,
    timeoutMs: 15_000,
    what: "test server",
    silent: "did not start",
  });
  return { child, port: Number(match[1]) };
}

/**
 * Runs `argv` inside namespace `ns` (`ip netns exec` execs, so the child is the program itself)
 * and resolves once its stdout matches `until`. It fails, killing the child, when the program
 * exits first or `timeoutMs` pass in silence (`<what> in <ns> <silent>: <stderr>`).
 */
export function spawnInNs(
  ns: string,
  argv: string[],
  opts: { until: RegExp; timeoutMs: number; what: string; silent: string },
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn("ip", ["netns", "exec", ns, ...argv], { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(
      () => fail(new Error(`${opts.what} in ${ns} ${opts.silent}: ${err}`)),
      opts.timeoutMs,
    );
    const fail = (e: Error) => {
      clearTimeout(timer);
      if (child.exitCode === null) child.kill("SIGKILL");
      reject(e);
    };
    child.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = opts.until.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, match: m });
      }
    });
    child.on("exit", (code) => fail(new Error(`${opts.what} in ${ns} exited (${code}): ${err}`)));
  });
}

/** Kills exactly `child` (SIGKILL by its PID) and waits for it to be gone. */
export async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const gone = new Promise<void>((r) => child.once("exit", () => r()));
  process.kill(child.pid, "SIGKILL");
  await gone;
}

/** Creates the namespace, veth pair, addresses, default route and HTTP server. */
export async function createTestNetns(): Promise<TestNetns> {
  const inUse = await thirdOctetsInUse();
  const start = Math.floor(Math.random() * 256);
  for (let i = 0; i < 256; i++) {
    const x = (start + i) % 256;
    if (inUse.has(x)) continue;
    const name = `pyrotest-214-${x}`;
    // `ip netns add` fails when the name exists: that claims x against parallel test files.
    if ((await runCommand(["ip", "netns", "add", name])).code !== 0) continue;
    const hostIf = `vpt${x}h`;
    const nsIf = `vpt${x}n`;
    const hostIp = `10.214.${x}.1`;
    const nsIp = `10.214.${x}.2`;
    let child: ChildProcess | undefined;
    const cleanup = async () => {
      if (child) await killChild(child);
      await runCommand(["ip", "netns", "del", name]);
      await runCommand(["ip", "link", "del", "dev", hostIf]);
    };
    try {
      await sh(["ip", "link", "add", hostIf, "type", "veth", "peer", "name", nsIf, "netns", name]);
      await sh(["ip", "addr", "add", `${hostIp}/30`, "dev", hostIf]);
      await sh(["ip", "link", "set", "dev", hostIf, "up"]);
      await sh(["ip", "-n", name, "link", "set", "dev", "lo", "up"]);
      await sh(["ip", "-n", name, "addr", "add", `${nsIp}/30`, "dev", nsIf]);
      await sh(["ip", "-n", name, "link", "set", "dev", nsIf, "up"]);
      await sh(["ip", "-n", name, "route", "add", "default", "via", hostIp]);
      const server = await startNsHttpServer(name, nsIp);
      child = server.child;
      return { name, hostIp, nsIp, port: server.port, close: cleanup };
    } catch (err) {
      await cleanup();
      throw err;
    }
  }
  throw new Error("no free 10.214.x.0/30 for a test namespace");
}
