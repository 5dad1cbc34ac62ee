/**
 * Host-side workspace networking for real, without booting a guest: TAPs, /30 leases, nftables
 * tables, sweeping and teardown, plus the firewall policy exercised with network namespaces
 * standing in for guests and for "the outside world". Root only; every address involved is on
 * this machine or in a namespace this file creates, and everything is removed afterwards.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import dgram from "node:dgram";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../../src/core/network/command.js";
import {
  guestNetworkCmdline,
  type NetworkLease,
  setupWorkspaceNetwork,
  sweepStaleNetworks,
  teardownWorkspaceNetwork,
} from "../../src/core/network/index.js";
import { enableIpForward, ipForwardEnabled } from "../../src/core/network/ip-forward.js";
import { networkNames, registryTag, tapAlias } from "../../src/core/network/names.js";
import { NftablesFirewall } from "../../src/core/network/nftables.js";
import { subnetOf } from "../../src/core/network/pool.js";
import { parseNameservers } from "../../src/core/network/resolv.js";
import { createTestNetns, killChild, startNsHttpServer, type TestNetns } from "./netns.js";
import { workspaceTest } from "./workspace-test.js";

function unavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return "not root";
  if (!existsSync("/dev/net/tun")) return "no /dev/net/tun";
  return undefined;
}
const reason = unavailableReason();
if (reason) throw new Error(`host network tests need: ${reason}`);
// No guest boots here (owner directories stand in for workspaces, under `homes`); the fixture
// still holds this file to the suite's rule that nothing of a machine is left running.
const _fixture = workspaceTest();

const POOL = "10.213.0.0/16";
let registry = "";
let homes = "";
const ids: string[] = [];
const saved = { dir: process.env.PYRO_NET_DIR, pool: process.env.PYRO_NET_POOL };

/** A fresh workspace id, remembered for the final cleanup. */
function newId(): string {
  const id = `ws_${randomBytes(6).toString("hex")}`;
  ids.push(id);
  return id;
}

