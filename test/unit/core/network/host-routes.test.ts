import { describe, expect, it } from "vitest";
import type { CommandRunner } from "../../../../src/core/network/command.js";
import { addressRanges, hostUsedRanges, routeRanges } from "../../../../src/core/network/host-routes.js";
import { intToIp, parsePool } from "../../../../src/core/network/pool.js";

const pool = parsePool("172.29.0.0/16");
const show = (ranges: { start: number; end: number }[]) =>
  ranges.map((r) => `${intToIp(r.start)}-${intToIp(r.end)}`);

// Shapes as `ip -4 -j route show table all` and `ip -4 -j addr show` print them.
const ROUTES = [
  { dst: "default", gateway: "192.0.2.1", dev: "eth0" },
  { dst: "0.0.0.0/1", gateway: "10.8.0.1", dev: "tun0" },
  { dst: "172.16.0.0/12", gateway: "10.8.0.1", dev: "tun0" },
  { dst: "172.29.4.0/24", dev: "docker1" },
  { dst: "172.29.0.0/30", dev: "pyro280491eb754" },
  { type: "local", dst: "192.0.2.2", dev: "eth0", table: "local" },
  { dst: "fe80::/64", dev: "eth0" },
];
const ADDRS = [
  { ifname: "lo", addr_info: [{ family: "inet", local: "127.0.0.1", prefixlen: 8 }] },
  { ifname: "eth0", addr_info: [{ family: "inet", local: "192.0.2.2", prefixlen: 24 }] },
  { ifname: "pyro280491eb754", addr_info: [{ family: "inet", local: "172.29.0.1", prefixlen: 30 }] },
  { ifname: "eth1", addr_info: [{ family: "inet6", local: "fe80::1", prefixlen: 64 }] },
];

describe("routeRanges", () => {
  it("keeps routes at least as specific as the pool, drops defaults and covering routes", () => {
    expect(show(routeRanges(ROUTES, pool))).toEqual([
      "172.29.4.0-172.29.4.255",
      "172.29.0.0-172.29.0.3",
      "192.0.2.2-192.0.2.2",
    ]);
  });

  it("ignores the routes of the workspace's own TAP", () => {
    expect(show(routeRanges(ROUTES, pool, "pyro280491eb754"))).not.toContain("172.29.0.0-172.29.0.3");
  });
});

describe("addressRanges", () => {
  it("turns every IPv4 address into its network", () => {
    expect(show(addressRanges(ADDRS))).toEqual([
      "127.0.0.0-127.255.255.255",
      "192.0.2.0-192.0.2.255",
      "172.29.0.0-172.29.0.3",
    ]);
    expect(show(addressRanges(ADDRS, "pyro280491eb754"))).toHaveLength(2);
  });
});

describe("hostUsedRanges", () => {
  it("asks ip for routes of all tables and addresses", async () => {
    const calls: string[] = [];
    const run: CommandRunner = async (argv) => {
      calls.push(argv.join(" "));
      return { code: 0, stdout: JSON.stringify(argv.includes("route") ? ROUTES : ADDRS), stderr: "" };
    };
    expect(await hostUsedRanges(run, pool)).toHaveLength(6);
    expect(calls).toEqual(["ip -4 -j route show table all", "ip -4 -j addr show"]);
  });

  it("fails with network_unavailable when ip fails", async () => {
    const run: CommandRunner = async () => ({ code: 1, stdout: "", stderr: "boom" });
    await expect(hostUsedRanges(run, pool)).rejects.toMatchObject({ code: "network_unavailable" });
  });
});
