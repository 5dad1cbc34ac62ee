/** What every network operation works with: the runner, the registry and the usable firewalls. */
import { netPool, netRegistryDir } from "../config.js";
import { type CommandRunner, runCommand } from "./command.js";
import type { FirewallBackend } from "./firewall.js";
import { IptablesFirewall } from "./iptables.js";
import { NftablesFirewall } from "./nftables.js";

/** Resolved once per public call. */
export interface NetContext {
  run: CommandRunner;
  /** Lease registry directory (`PYRO_NET_DIR`). */
  registryDir: string;
  /** Address pool text (`PYRO_NET_POOL`), parsed where it is needed. */
  pool: string;
  /** Every firewall that works here, preferred first (nftables before iptables). */
  firewalls: FirewallBackend[];
}

/**
 * Reads `PYRO_NET_DIR`/`PYRO_NET_POOL` (through config.ts) and probes which firewalls work.
 * @throws PyroError invalid_argument for a malformed variable
 */
export async function netContext(run: CommandRunner = runCommand): Promise<NetContext> {
  const firewalls: FirewallBackend[] = [];
  if ((await run(["nft", "list", "tables"])).code === 0) firewalls.push(new NftablesFirewall(run));
  if ((await run(["iptables", "-w", "-S"])).code === 0) firewalls.push(new IptablesFirewall(run));
  return { run, registryDir: netRegistryDir(), pool: netPool(), firewalls };
}
