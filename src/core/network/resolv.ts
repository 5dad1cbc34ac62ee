/**
 * Nameservers handed to the guest: the host's `/etc/resolv.conf` entries the guest can reach,
 * i.e. IPv4 and not loopback (a `127.0.0.53` stub resolver means the host itself; with
 * systemd-resolved its upstream list in `/run/systemd/resolve/resolv.conf` is used instead).
 */
import { readFile } from "node:fs/promises";
import { ipToInt } from "./pool.js";

const RESOLV_CONF = "/etc/resolv.conf";
const RESOLVED_UPSTREAM = "/run/systemd/resolve/resolv.conf";

/** `nameserver` entries of a resolv.conf text that are IPv4, not loopback, not 0.0.0.0; deduplicated. */
export function parseNameservers(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    const ip = m?.[1];
    const n = ip === undefined ? undefined : ipToInt(ip);
    if (ip === undefined || n === undefined || n === 0 || Math.floor(n / 2 ** 24) === 127) continue;
    if (!out.includes(ip)) out.push(ip);
  }
  return out;
}

/** The host's usable nameservers (may be empty when none is reachable from a guest). */
export async function hostNameservers(): Promise<string[]> {
  const main = parseNameservers(await readFile(RESOLV_CONF, "utf8").catch(() => ""));
  if (main.length > 0) return main;
  return parseNameservers(await readFile(RESOLVED_UPSTREAM, "utf8").catch(() => ""));
}
