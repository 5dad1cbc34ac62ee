/**
 * Setting up one workspace's network (policies `egress` and `egress+published-ports`):
 * sweep, allocate a /30, create the TAP, enable IPv4 forwarding, install the firewall rules,
 * and only then write the lease. All of it under the registry lock, so allocation is race-free
 * across processes and a half-done setup is never swept.
 */
import { stat } from "node:fs/promises";
import { InvalidArgumentError, PyroError } from "../../errors.js";
import { type NetContext, netContext } from "./context.js";
import { hostUsedRanges } from "./host-routes.js";
import { enableIpForward } from "./ip-forward.js";
import {
  listLeases,
  type NetworkLease,
  readLease,
  removeLease,
  withRegistryLock,
  writeLease,
} from "./lease.js";
import { type NetworkNames, networkNames, tapAlias } from "./names.js";
import {
  cidrRange,
  parseCidr,
  parsePool,
  pickSubnet,
  subnetIndexOf,
  subnetOf,
  type WorkspaceSubnet,
} from "./pool.js";
import { networkHint, networkReport } from "./report.js";
import { hostNameservers } from "./resolv.js";
import { sweepLocked } from "./sweep.js";
import { createTap, tapReady } from "./tap.js";
import { removeNetworkObjects } from "./teardown.js";

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Refuses a TAP name another workspace's lease holds (a 44-bit hash collision), touching nothing. */
async function checkNameClash(ctx: NetContext, names: NetworkNames): Promise<void> {
  const leases = await listLeases(ctx.registryDir);
  const clash = leases.find((l) => l.ifname === names.ifname && l.workspace_id !== names.workspaceId);
  if (clash) {
    throw new PyroError(
      "network_unavailable",
      `TAP name "${names.ifname}" of "${names.workspaceId}" is already leased to "${clash.workspace_id}"`,
      { hint: "delete one of the two workspaces", details: { ifname: names.ifname } },
    );
  }
}

/** Picks the workspace's /30: its previous one when still free, else the first free one. */
async function allocate(
  ctx: NetContext,
  names: NetworkNames,
  previous?: NetworkLease,
): Promise<WorkspaceSubnet> {
  const pool = parsePool(ctx.pool);
  const leases = (await listLeases(ctx.registryDir)).filter((l) => l.workspace_id !== names.workspaceId);
  const taken = [
    ...leases.flatMap((l) => {
      const cidr = parseCidr(subnetOf(l.host_ip) ?? "");
      return cidr ? [cidrRange(cidr)] : [];
    }),
    ...(await hostUsedRanges(ctx.run, pool, names.ifname)),
  ];
  const subnet = pickSubnet(pool, taken, previous ? subnetIndexOf(pool, previous.host_ip) : undefined);
  if (!subnet) {
    throw new PyroError("network_unavailable", `no free /30 left in the address pool ${ctx.pool}`, {
      hint: "set PYRO_NET_POOL to a larger private range that no host route or address overlaps",
      details: { pool: ctx.pool },
    });
  }
  return subnet;
}

/** Builds everything for a fresh lease; the caller undoes it when this throws. */
async function build(ctx: NetContext, names: NetworkNames, ownerDir: string, previous?: NetworkLease) {
  const firewall = ctx.firewalls[0];
  if (!firewall) throw new PyroError("network_unavailable", "no usable firewall (nft or iptables)");
  await removeNetworkObjects(ctx, names); // leftovers of a crashed setup or a killed QEMU
  const subnet = await allocate(ctx, names, previous);
  const lease: NetworkLease = {
    workspace_id: names.workspaceId,
    owner_dir: ownerDir,
    ifname: names.ifname,
    host_ip: subnet.hostIp,
    guest_ip: subnet.guestIp,
    prefix_len: 30,
    mac: names.mac,
    dns: await hostNameservers(),
    firewall: firewall.kind,
  };
  await createTap(ctx.run, {
    ifname: names.ifname,
    hostIp: subnet.hostIp,
    alias: tapAlias(names.workspaceId, ctx.registryDir),
  });
  await enableIpForward();
  await firewall.install({ target: names, subnet: subnet.cidr, guestIp: subnet.guestIp });
  await writeLease(ctx.registryDir, lease);
  return lease;
}

