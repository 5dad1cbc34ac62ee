/**
 * The firewall behind a workspace network, as one small interface with two backends:
 * nftables (`nft`, preferred: one `inet` table per workspace) and iptables (fallback when `nft`
 * is missing: three chains per workspace jumped from INPUT, FORWARD and nat POSTROUTING).
 *
 * Policy for the guest on TAP `T` with /30 `S` and guest address `G`, identical in both:
 * - NAT: traffic from `S` leaving through any interface but `T` is masqueraded.
 * - forward from `T`: dropped if not from `G` (spoofing) or IPv6, dropped towards any other pyro
 *   TAP (no workspace reaches another), otherwise accepted (egress).
 * - forward to `T`: only established/related (replies); nothing new reaches the guest.
 * - input from `T`: only established/related; every service the host listens on, on any host
 *   address, is unreachable from the guest.
 */
import type { CommandRunner } from "./command.js";
import type { FirewallTarget } from "./names.js";

/** The firewall implementations pyro knows. */
export type FirewallKind = "nftables" | "iptables";

/** What a backend installs for one workspace. */
export interface FirewallSpec {
  target: FirewallTarget & { nftTable: string };
  /** The workspace /30, `a.b.c.d/30`. */
  subnet: string;
  /** The guest's address (`.2`). */
  guestIp: string;
}

/** One firewall implementation. Every method is idempotent. */
export interface FirewallBackend {
  readonly kind: FirewallKind;
  /**
   * Installs the workspace's rules, replacing any it already has.
   * @throws PyroError network_unavailable when the firewall refuses them
   */
  install(spec: FirewallSpec): Promise<void>;
  /**
   * Removes the workspace's rules; rules that do not exist are not an error.
   * @throws PyroError network_unavailable when existing rules cannot be removed
   */
  remove(target: FirewallTarget): Promise<void>;
  /** Every pyro-named rule set on the host (leased or not). */
  list(): Promise<FirewallTarget[]>;
}

/**
 * Which firewall pyro would use: `nftables` when `nft list tables` works, else `iptables` when
 * `iptables -w -S` works, else null (neither installed, or not permitted: not root).
 */
export async function detectFirewall(run: CommandRunner): Promise<FirewallKind | null> {
  if ((await run(["nft", "list", "tables"])).code === 0) return "nftables";
  if ((await run(["iptables", "-w", "-S"])).code === 0) return "iptables";
  return null;
}
