/** A machine's NIC for an egress policy: its host network set up, in the shapes records and the VMM want. */
import type { VmNetwork } from "../../supervisor/protocol.js";
import { guestNetworkCmdline } from "./guest-cmdline.js";
import { setupWorkspaceNetwork } from "./setup.js";

export interface MachineNic {
  /** What workspace and VM records show. */
  info: { interface: string; host_ip: string; guest_ip: string };
  /** What the VMM attaches and tells the guest. */
  nic: VmNetwork;
}

/**
 * Sets up (or reuses) the TAP, /30 and firewall of machine `id` (a workspace or a VM) owned by
 * `ownerDir`. @throws PyroError network_unavailable
 */
export async function attachMachineNetwork(id: string, ownerDir: string): Promise<MachineNic> {
  const lease = await setupWorkspaceNetwork(id, ownerDir);
  return {
    info: { interface: lease.ifname, host_ip: lease.host_ip, guest_ip: lease.guest_ip },
    nic: { tapName: lease.ifname, mac: lease.mac, kernelParam: guestNetworkCmdline(lease) },
  };
}
