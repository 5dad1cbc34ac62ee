/** Whether this host can give workspaces a network, and why not: the facts `pyro doctor` shows. */
import { open } from "node:fs/promises";
import { type CommandRunner, runCommand } from "./command.js";
import { detectFirewall, type FirewallKind } from "./firewall.js";
import { ipForwardEnabled } from "./ip-forward.js";

/** Networking facts of the host. */
export interface NetworkReport {
  /** `/dev/net/tun` exists and opens read-write. */
  tun: boolean;
  /** IPv4 forwarding is on now (pyro turns it on at the first networked workspace). */
  ip_forward: boolean;
  /** The firewall pyro would use; null when neither `nft` nor `iptables` works (or not root). */
  firewall: FirewallKind | null;
  /** pyro runs as root (TAP devices and firewall rules need CAP_NET_ADMIN). */
  root: boolean;
  /** Workspaces with network policy `egress` or `egress+published-ports` can start. */
  available: boolean;
  /** Why networking is unavailable; absent when available. */
  reason?: string;
}

async function tunUsable(): Promise<boolean> {
  try {
    await (await open("/dev/net/tun", "r+")).close();
    return true;
  } catch {
    return false;
  }
}

/** Probes the host (a few `ip`/`nft` calls, no changes). */
export async function networkReport(run: CommandRunner = runCommand): Promise<NetworkReport> {
  const root = process.getuid?.() === 0;
  const tun = await tunUsable();
  const ip = (await run(["ip", "-V"])).code === 0;
  const firewall = await detectFirewall(run);
  const ip_forward = await ipForwardEnabled();
  let reason: string | undefined;
  if (!root) reason = "not running as root: TAP devices and firewall rules need CAP_NET_ADMIN";
  else if (!tun) reason = "/dev/net/tun is missing or cannot be opened";
  else if (!ip) reason = "iproute2 (`ip`) is not installed";
  else if (!firewall) reason = "neither `nft` nor `iptables` is installed";
  return { tun, ip_forward, firewall, root, available: reason === undefined, ...(reason ? { reason } : {}) };
}

/** The next step for a human, matching {@link NetworkReport.reason}. */
export function networkHint(report: NetworkReport): string {
  if (!report.root) return "run pyro as root, or create the workspace with --network-policy off";
  if (!report.tun) return "load the tun module (modprobe tun) so /dev/net/tun exists";
  if (!report.firewall) return "install nftables (apt-get install nftables) or iptables";
  return "see `pyro doctor` (Networking)";
}
