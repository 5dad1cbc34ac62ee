/** Removing one workspace's network: firewall rules, TAP and lease, with or without a lease file. */
import { PyroError } from "../../errors.js";
import { type NetContext, netContext } from "./context.js";
import { removeLease, withRegistryLock } from "./lease.js";
import { type FirewallTarget, networkNames } from "./names.js";
import { deleteTap, listLinks } from "./tap.js";

/**
 * Removes a workspace's firewall rules from every usable firewall, then its TAP (in that order,
 * so rules never outlive their TAP). Absent objects are fine. Caller holds the registry lock.
 * @throws PyroError network_unavailable when an existing object cannot be removed
 */
export async function removeNetworkObjects(ctx: NetContext, target: FirewallTarget): Promise<void> {
  for (const firewall of ctx.firewalls) await firewall.remove(target);
  await deleteTap(ctx.run, target.ifname);
}

/**
 * Tears down a workspace's network: its firewall table or chains, its TAP (also one a QEMU
 * killed with SIGKILL left behind) and its lease. Every name derives from the id, so a missing
 * lease file does not matter. Idempotent: nothing to remove is success. Without root it
 * succeeds only when the workspace has no TAP (nothing a non-root pyro could have created).
 * @throws PyroError invalid_argument for an id that cannot name network objects
 * @throws PyroError network_unavailable when something exists but cannot be removed
 * @throws PyroError timeout when the registry lock stays held for 60 s
 */
export async function teardownWorkspaceNetwork(workspaceId: string): Promise<void> {
  const names = networkNames(workspaceId);
  const ctx = await netContext();
  if (process.getuid?.() !== 0) {
    if ((await listLinks(ctx.run, names.ifname)).length === 0) return;
    throw new PyroError(
      "network_unavailable",
      `removing TAP "${names.ifname}" of "${workspaceId}" needs root`,
      {
        hint: "run pyro as root to remove a workspace's network",
        details: { workspace_id: workspaceId, ifname: names.ifname },
      },
    );
  }
  await withRegistryLock(ctx.registryDir, async () => {
    await removeNetworkObjects(ctx, names);
    await removeLease(ctx.registryDir, workspaceId);
  });
}