/** Re-setup of a lease whose TAP is intact: reinstall its rules (a replace), refresh the lease. */
async function refresh(ctx: NetContext, names: NetworkNames, lease: NetworkLease, ownerDir: string) {
  const firewall = ctx.firewalls.find((f) => f.kind === lease.firewall);
  if (firewall !== ctx.firewalls[0] || !firewall || !(await tapReady(ctx.run, lease.ifname, lease.host_ip))) {
    return undefined;
  }
  await enableIpForward();
  const subnet = subnetOf(lease.host_ip);
  if (!subnet) return undefined;
  await firewall.install({ target: names, subnet, guestIp: lease.guest_ip });
  const next = { ...lease, owner_dir: ownerDir };
  await writeLease(ctx.registryDir, next);
  return next;
}

/**
 * Gives a workspace its host-side network and returns the lease: TAP `pyro<11 hex>` with the
 * `.1` of a free /30 from `PYRO_NET_POOL`, IPv4 forwarding on, and one firewall table (or chain
 * set) allowing egress with NAT while blocking the host's own services and other workspaces.
 * Sweeps stale leases first. Idempotent: for a workspace that has a lease whose TAP is intact
 * the rules are reinstalled and the same lease is returned; otherwise leftovers are removed and
 * everything is rebuilt (on the same /30 when still free). On failure everything done is
 * undone. Writes `/proc/sys/net/ipv4/ip_forward` (never reset; see ip-forward.ts).
 * @param ownerDir the workspace directory; the lease is stale once it no longer exists
 * @throws PyroError invalid_argument for an unusable id, a missing `ownerDir`, a bad `PYRO_NET_POOL`
 * @throws PyroError network_unavailable (with a hint) when not root, no `/dev/net/tun`, no
 *   `nft`/`iptables`, the pool is exhausted, or a command fails
 */
export async function setupWorkspaceNetwork(workspaceId: string, ownerDir: string): Promise<NetworkLease> {
  const names = networkNames(workspaceId);
  if (!(await isDirectory(ownerDir))) {
    throw new InvalidArgumentError(`network owner directory "${ownerDir}" does not exist`);
  }
  const report = await networkReport();
  if (!report.available) {
    throw new PyroError(
      "network_unavailable",
      `cannot set up the network of "${workspaceId}": ${report.reason}`,
      {
        hint: networkHint(report),
        details: { workspace_id: workspaceId, ...report },
      },
    );
  }
  const ctx = await netContext();
  parsePool(ctx.pool);
  return withRegistryLock(ctx.registryDir, async () => {
    let touched = false;
    try {
      await sweepLocked(ctx);
      await checkNameClash(ctx, names);
      touched = true;
      const previous = await readLease(ctx.registryDir, workspaceId);
      return (
        (previous && (await refresh(ctx, names, previous, ownerDir))) ??
        (await build(ctx, names, ownerDir, previous))
      );
    } catch (err) {
      if (touched) {
        await removeNetworkObjects(ctx, names).catch(() => undefined);
        await removeLease(ctx.registryDir, workspaceId).catch(() => undefined);
      }
      if (err instanceof PyroError && err.code === "invalid_argument") throw err;
      if (err instanceof PyroError && err.code === "network_unavailable" && err.hint) throw err;
      throw new PyroError(
        "network_unavailable",
        `cannot set up the network of "${workspaceId}": ${err instanceof Error ? err.message : String(err)}`,
        {
          hint: "see `pyro doctor` (Networking); whatever was set up was removed",
          cause: err,
          details: { workspace_id: workspaceId },
        },
      );
    }
  });
}