/** A fresh owner directory (stands in for `$PYRO_HOME/workspaces/<id>`). */
function ownerDir(id: string): string {
  const dir = join(homes, id);
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function out(argv: string[]): Promise<string> {
  const r = await runCommand(argv);
  if (r.code !== 0) throw new Error(`${argv.join(" ")}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}
const ok = async (argv: string[]) => (await runCommand(argv)).code === 0;
const linkExists = (ifname: string) => ok(["ip", "link", "show", "dev", ifname]);
const tableExists = (id: string) => ok(["nft", "list", "table", "inet", `pyro_${id}`]);
const leaseExists = (id: string) => existsSync(join(registry, `${id}.json`));

beforeAll(() => {
  registry = mkdtempSync("/tmp/pyro-netreg-");
  homes = mkdtempSync("/tmp/pyro-nethome-");
  process.env.PYRO_NET_DIR = registry;
  process.env.PYRO_NET_POOL = POOL;
});

afterAll(async () => {
  const failures: string[] = [];
  for (const id of ids) {
    await teardownWorkspaceNetwork(id).catch((err: Error) => failures.push(`${id}: ${err.message}`));
  }
  const leftLinks: string[] = [];
  const leftTables: string[] = [];
  for (const id of ids) {
    if (await linkExists(networkNames(id).ifname)) leftLinks.push(networkNames(id).ifname);
    if (await tableExists(id)) leftTables.push(`pyro_${id}`);
  }
  const leftLeases = existsSync(registry) ? readdirSync(registry) : [];
  rmSync(registry, { recursive: true, force: true });
  rmSync(homes, { recursive: true, force: true });
  process.env.PYRO_NET_DIR = saved.dir;
  process.env.PYRO_NET_POOL = saved.pool;
  if (saved.dir === undefined) delete process.env.PYRO_NET_DIR;
  if (saved.pool === undefined) delete process.env.PYRO_NET_POOL;
  expect({ failures, leftLinks, leftTables }).toEqual({ failures: [], leftLinks: [], leftTables: [] });
  expect(leftLeases.filter((n) => n.endsWith(".json"))).toEqual([]);
});

describe("setupWorkspaceNetwork", () => {
  let a: NetworkLease;
  let idA = "";

  it("creates the TAP with the host end of a /30, the firewall table and then the lease", async () => {
    idA = newId();
    a = await setupWorkspaceNetwork(idA, ownerDir(idA));
    const names = networkNames(idA);
    expect(a).toMatchObject({
      workspace_id: idA,
      owner_dir: join(homes, idA),
      ifname: names.ifname,
      prefix_len: 30,
      mac: names.mac,
      firewall: "nftables",
      dns: parseNameservers(await readFile("/etc/resolv.conf", "utf8")),
    });
    expect(a.host_ip).toMatch(/^10\.213\.\d+\.\d+$/);
    expect(guestNetworkCmdline(a)).toMatch(/^pyro\.net=10\.213\.\d+\.\d+\/30,10\.213\.\d+\.\d+/);

    const [link] = JSON.parse(await out(["ip", "-4", "-j", "-d", "addr", "show", "dev", a.ifname]));
    expect(link.linkinfo?.info_kind).toBe("tun");
    expect(link.flags).toContain("UP");
    expect(link.ifalias).toBe(tapAlias(idA, registry));
    expect(link.addr_info).toEqual([expect.objectContaining({ local: a.host_ip, prefixlen: 30 })]);
    expect((await readFile(`/proc/sys/net/ipv6/conf/${a.ifname}/disable_ipv6`, "utf8")).trim()).toBe("1");
    expect(await ipForwardEnabled()).toBe(true);

    const subnet = subnetOf(a.host_ip);
    const table = await out(["nft", "list", "table", "inet", `pyro_${idA}`]);
    expect(table).toContain(`ip saddr ${subnet} oifname != "${a.ifname}" masquerade`);
    expect(table).toContain(`iifname "${a.ifname}" oifname "pyro*" drop`);
    expect(table).toContain(`iifname "${a.ifname}" ip saddr != ${a.guest_ip} drop`);
    expect(table).toContain(
      `oifname "${a.ifname}" ct state established,related ct original ip saddr ${a.guest_ip} accept`,
    );
    expect(table).toMatch(
      new RegExp(`chain input \\{[^}]*iifname "${a.ifname}" ip saddr != ${a.guest_ip} drop`),
    );
    expect(table).toContain(
      `iifname "${a.ifname}" ct state established,related ct original ip daddr ${a.guest_ip} accept`,
    );
    expect(table).toMatch(new RegExp(`chain input \\{[^}]*iifname "${a.ifname}" drop`));

    expect(statSync(registry).mode & 0o777).toBe(0o700);
    expect(statSync(join(registry, `${idA}.json`)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(join(registry, `${idA}.json`), "utf8"))).toEqual(a);
  });

  it("is idempotent for the same workspace, and rebuilds after its TAP vanished", async () => {
    expect(await setupWorkspaceNetwork(idA, join(homes, idA))).toEqual(a);
    await out(["ip", "link", "del", "dev", a.ifname]); // as if someone removed it
    expect(await setupWorkspaceNetwork(idA, join(homes, idA))).toEqual(a);
    expect(await linkExists(a.ifname)).toBe(true);
    expect(await tableExists(idA)).toBe(true);
  });

  it("gives other workspaces other /30s, also when set up concurrently", async () => {
    const more = [newId(), newId(), newId()];
    const leases = await Promise.all(more.map((id) => setupWorkspaceNetwork(id, ownerDir(id))));
    const hosts = [a, ...leases].map((l) => l.host_ip);
    expect(new Set(hosts).size).toBe(4);
    for (const l of leases) expect(await tableExists(l.workspace_id)).toBe(true);
    for (const id of more) await teardownWorkspaceNetwork(id);
  });

  it("skips a /30 that overlaps an address the host already has", async () => {
    // The next free /30 after A (first fit) is where the dummy link goes.
    const probeId = newId();
    const probe = await setupWorkspaceNetwork(probeId, ownerDir(probeId));
    await teardownWorkspaceNetwork(probeId);
    const dummy = `vptd${randomBytes(3).toString("hex")}`;
    await out(["ip", "tuntap", "add", "dev", dummy, "mode", "tap"]); // no dummy links in every kernel
    try {
      await out(["ip", "addr", "add", `${probe.guest_ip}/32`, "dev", dummy]);
      const id = newId();
      const lease = await setupWorkspaceNetwork(id, ownerDir(id));
      expect(lease.host_ip).not.toBe(probe.host_ip);
      await teardownWorkspaceNetwork(id);
    } finally {
      await runCommand(["ip", "link", "del", "dev", dummy]);
    }
  });

  it("fails with network_unavailable when the pool is exhausted, leaving nothing behind", async () => {
    process.env.PYRO_NET_POOL = "10.213.240.0/30";
    const first = newId();
    const second = newId();
    try {
      await setupWorkspaceNetwork(first, ownerDir(first));
      const err = await setupWorkspaceNetwork(second, ownerDir(second)).catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: "network_unavailable",
        hint: expect.stringContaining("PYRO_NET_POOL"),
      });
      expect(await linkExists(networkNames(second).ifname)).toBe(false);
      expect(await tableExists(second)).toBe(false);
      expect(leaseExists(second)).toBe(false);
    } finally {
      process.env.PYRO_NET_POOL = POOL;
      await teardownWorkspaceNetwork(first);
    }
  });

  it("teardown removes table, TAP and lease, and is idempotent", async () => {
    await teardownWorkspaceNetwork(idA);
    expect(await linkExists(a.ifname)).toBe(false);
    expect(await tableExists(idA)).toBe(false);
    expect(leaseExists(idA)).toBe(false);
    await teardownWorkspaceNetwork(idA);
  });
});

describe("leftovers", () => {
  it("a lease whose owner directory is gone is swept", async () => {
    const keep = newId();
    const gone = newId();
    const kept = await setupWorkspaceNetwork(keep, ownerDir(keep));
    const stale = await setupWorkspaceNetwork(gone, ownerDir(gone));
    rmSync(join(homes, gone), { recursive: true });
    expect(await sweepStaleNetworks()).toEqual([gone]);
    expect(await linkExists(stale.ifname)).toBe(false);
    expect(await tableExists(gone)).toBe(false);
    expect(leaseExists(gone)).toBe(false);
    expect(await linkExists(kept.ifname)).toBe(true);
    expect(leaseExists(keep)).toBe(true);
    await teardownWorkspaceNetwork(keep);
  });

  it("teardown cleans a TAP (left by a killed QEMU) and table whose lease file is missing", async () => {
    const id = newId();
    const lease = await setupWorkspaceNetwork(id, ownerDir(id));
    rmSync(join(registry, `${id}.json`));
    await teardownWorkspaceNetwork(id);
    expect(await linkExists(lease.ifname)).toBe(false);
    expect(await tableExists(id)).toBe(false);

    // Objects made by hand, as a crash halfway through setup would leave them.
    const n = networkNames(newId());
    await out(["ip", "tuntap", "add", "dev", n.ifname, "mode", "tap"]);
    await new NftablesFirewall(runCommand).install({
      target: n,
      subnet: "10.213.255.0/30",
      guestIp: "10.213.255.2",
    });
    await teardownWorkspaceNetwork(n.workspaceId);
    expect(await linkExists(n.ifname)).toBe(false);
    expect(await tableExists(n.workspaceId)).toBe(false);
  });

  it("a sweep removes lease-less objects of its own registry only", async () => {
    const mine = newId();
    const mineLease = await setupWorkspaceNetwork(mine, ownerDir(mine));
    rmSync(join(registry, `${mine}.json`));
    const foreign = networkNames(newId());
    await out(["ip", "tuntap", "add", "dev", foreign.ifname, "mode", "tap"]);
    await out(["ip", "link", "set", "dev", foreign.ifname, "alias", `pyro:${foreign.workspaceId}:00000000`]);
    expect(registryTag(registry)).not.toBe("00000000");

    expect(await sweepStaleNetworks()).toEqual([mine]);
    expect(await linkExists(mineLease.ifname)).toBe(false);
    expect(await tableExists(mine)).toBe(false);
    expect(await linkExists(foreign.ifname)).toBe(true);
    await teardownWorkspaceNetwork(foreign.workspaceId);
    expect(await linkExists(foreign.ifname)).toBe(false);
  });
});

describe("createTestNetns", () => {
  it("serves pyro-netns-ok inside a namespace, reachable from the host, and cleans up", async () => {
    const ns = await createTestNetns();
    try {
      expect(ns.hostIp).toMatch(/^10\.214\.\d+\.1$/);
      const res = await fetch(`http://${ns.nsIp}:${ns.port}/`);
      expect(await res.text()).toBe("pyro-netns-ok");
      expect(await out(["ip", "netns", "list"])).toContain(ns.name);
    } finally {
      await ns.close();
    }
    expect(await out(["ip", "netns", "list"])).not.toContain(ns.name);
    expect(await linkExists(`vpt${ns.hostIp.split(".")[2]}h`)).toBe(false);
  });
});

