/** The kernel command-line parameter that tells the guest agent how to configure its NIC. */
import type { NetworkLease } from "./lease.js";

/**
 * `pyro.net=<guest ip>/<prefix>,<gateway>[,<dns>...]`, e.g.
 * `pyro.net=172.29.0.2/30,172.29.0.1,10.0.0.53` (pure; no spaces, safe on a kernel command line).
 */
export function guestNetworkCmdline(lease: NetworkLease): string {
  return `pyro.net=${[`${lease.guest_ip}/${lease.prefix_len}`, lease.host_ip, ...lease.dns].join(",")}`;
}
