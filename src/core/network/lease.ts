/**
 * Network leases: one JSON file per networked workspace in the host-global registry directory
 * (`PYRO_NET_DIR`, default `/run/pyro/net`; 0700, files 0600), and the registry lock that
 * serialises every allocation, setup, teardown and sweep across processes.
 *
 * ```
 * <registry>/<workspace_id>.json    NetworkLease
 * <registry>/registry.lock/         proper-lockfile lock (mkdir-based)
 * ```
 */
import { chmod, mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { writeJsonAtomic } from "../fs-atomic.js";
import { withLock } from "../lock.js";

/** One workspace's host-side network: a TAP device, a private /30 and its firewall rules. */
export const NetworkLeaseSchema = z.object({
  workspace_id: z.string(),
  /** The workspace directory that owns the lease; when it no longer exists the lease is stale. */
  owner_dir: z.string(),
  /** TAP device name, `pyro` + 11 hex derived from the workspace id (15 chars). */
  ifname: z.string(),
  /** Host end of the /30 (its `.1`), the guest's gateway. */
  host_ip: z.string(),
  /** Guest end of the /30 (its `.2`). */
  guest_ip: z.string(),
  prefix_len: z.literal(30),
  /** Guest NIC MAC, `52:54:00:xx:xx:xx` derived from the workspace id. */
  mac: z.string(),
  /** Host nameservers reachable from the guest (IPv4, not loopback); may be empty. */
  dns: z.array(z.string()),
  /** Which firewall holds the workspace's rules. */
  firewall: z.enum(["nftables", "iptables"]),
});

export type NetworkLease = z.infer<typeof NetworkLeaseSchema>;

/** Path of a workspace's lease file. */
export function leasePath(registryDir: string, workspaceId: string): string {
  return join(registryDir, `${workspaceId}.json`);
}

/** Creates the registry directory (0700) if needed. */
export async function ensureRegistryDir(registryDir: string): Promise<void> {
  await mkdir(registryDir, { recursive: true, mode: 0o700 });
  await chmod(registryDir, 0o700);
}

/**
 * Runs `fn` holding the registry lock (`<registry>/registry.lock`): no other pyro process
 * allocates, sets up, tears down or sweeps meanwhile. Waits up to 60 s.
 * @throws PyroError timeout when another process holds the lock longer
 */
export async function withRegistryLock<T>(registryDir: string, fn: () => Promise<T>): Promise<T> {
  await ensureRegistryDir(registryDir);
  return withLock(join(registryDir, "registry"), fn, { waitMs: 60_000 });
}

/** Reads one lease; undefined when absent or unreadable (a damaged lease is treated as absent). */
export async function readLease(registryDir: string, workspaceId: string): Promise<NetworkLease | undefined> {
  try {
    const parsed = NetworkLeaseSchema.safeParse(
      JSON.parse(await readFile(leasePath(registryDir, workspaceId), "utf8")),
    );
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Workspace ids that have a lease file, readable or not (a damaged file still claims its
 * workspace's TAP, so a sweep never tears down a running workspace because of it).
 */
export async function leaseFileIds(registryDir: string): Promise<string[]> {
  const names = await readdir(registryDir).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith(".json")).map((n) => n.slice(0, -".json".length));
}

/** Every readable lease in the registry (none when the directory does not exist). */
export async function listLeases(registryDir: string): Promise<NetworkLease[]> {
  const leases: NetworkLease[] = [];
  for (const id of await leaseFileIds(registryDir)) {
    const lease = await readLease(registryDir, id);
    if (lease) leases.push(lease);
  }
  return leases;
}

/** Writes a lease atomically (temp file + rename), mode 0600. */
export async function writeLease(registryDir: string, lease: NetworkLease): Promise<void> {
  await writeJsonAtomic(leasePath(registryDir, lease.workspace_id), lease, 0o600);
}

/** Removes a lease file; absent is fine. */
export async function removeLease(registryDir: string, workspaceId: string): Promise<void> {
  await rm(leasePath(registryDir, workspaceId), { force: true });
}
