/**
 * Per-workspace host networking for network policies `egress` and `egress+published-ports`
 * (policy `off` has no NIC and needs none of this). See docs/internals.md (Networking).
 */
export type { FirewallKind } from "./firewall.js";
export { guestNetworkCmdline } from "./guest-cmdline.js";
export { type NetworkLease, NetworkLeaseSchema } from "./lease.js";
export { attachMachineNetwork, type MachineNic } from "./machine-nic.js";
export { type NetworkReport, networkReport } from "./report.js";
export { setupWorkspaceNetwork } from "./setup.js";
export { sweepStaleNetworks } from "./sweep.js";
export { teardownWorkspaceNetwork } from "./teardown.js";