/**
 * A namespace standing in for a guest: a veth pair whose host end carries the workspace's TAP
 * name (a TAP passes no traffic without a VMM on it), the guest address inside with a default
 * route via the host end, an HTTP server on it, and the workspace's real nftables ruleset.
 */
async function fakeGuest(index: number) {
  const n = networkNames(newId());
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
async function curlFrom(ns: string, url: string, maxSeconds = 3): Promise<string> {
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
const UDP_ECHO = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
print(s.getsockname()[1], flush=True)
while True:
    data, addr = s.recvfrom(2048)
    s.sendto(data, addr)
`;

/** One UDP datagram "spoofed" from `argv[1]:argv[2]` to `argv[3]:argv[4]` (python3). */
const UDP_SEND = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
s.sendto(b"spoofed", (sys.argv[3], int(sys.argv[4])))
`;

/**
 * One ICMP port-unreachable (python3, raw socket) to `argv[1]`, about a UDP datagram
 * `argv[1]:argv[2]` -> `argv[3]:argv[4]` (5 payload bytes) whose IP and UDP headers it quotes.
 */
const ICMP_PORT_UNREACHABLE = `
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
function startNsPython(
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
async function hostUdpFlow(local: string, peer: string, peerPort: number) {
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
async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(20);
  return cond();
}

describe("the firewall policy, with namespaces as guests", () => {
  let outside: TestNetns;
  let g: Awaited<ReturnType<typeof fakeGuest>>;
  let h: Awaited<ReturnType<typeof fakeGuest>>;
  const hits: string[] = [];
  const hostService = http.createServer((req, res) => {
    hits.push(req.socket.remoteAddress ?? "?");
    res.end("host-service");
  });

  beforeAll(async () => {
    await new Promise<void>((r) => hostService.listen(0, "0.0.0.0", r));
    outside = await createTestNetns();
    g = await fakeGuest(0);
    h = await fakeGuest(1);
  }, 60_000);

  afterAll(async () => {
    await g?.close();
    await h?.close();
    await outside?.close();
    hostService.close();
  });

  it("lets the guest reach the outside, masqueraded to the host's address", async () => {
    expect(await curlFrom(g.ns, `http://${outside.nsIp}:${outside.port}/`)).toBe("pyro-netns-ok");
    expect(await curlFrom(g.ns, `http://${outside.nsIp}:${outside.port}/peer`)).toMatch(
      new RegExp(`^(::ffff:)?${outside.hostIp.replaceAll(".", "\\.")}$`),
    );
  });

  it("blocks every service the host listens on, at any host address", async () => {
    const port = (hostService.address() as AddressInfo).port;
    const addrs = JSON.parse(await out(["ip", "-4", "-j", "addr", "show"])) as {
      addr_info: { local: string }[];
    }[];
    const hostAddrs = addrs.flatMap((l) => l.addr_info.map((a) => a.local));
    expect(hostAddrs).toContain(g.hostIp);
    for (const addr of hostAddrs) {
      expect(await curlFrom(g.ns, `http://${addr}:${port}/`, 2), addr).toMatch(/^exit=/);
    }
    expect(hits).toEqual([]);
    // Control: without the workspace's table the same request does reach the host service.
    await g.withoutFirewall(async () => {
      expect(await curlFrom(g.ns, `http://${g.hostIp}:${port}/`, 2)).toBe("host-service");
    });
    hits.length = 0;
    expect(await curlFrom(g.ns, `http://${g.hostIp}:${port}/`, 2)).toMatch(/^exit=/);
    expect(hits).toEqual([]);
    // The host itself still reaches the guest (replies come back in on the TAP).
    expect((await fetch(`http://${g.guestIp}:${g.port}/`).then((r) => r.text())) as string).toBe(
      "pyro-netns-ok",
    );
  });

  it("keeps workspaces apart and refuses new connections from outside", async () => {
    expect(await curlFrom(g.ns, `http://${h.guestIp}:${h.port}/`, 2)).toMatch(/^exit=/);
    expect(await curlFrom(outside.name, `http://${g.guestIp}:${g.port}/`, 2)).toMatch(/^exit=/);
  });

  it("drops datagrams from the TAP that spoof the address of a peer the host talks to", async () => {
    const echo = await startNsPython(outside.name, UDP_ECHO, [outside.nsIp]);
    const peerPort = Number(echo.line);
    const flow = await hostUdpFlow(outside.hostIp, outside.nsIp, peerPort);
    const fromPeer = (text: string) => `${outside.nsIp}:${peerPort} ${text}`;
    // The guest takes the peer's address and sends from the peer's port to the host socket:
    // as a reply, conntrack would call that "established".
    const spoof = () =>
      out([
        "ip",
        "netns",
        "exec",
        g.ns,
        "python3",
        "-c",
        UDP_SEND,
        outside.nsIp,
        String(peerPort),
        outside.hostIp,
        String(flow.port),
      ]);
    try {
      await flow.send("hello");
      expect(await waitFor(() => flow.received.length > 0, 2000)).toBe(true);
      expect(flow.received).toEqual([fromPeer("hello")]);
      await out(["ip", "-n", g.ns, "addr", "add", `${outside.nsIp}/32`, "dev", "geth0"]);
      await spoof();
      await sleep(1000);
      expect(flow.received).toEqual([fromPeer("hello")]);
      // Control: without the workspace's table the spoofed datagram does reach the host socket
      // (unless the host's strict reverse-path filter drops it by itself: then there is no control).
      const strictRp = ["all", "default"].some((dev) => {
        try {
          return readFileSync(`/proc/sys/net/ipv4/conf/${dev}/rp_filter`, "utf8").trim() === "1";
        } catch {
          return false;
        }
      });
      if (!strictRp) {
        await g.withoutFirewall(async () => {
          await spoof();
          expect(await waitFor(() => flow.received.length > 1, 2000)).toBe(true);
        });
        expect(flow.received).toEqual([fromPeer("hello"), fromPeer("spoofed")]);
      }
    } finally {
      await runCommand(["ip", "-n", g.ns, "addr", "del", `${outside.nsIp}/32`, "dev", "geth0"]);
      flow.close();
      await killChild(echo.child);
    }
  }, 15_000);

  it("drops ICMP errors from the guest about the host's flows to other addresses", async () => {
    const echo = await startNsPython(outside.name, UDP_ECHO, [outside.nsIp]);
    const peerPort = Number(echo.line);
    const flow = await hostUdpFlow(outside.hostIp, outside.nsIp, peerPort);
    const fromPeer = (text: string) => `${outside.nsIp}:${peerPort} ${text}`;
    // "Port unreachable" about the host's datagram to the peer, from the guest's own address:
    // conntrack would call it "related" to the host's flow.
    const unreachable = () =>
      out([
        "ip",
        "netns",
        "exec",
        g.ns,
        "python3",
        "-c",
        ICMP_PORT_UNREACHABLE,
        outside.hostIp,
        String(flow.port),
        outside.nsIp,
        String(peerPort),
      ]);
    try {
      await flow.send("hello");
      expect(await waitFor(() => flow.received.length > 0, 2000)).toBe(true);
      await unreachable();
      await sleep(1000);
      expect(flow.errors).toEqual([]);
      await flow.send("again");
      expect(await waitFor(() => flow.received.length > 1, 2000)).toBe(true);
      expect(flow.received).toEqual([fromPeer("hello"), fromPeer("again")]);
      expect(flow.errors).toEqual([]);
      // Control: without the workspace's table the same ICMP error breaks the host's socket.
      await g.withoutFirewall(async () => {
        await unreachable();
        expect(await waitFor(() => flow.errors.length > 0, 2000)).toBe(true);
      });
      expect(flow.errors).toEqual(["ECONNREFUSED"]);
    } finally {
      flow.close();
      await killChild(echo.child);
    }
  }, 15_000);
});
