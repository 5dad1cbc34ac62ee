/**
 * TAP devices via iproute2: created persistent (`ip tuntap add`) so QEMU only attaches to it,
 * marked with an owner alias, given the host address of the /30, IPv6 disabled (no link-local
 * address a guest could reach host services on), and brought up. A TAP left behind by a QEMU
 * killed with SIGKILL is still a normal link that `ip link del` removes.
 */
import { writeFile } from "node:fs/promises";
import { type CommandRunner, mustRun } from "./command.js";

/** A link as `ip -j link show` reports it (fields pyro reads). */
export interface LinkInfo {
  ifname: string;
  /** The alias (`ip link set dev X alias ...`), pyro's owner marker on its TAPs. */
  ifalias?: string;
}

/** What a new TAP gets. */
export interface TapSpec {
  ifname: string;
  /** Host address, dotted quad; assigned as `<hostIp>/30`. */
  hostIp: string;
  /** Owner marker, see `tapAlias` in names.ts. */
  alias: string;
}

/**
 * Creates and configures the TAP. On failure the caller removes it with {@link deleteTap}.
 * @throws PyroError network_unavailable naming the failed `ip` command
 */
export async function createTap(run: CommandRunner, spec: TapSpec): Promise<void> {
  await mustRun(run, ["ip", "tuntap", "add", "dev", spec.ifname, "mode", "tap"]);
  await mustRun(run, ["ip", "link", "set", "dev", spec.ifname, "alias", spec.alias]);
  // Before `up`, so the kernel never gives it an fe80:: address; absent without IPv6: fine.
  await writeFile(`/proc/sys/net/ipv6/conf/${spec.ifname}/disable_ipv6`, "1").catch(() => undefined);
  await mustRun(run, ["ip", "addr", "add", `${spec.hostIp}/30`, "dev", spec.ifname]);
  await mustRun(run, ["ip", "link", "set", "dev", spec.ifname, "up"]);
}

/** All links on the host, or only `ifname` (empty when it does not exist). */
export async function listLinks(run: CommandRunner, ifname?: string): Promise<LinkInfo[]> {
  const r = await run(["ip", "-j", "link", "show", ...(ifname ? ["dev", ifname] : [])]);
  if (r.code !== 0) {
    if (ifname) return [];
    await mustRun(run, ["ip", "-j", "link", "show"]);
  }
  return (JSON.parse(r.stdout || "[]") as LinkInfo[]).filter((l) => typeof l.ifname === "string");
}

/** True when `ifname` exists, is up and carries `hostIp/30`. */
export async function tapReady(run: CommandRunner, ifname: string, hostIp: string): Promise<boolean> {
  const r = await run(["ip", "-4", "-j", "addr", "show", "dev", ifname]);
  if (r.code !== 0) return false;
  const links = JSON.parse(r.stdout || "[]") as {
    flags?: string[];
    addr_info?: { local?: string; prefixlen?: number }[];
  }[];
  const link = links[0];
  return (
    (link?.flags ?? []).includes("UP") &&
    (link?.addr_info ?? []).some((a) => a.local === hostIp && a.prefixlen === 30)
  );
}

/**
 * Removes the TAP; an absent TAP is success.
 * @throws PyroError network_unavailable when it exists and cannot be removed
 */
export async function deleteTap(run: CommandRunner, ifname: string): Promise<void> {
  const r = await run(["ip", "link", "del", "dev", ifname]);
  if (r.code === 0 || (await listLinks(run, ifname)).length === 0) return;
  await mustRun(run, ["ip", "link", "del", "dev", ifname]);
}
