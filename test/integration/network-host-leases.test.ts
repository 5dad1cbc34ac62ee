/**
 * Host-side workspace networking for real, without booting a guest: TAPs, /30 leases, nftables
 * tables, sweeping and teardown. The firewall policy itself is in network-host-firewall.test.ts.
 * Root only; every address involved is on this machine, and everything is removed afterwards.
 */
import { randomBytes } from "node:crypto";
import { rmSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCommand } from "../../src/core/network/command.js";
import {
  guestNetworkCmdline,
  type NetworkLease,
  setupWorkspaceNetwork,
  sweepStaleNetworks,
  teardownWorkspaceNetwork,
} from "../../src/core/network/index.js";
import { ipForwardEnabled } from "../../src/core/network/ip-forward.js";
import { networkNames, registryTag, tapAlias } from "../../src/core/network/names.js";
import { NftablesFirewall } from "../../src/core/network/nftables.js";
import { subnetOf } from "../../src/core/network/pool.js";
import { parseNameservers } from "../../src/core/network/resolv.js";
import {
  hostNetworkSandbox,
  linkExists,
  out,
  POOL,
  requireHostNetwork,
  tableExists,
} from "./host-network.js";
import { workspaceTest } from "./workspace-test.js";

requireHostNetwork();
// No guest boots here (owner directories stand in for workspaces, under `net.homes`); the fixture
// still holds this file to the suite's rule that nothing of a machine is left running.
const _fixture = workspaceTest();
const net = hostNetworkSandbox();
const { newId, ownerDir, leaseExists } = net;

describe("setupWorkspaceNetwork", () => {
  let a: NetworkLease;
  let idA = "";

  it("creates the TAP with the host end of a /30, the firewall table and then the lease", async () => {
    idA = newId();
    a = await setupWorkspaceNetwork(idA, ownerDir(idA));
    const names = networkNames(idA);
    expect(a).toMatchObject({
      workspace_id: idA,
      owner_dir: join(net.homes, idA),
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
    expect(link.ifalias).toBe(tapAlias(idA, net.registry));
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

    expect(statSync(net.registry).mode & 0o777).toBe(0o700);
    expect(statSync(join(net.registry, `${idA}.json`)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(join(net.registry, `${idA}.json`), "utf8"))).toEqual(a);
  });

  it("is idempotent for the same workspace, and rebuilds after its TAP vanished", async () => {
    expect(await setupWorkspaceNetwork(idA, join(net.homes, idA))).toEqual(a);
    await out(["ip", "link", "del", "dev", a.ifname]); // as if someone removed it
    expect(await setupWorkspaceNetwork(idA, join(net.homes, idA))).toEqual(a);
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
    rmSync(join(net.homes, gone), { recursive: true });
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
    rmSync(join(net.registry, `${id}.json`));
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
    rmSync(join(net.registry, `${mine}.json`));
    const foreign = networkNames(newId());
    await out(["ip", "tuntap", "add", "dev", foreign.ifname, "mode", "tap"]);
    await out(["ip", "link", "set", "dev", foreign.ifname, "alias", `pyro:${foreign.workspaceId}:00000000`]);
    expect(registryTag(net.registry)).not.toBe("00000000");

    expect(await sweepStaleNetworks()).toEqual([mine]);
    expect(await linkExists(mineLease.ifname)).toBe(false);
    expect(await tableExists(mine)).toBe(false);
    expect(await linkExists(foreign.ifname)).toBe(true);
    await teardownWorkspaceNetwork(foreign.workspaceId);
    expect(await linkExists(foreign.ifname)).toBe(false);
  });
});
