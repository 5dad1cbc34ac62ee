import { describe, expect, it } from "vitest";
import type { FirewallSpec } from "../../../../src/core/network/firewall.js";
import { networkNames } from "../../../../src/core/network/names.js";
import { NftablesFirewall, nftRuleset, pyroTablesFromJson } from "../../../../src/core/network/nftables.js";
import { fakeRunner } from "./fake-runner.js";

const names = networkNames("ws_0123456789ab");
const spec: FirewallSpec = { target: names, subnet: "172.29.0.0/30", guestIp: "172.29.0.2" };

const RULESET = `table inet pyro_ws_0123456789ab {}
delete table inet pyro_ws_0123456789ab
table inet pyro_ws_0123456789ab {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr 172.29.0.0/30 oifname != "pyro280491eb754" masquerade
  }
  chain forward {
    type filter hook forward priority filter; policy accept;
    iifname "pyro280491eb754" meta nfproto ipv6 drop
    iifname "pyro280491eb754" ip saddr != 172.29.0.2 drop
    iifname "pyro280491eb754" oifname "pyro*" drop
    iifname "pyro280491eb754" accept
    oifname "pyro280491eb754" ct state established,related ct original ip saddr 172.29.0.2 accept
    oifname "pyro280491eb754" drop
  }
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "pyro280491eb754" ip saddr != 172.29.0.2 drop
    iifname "pyro280491eb754" ct state established,related ct original ip daddr 172.29.0.2 accept
    iifname "pyro280491eb754" drop
  }
}
`;

const TABLES_JSON = JSON.stringify({
  nftables: [
    { metainfo: { version: "1.0.6" } },
    { table: { family: "inet", name: "pyro_ws_0123456789ab", handle: 3 } },
    { table: { family: "ip", name: "pyro_ws_ffffffffffff", handle: 4 } },
    { table: { family: "inet", name: "filter", handle: 5 } },
    { table: { family: "inet", name: "pyro_ws_aaaaaaaaaaaa", handle: 6 } },
  ],
});

describe("nftRuleset", () => {
  it("is one replaceable inet table: NAT out, egress-only forward, replies-only input", () => {
    expect(nftRuleset(spec)).toBe(RULESET);
  });
});

describe("pyroTablesFromJson", () => {
  it("finds pyro's inet tables only", () => {
    expect(pyroTablesFromJson(TABLES_JSON)).toEqual(["pyro_ws_0123456789ab", "pyro_ws_aaaaaaaaaaaa"]);
    expect(pyroTablesFromJson("")).toEqual([]);
  });
});

describe("NftablesFirewall", () => {
  it("loads the ruleset through nft -f - in one call", async () => {
    const fake = fakeRunner();
    await new NftablesFirewall(fake.run).install(spec);
    expect(fake.calls).toEqual([`nft -f - <<< ${RULESET}`]);
  });

  it("removes the table, and treats an absent table as removed", async () => {
    const present = fakeRunner();
    await new NftablesFirewall(present.run).remove(names);
    expect(present.calls).toEqual(["nft delete table inet pyro_ws_0123456789ab"]);

    const absent = fakeRunner((line) =>
      line.startsWith("nft delete") ? { code: 1, stderr: "No such file or directory" } : { stdout: "{}" },
    );
    await new NftablesFirewall(absent.run).remove(names);
    expect(absent.calls).toEqual(["nft delete table inet pyro_ws_0123456789ab", "nft -j list tables"]);
  });

  it("fails when the table stays after delete", async () => {
    const stuck = fakeRunner((line) =>
      line.startsWith("nft delete")
        ? { code: 1, stderr: "Operation not permitted" }
        : { stdout: TABLES_JSON },
    );
    await expect(new NftablesFirewall(stuck.run).remove(names)).rejects.toMatchObject({
      code: "network_unavailable",
    });
  });

  it("lists pyro tables as full workspace names", async () => {
    const fake = fakeRunner(() => ({ stdout: TABLES_JSON }));
    const found = await new NftablesFirewall(fake.run).list();
    expect(found.map((t) => [t.nftTable, t.ifname])).toEqual([
      ["pyro_ws_0123456789ab", "pyro280491eb754"],
      ["pyro_ws_aaaaaaaaaaaa", "pyrob81e4c0022c"],
    ]);
  });
});
