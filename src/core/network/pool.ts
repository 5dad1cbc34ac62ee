/**
 * The address pool: an IPv4 CIDR carved into /30 subnets, one per workspace (`.1` host side,
 * `.2` guest), and first-fit allocation that skips /30s already leased or overlapping a host
 * route or address. Pure; addresses are unsigned 32-bit integers.
 */
import { InvalidArgumentError } from "../../errors.js";

/** An IPv4 network: base address (integer) and prefix length in bits. */
export interface Ipv4Cidr {
  base: number;
  prefixLen: number;
}

/** An inclusive range of IPv4 addresses (integers). */
export interface Ipv4Range {
  start: number;
  end: number;
}

/** One workspace's /30: network, host (`.1`) and guest (`.2`) addresses as dotted quads. */
export interface WorkspaceSubnet {
  /** Index of the /30 inside the pool, from 0. */
  index: number;
  /** `a.b.c.d/30` */
  cidr: string;
  hostIp: string;
  guestIp: string;
}

/** Parses a dotted quad; undefined when malformed. */
export function ipToInt(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

/** Formats an integer as a dotted quad. */
export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/** Parses `a.b.c.d/len` (a bare address is a /32); undefined when malformed. */
export function parseCidr(text: string): Ipv4Cidr | undefined {
  const [ip, len, extra] = text.split("/");
  if (extra !== undefined || ip === undefined) return undefined;
  const base = ipToInt(ip);
  const prefixLen = len === undefined ? 32 : /^\d{1,2}$/.test(len) ? Number(len) : Number.NaN;
  if (base === undefined || !(prefixLen >= 0 && prefixLen <= 32)) return undefined;
  return { base, prefixLen };
}

/** The addresses a network covers (host bits of `cidr.base` are ignored). */
export function cidrRange(cidr: Ipv4Cidr): Ipv4Range {
  const size = 2 ** (32 - cidr.prefixLen);
  const start = Math.floor(cidr.base / size) * size;
  return { start, end: start + size - 1 };
}

/** True when the two ranges share at least one address. */
export function rangesOverlap(a: Ipv4Range, b: Ipv4Range): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/**
 * Parses the pool (`PYRO_NET_POOL`): an aligned IPv4 network of at most /30.
 * @throws PyroError invalid_argument naming the variable
 */
export function parsePool(text: string): Ipv4Cidr {
  const cidr = parseCidr(text);
  if (!cidr || cidr.prefixLen > 30 || cidrRange(cidr).start !== cidr.base) {
    throw new InvalidArgumentError(
      `PYRO_NET_POOL "${text}" is not an aligned IPv4 network of /30 or larger (e.g. 172.29.0.0/16)`,
    );
  }
  return cidr;
}

/** How many /30 subnets the pool holds. */
export function subnetCount(pool: Ipv4Cidr): number {
  return 2 ** (30 - pool.prefixLen);
}

/** The `index`-th /30 of the pool (0-based; callers keep `index < subnetCount(pool)`). */
export function subnetAt(pool: Ipv4Cidr, index: number): WorkspaceSubnet {
  const network = pool.base + index * 4;
  return {
    index,
    cidr: `${intToIp(network)}/30`,
    hostIp: intToIp(network + 1),
    guestIp: intToIp(network + 2),
  };
}

/** `a.b.c.d/30` of the /30 holding `ip` (dotted quad); undefined when malformed. */
export function subnetOf(ip: string): string | undefined {
  const cidr = parseCidr(`${ip}/30`);
  return cidr ? `${intToIp(cidrRange(cidr).start)}/30` : undefined;
}

/** The /30 that contains `hostIp` as its `.1`, when it lies in the pool. */
export function subnetIndexOf(pool: Ipv4Cidr, hostIp: string): number | undefined {
  const ip = ipToInt(hostIp);
  const range = cidrRange(pool);
  if (ip === undefined || ip < range.start || ip > range.end || ip % 4 !== 1) return undefined;
  return (ip - 1 - range.start) / 4;
}

/**
 * First-fit choice of a free /30: `preferred` first (a workspace's previous subnet), then the
 * lowest index whose addresses overlap none of `taken`. Undefined when the pool is exhausted.
 */
export function pickSubnet(
  pool: Ipv4Cidr,
  taken: readonly Ipv4Range[],
  preferred?: number,
): WorkspaceSubnet | undefined {
  const count = subnetCount(pool);
  const free = (i: number) => {
    const start = pool.base + i * 4;
    const range = { start, end: start + 3 };
    return !taken.some((t) => rangesOverlap(t, range));
  };
  if (preferred !== undefined && preferred >= 0 && preferred < count && free(preferred)) {
    return subnetAt(pool, preferred);
  }
  for (let i = 0; i < count; i++) if (free(i)) return subnetAt(pool, i);
  return undefined;
}
