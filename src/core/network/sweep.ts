/**
 * Garbage collection of workspace networks. Stale: a lease whose `owner_dir` is gone. Leftover:
 * a pyro TAP no lease names whose alias says this registry created it (a setup or teardown that
 * crashed), or a pyro firewall table/chain set no lease names whose TAP no longer exists. Runs
 * only under the registry lock, and setup holds that lock from allocation until its lease is
 * written, so a setup in progress is never swept. Objects of another registry
 * (another `PYRO_NET_DIR`) are left to it.
 */
import { stat } from "node:fs/promises";
import { type NetContext, netContext } from "./context.js";
import { leaseFileIds, listLeases, removeLease, withRegistryLock } from "./lease.js";
import { networkNames, parseTapAlias, registryTag, TAP_NAME_RE } from "./names.js";
import { listLinks } from "./tap.js";
import { removeNetworkObjects } from "./teardown.js";

async function ownerGone(dir: string): Promise<boolean> {
  try {
    await stat(dir);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ENOENT";
  }
}

/**
 * The sweep itself; the caller holds the registry lock.
 * @returns ids of workspaces whose network was removed (leftover firewall chains whose
 *   workspace id is unknown are removed but not listed)
 */
export async function sweepLocked(ctx: NetContext): Promise<string[]> {
  const removed = new Set<string>();
  const claimed = new Set<string>();
  for (const lease of await listLeases(ctx.registryDir)) {
    if (await ownerGone(lease.owner_dir)) {
      await removeNetworkObjects(ctx, networkNames(lease.workspace_id));
      await removeLease(ctx.registryDir, lease.workspace_id);
      removed.add(lease.workspace_id);
    } else claimed.add(lease.ifname);
  }
  for (const id of await leaseFileIds(ctx.registryDir)) {
    if (!removed.has(id)) claimed.add(networkNames(id).ifname);
  }

  const mine = registryTag(ctx.registryDir);
  for (const link of await listLinks(ctx.run)) {
    if (!TAP_NAME_RE.test(link.ifname) || claimed.has(link.ifname)) continue;
    const owner = parseTapAlias(link.ifalias);
    if (owner?.registry !== mine || networkNames(owner.workspaceId).ifname !== link.ifname) continue;
    await removeNetworkObjects(ctx, networkNames(owner.workspaceId));
    removed.add(owner.workspaceId);
  }

  const links = new Set((await listLinks(ctx.run)).map((l) => l.ifname));
  for (const firewall of ctx.firewalls) {
    for (const target of await firewall.list()) {
      if (claimed.has(target.ifname) || links.has(target.ifname)) continue;
      await firewall.remove(target);
      if ("workspaceId" in target && typeof target.workspaceId === "string") removed.add(target.workspaceId);
    }
  }
  return [...removed];
}

/**
 * Tears down every stale lease and every leftover of this registry (see the module comment).
 * A no-op without root (nothing can be removed; the registry is root's).
 * @returns ids of the workspaces whose network was removed
 * @throws PyroError network_unavailable when an object cannot be removed
 * @throws PyroError timeout when the registry lock stays held for 60 s
 */
export async function sweepStaleNetworks(): Promise<string[]> {
  if (process.getuid?.() !== 0) return [];
  const ctx = await netContext();
  return withRegistryLock(ctx.registryDir, () => sweepLocked(ctx));
}
