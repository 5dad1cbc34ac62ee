/**
 * The host-side firewall policy for real, without booting a guest: network namespaces stand in
 * for guests (with the workspace's real nftables table) and for "the outside world". Leases,
 * TAPs and sweeping are in network-host-leases.test.ts. Root only; every address involved is on
 * this machine or in a namespace this file creates, and everything is removed afterwards.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../../src/core/network/command.js";
import { hostNetworkSandbox, linkExists, out, requireHostNetwork } from "./host-network.js";
import { createTestNetns, killChild, type TestNetns } from "./netns.js";
import {
  curlFrom,
  type FakeGuest,
  fakeGuest,
  hostUdpFlow,
  ICMP_PORT_UNREACHABLE,
  startNsPython,
  UDP_ECHO,
  UDP_SEND,
  waitFor,
} from "./netns-guest.js";
import { workspaceTest } from "./workspace-test.js";

requireHostNetwork();
// No guest boots here (namespaces stand in for guests); the fixture still holds this file to
// the suite's rule that nothing of a machine is left running.
const _fixture = workspaceTest();
// The fake guests' ids come from here, so the file fails if a TAP or table of theirs is left.
const net = hostNetworkSandbox();

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

describe("the firewall policy, with namespaces as guests", () => {
  let outside: TestNetns;
  let g: FakeGuest;
  let h: FakeGuest;
  const hits: string[] = [];
  const hostService = http.createServer((req, res) => {
    hits.push(req.socket.remoteAddress ?? "?");
    res.end("host-service");
  });

  beforeAll(async () => {
    await new Promise<void>((r) => hostService.listen(0, "0.0.0.0", r));
    outside = await createTestNetns();
    g = await fakeGuest(net.newId(), 0);
    h = await fakeGuest(net.newId(), 1);
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

  /**
   * A UDP echo in the outside namespace and a host socket talking to it: the host's flow that a
   * guest tries to pass for (a spoofed reply, an ICMP error). `fromPeer` is what the host socket
   * records for a datagram from the peer; `close` ends both.
   */
  async function udpPeerFlow() {
    const echo = await startNsPython(outside.name, UDP_ECHO, [outside.nsIp]);
    const peerPort = Number(echo.line);
    const flow = await hostUdpFlow(outside.hostIp, outside.nsIp, peerPort);
    return {
      peerPort,
      flow,
      fromPeer: (text: string) => `${outside.nsIp}:${peerPort} ${text}`,
      close: async () => {
        flow.close();
        await killChild(echo.child);
      },
    };
  }

  it("drops datagrams from the TAP that spoof the address of a peer the host talks to", async () => {
    const { peerPort, flow, fromPeer, close } = await udpPeerFlow();
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
      await close();
    }
  }, 15_000);

  it("drops ICMP errors from the guest about the host's flows to other addresses", async () => {
    const { peerPort, flow, fromPeer, close } = await udpPeerFlow();
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
      await close();
    }
  }, 15_000);
});
