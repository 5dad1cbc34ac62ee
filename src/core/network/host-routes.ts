/**
 * What the host already uses of the IPv4 space: its routes (all tables) and addresses, from
 * `ip -4 -j route show table all` and `ip -4 -j addr show`, as ranges a new /30 must avoid.
 */
import { type CommandRunner, mustRun } from "./command.js";
import { cidrRange, type Ipv4Cidr, type Ipv4Range, parseCidr } from "./pool.js";

/** One entry of `ip -j route` (fields pyro reads). */
export interface IpRouteJson {
  dst?: string;
  dev?: string;
}

/** One entry of `ip -j addr` (fields pyro reads). */
export interface IpAddrJson {
  ifname?: string;
  addr_info?: { family?: string; local?: string; prefixlen?: number }[];
}

/**
 * Ranges of routes that a /30 of `pool` must not overlap. Routes less specific than the pool
 * itself (the default route, VPN split-defaults, a covering /8) are skipped: every private
 * subnet lies under them. Routes through `ignoreDev` (the workspace's own TAP) are skipped too.
 */
export function routeRanges(routes: readonly IpRouteJson[], pool: Ipv4Cidr, ignoreDev?: string): Ipv4Range[] {
  const out: Ipv4Range[] = [];
  for (const r of routes) {
    if (!r.dst || r.dst === "default" || (ignoreDev && r.dev === ignoreDev)) continue;
    const cidr = parseCidr(r.dst);
    if (cidr && cidr.prefixLen >= pool.prefixLen) out.push(cidrRange(cidr));
  }
  return out;
}

/** Networks of every host IPv4 address (any prefix), except those on `ignoreDev`. */
export function addressRanges(links: readonly IpAddrJson[], ignoreDev?: string): Ipv4Range[] {
  const out: Ipv4Range[] = [];
  for (const link of links) {
    if (ignoreDev && link.ifname === ignoreDev) continue;
    for (const a of link.addr_info ?? []) {
      if (a.family !== "inet" || !a.local) continue;
      const cidr = parseCidr(`${a.local}/${a.prefixlen ?? 32}`);
      if (cidr) out.push(cidrRange(cidr));
    }
  }
  return out;
}

/**
 * Reads the host's routes and addresses and returns the ranges a new /30 must avoid.
 * @throws PyroError network_unavailable when `ip` fails
 */
export async function hostUsedRanges(
  run: CommandRunner,
  pool: Ipv4Cidr,
  ignoreDev?: string,
): Promise<Ipv4Range[]> {
  const routes = JSON.parse(
    (await mustRun(run, ["ip", "-4", "-j", "route", "show", "table", "all"])) || "[]",
  ) as IpRouteJson[];
  const addrs = JSON.parse((await mustRun(run, ["ip", "-4", "-j", "addr", "show"])) || "[]") as IpAddrJson[];
  return [...routeRanges(routes, pool, ignoreDev), ...addressRanges(addrs, ignoreDev)];
}
