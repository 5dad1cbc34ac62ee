import { describe, expect, it } from "vitest";
import { guestNetworkCmdline } from "../../../../src/core/network/guest-cmdline.js";
import type { NetworkLease } from "../../../../src/core/network/lease.js";

const lease: NetworkLease = {
  workspace_id: "ws_0123456789ab",
  owner_dir: "/tmp/home/workspaces/ws_0123456789ab",
  ifname: "pyro280491eb754",
  host_ip: "172.29.0.1",
  guest_ip: "172.29.0.2",
  prefix_len: 30,
  mac: "52:54:00:ca:51:50",
  dns: ["10.255.255.53", "1.1.1.1"],
  firewall: "nftables",
};

describe("guestNetworkCmdline", () => {
  it("gives the guest address, gateway and nameservers", () => {
    expect(guestNetworkCmdline(lease)).toBe("pyro.net=172.29.0.2/30,172.29.0.1,10.255.255.53,1.1.1.1");
  });

  it("omits nameservers when the host has none a guest can use", () => {
    expect(guestNetworkCmdline({ ...lease, dns: [] })).toBe("pyro.net=172.29.0.2/30,172.29.0.1");
  });
});
