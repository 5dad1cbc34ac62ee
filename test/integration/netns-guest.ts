/**
 * Namespaces standing in for guests in the host-side firewall tests (network-host-firewall.test.ts),
 * and the tools those tests probe them with: curl and python3 run inside a namespace, a host UDP
 * flow, and raw datagrams a hostile guest would send. Root only; nothing leaves this machine.
 */
import { type ChildProcess, spawn } from "node:child_process";
import dgram from "node:dgram";
import { setTimeout as sleep } from "node:timers/promises";
import { runCommand } from "../../src/core/network/command.js";
import { enableIpForward } from "../../src/core/network/ip-forward.js";
import { networkNames } from "../../src/core/network/names.js";
import { NftablesFirewall } from "../../src/core/network/nftables.js";
import { out } from "./host-network.js";
import { killChild, startNsHttpServer } from "./netns.js";

/**
 * A namespace standing in for a guest: a veth pair whose host end carries the workspace's TAP
 * name (a TAP passes no traffic without a VMM on it), the guest address inside with a default
 * route via the host end, an HTTP server on it, and the workspace's real nftables ruleset.
 * `index` picks its /30 in 10.213.250.0/24; `workspaceId` names its TAP and table.
 */
export async function fakeGuest(workspaceId: string, index: number) {
  const n = networkNames(workspaceId);
  const hostIp = `10.213.250.${index * 4 + 1}`;
  const guestIp = `10.213.250.${index * 4 + 2}`;
  const ns = `pyrotest-guest-${n.tag}`;
  const firewall = new NftablesFirewall(runCommand);
  await out(["ip", "netns", "add", ns]);
  let server: Awaited<ReturnType<typeof startNsHttpServer>> | undefined;
  const close = async () => {
    if (server) await killChild(server.child);
    await firewall.remove(n);
    await runCommand(["ip", "link", "del", "dev", n.ifname]);
    await runCommand(["ip", "netns", "del", ns]);
  };
  try {
    await out(["ip", "link", "add", n.ifname, "type", "veth", "peer", "name", "geth0", "netns", ns]);
    await out(["ip", "addr", "add", `${hostIp}/30`, "dev", n.ifname]);
    await out(["ip", "link", "set", "dev", n.ifname, "up"]);
    await out(["ip", "-n", ns, "link", "set", "dev", "lo", "up"]);
    await out(["ip", "-n", ns, "addr", "add", `${guestIp}/30`, "dev", "geth0"]);
    await out(["ip", "-n", ns, "link", "set", "dev", "geth0", "up"]);
    await out(["ip", "-n", ns, "route", "add", "default", "via", hostIp]);
    const spec = { target: n, subnet: `10.213.250.${index * 4}/30`, guestIp };
    await firewall.install(spec);
    await enableIpForward();
    server = await startNsHttpServer(ns, guestIp);
    /** Runs `fn` with the workspace's table removed, then puts it back. */
    const withoutFirewall = async (fn: () => Promise<void>) => {
      await firewall.remove(n);
      try {
        await fn();
      } finally {
        await firewall.install(spec);
      }
    };
    return { ns, hostIp, guestIp, port: server.port, close, withoutFirewall };
  } catch (err) {
    await close();
    throw err;
  }
}

/** curl run inside namespace `ns`: its stdout, or `exit=<code>` when it failed. */
export async function curlFrom(ns: string, url: string, maxSeconds = 3): Promise<string> {
  const r = await runCommand([
    "ip",
    "netns",
    "exec",
    ns,
    "curl",
    "-s",
    "--max-time",
    String(maxSeconds),
    url,
  ]);
  return r.code === 0 ? r.stdout : `exit=${r.code}`;
}

/** UDP echo server (python3): binds `argv[1]`, prints its port, sends every datagram back. */
export const UDP_ECHO = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
print(s.getsockname()[1], flush=True)
while True:
    data, addr = s.recvfrom(2048)
    s.sendto(data, addr)
`;

/** One UDP datagram "spoofed" from `argv[1]:argv[2]` to `argv[3]:argv[4]` (python3). */
export const UDP_SEND = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
s.sendto(b"spoofed", (sys.argv[3], int(sys.argv[4])))
`;

/**
 * One ICMP port-unreachable (python3, raw socket) to `argv[1]`, about a UDP datagram
 * `argv[1]:argv[2]` -> `argv[3]:argv[4]` (5 payload bytes) whose IP and UDP headers it quotes.
 */
export const ICMP_PORT_UNREACHABLE = `
import socket, struct, sys
src, sport, dst, dport = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 33, 0, 0x4000, 64, socket.IPPROTO_UDP, 0,
                 socket.inet_aton(src), socket.inet_aton(dst))
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
udp = struct.pack("!HHHH", sport, dport, 13, 0)
icmp = struct.pack("!BBHI", 3, 3, 0, 0) + ip + udp
icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).sendto(icmp, (src, 0))
`;

/** Runs `script` with python3 inside `ns` until it prints a line: the child (`ip netns exec` execs) and that line. */
export function startNsPython(
  ns: string,
  script: string,
  args: string[],
): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn("ip", ["netns", "exec", ns, "python3", "-c", script, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => fail(new Error(`python3 in ${ns} printed nothing: ${err}`)), 10_000);
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
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        resolve({ child, line: out.slice(0, nl) });
      }
    });
    child.on("exit", (code) => fail(new Error(`python3 in ${ns} exited (${code}): ${err}`)));
  });
}

/**
 * A host UDP socket bound to `local` and connected to `peer:peerPort`: the datagrams it
 * receives (`<address>:<port> <text>`) and the error codes it reports.
 */
export async function hostUdpFlow(local: string, peer: string, peerPort: number) {
  const sock = dgram.createSocket("udp4");
  const received: string[] = [];
  const errors: string[] = [];
  sock.on("message", (msg, from) => received.push(`${from.address}:${from.port} ${msg}`));
  sock.on("error", (err: NodeJS.ErrnoException) => errors.push(err.code ?? err.message));
  await new Promise<void>((r) => sock.bind(0, local, () => r()));
  await new Promise<void>((r) => sock.connect(peerPort, peer, () => r()));
  const send = (text: string) =>
    new Promise<void>((resolve, reject) => sock.send(text, (err) => (err ? reject(err) : resolve())));
  return { port: sock.address().port, received, errors, send, close: () => sock.close() };
}

/** Polls `cond` every 20 ms for up to `ms`; its final value. */
export async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(20);
  return cond();
}

/** A namespace guest, as `fakeGuest` made it. */
export type FakeGuest = Awaited<ReturnType<typeof fakeGuest>>;
