/**
 * The iptables fallback, checked only as argv lists against a fake runner: no real iptables is
 * installed where these tests run.
 */
import { describe, expect, it } from "vitest";
import type { FirewallSpec } from "../../../../src/core/network/firewall.js";
import {
  IptablesFirewall,
  iptablesChainRemovalArgv,
  iptablesInstallArgv,
  pyroChainTags,
} from "../../../../src/core/network/iptables.js";
import { networkNames } from "../../../../src/core/network/names.js";
import { fakeRunner } from "./fake-runner.js";

const names = networkNames("ws_0123456789ab");
const spec: FirewallSpec = { target: names, subnet: "172.29.0.0/30", guestIp: "172.29.0.2" };

const INSTALL = [
  "iptables -w -t filter -N PYRO-280491eb754-IN",
  "iptables -w -t filter -N PYRO-280491eb754-FWD",
  "iptables -w -t nat -N PYRO-280491eb754-NAT",
  "iptables -w -t filter -A PYRO-280491eb754-IN ! -s 172.29.0.2 -j DROP",
  "iptables -w -t filter -A PYRO-280491eb754-IN -m conntrack --ctstate ESTABLISHED,RELATED --ctorigdst 172.29.0.2 -j ACCEPT",
  "iptables -w -t filter -A PYRO-280491eb754-IN -j DROP",
  "iptables -w -t filter -A PYRO-280491eb754-FWD -i pyro280491eb754 ! -s 172.29.0.2 -j DROP",
  "iptables -w -t filter -A PYRO-280491eb754-FWD -i pyro280491eb754 -o pyro+ -j DROP",
  "iptables -w -t filter -A PYRO-280491eb754-FWD -i pyro280491eb754 -j ACCEPT",
  "iptables -w -t filter -A PYRO-280491eb754-FWD -o pyro280491eb754 -m conntrack --ctstate ESTABLISHED,RELATED --ctorigsrc 172.29.0.2 -j ACCEPT",
  "iptables -w -t filter -A PYRO-280491eb754-FWD -o pyro280491eb754 -j DROP",
  "iptables -w -t nat -A PYRO-280491eb754-NAT -s 172.29.0.0/30 ! -o pyro280491eb754 -j MASQUERADE",
  "iptables -w -t filter -I INPUT -i pyro280491eb754 -j PYRO-280491eb754-IN",
  "iptables -w -t filter -I FORWARD -i pyro280491eb754 -j PYRO-280491eb754-FWD",
  "iptables -w -t filter -I FORWARD -o pyro280491eb754 -j PYRO-280491eb754-FWD",
  "iptables -w -t nat -I POSTROUTING -j PYRO-280491eb754-NAT",
];

const JUMP_DELETES = [
  "iptables -w -t filter -D INPUT -i pyro280491eb754 -j PYRO-280491eb754-IN",
  "iptables -w -t filter -D FORWARD -i pyro280491eb754 -j PYRO-280491eb754-FWD",
  "iptables -w -t filter -D FORWARD -o pyro280491eb754 -j PYRO-280491eb754-FWD",
  "iptables -w -t nat -D POSTROUTING -j PYRO-280491eb754-NAT",
];

const CHAIN_REMOVAL = [
  "iptables -w -t filter -F PYRO-280491eb754-IN",
  "iptables -w -t filter -X PYRO-280491eb754-IN",
  "iptables -w -t filter -F PYRO-280491eb754-FWD",
  "iptables -w -t filter -X PYRO-280491eb754-FWD",
  "iptables -w -t nat -F PYRO-280491eb754-NAT",
  "iptables -w -t nat -X PYRO-280491eb754-NAT",
];

const LISTING = [
  "-P INPUT ACCEPT",
  "-N PYRO-280491eb754-IN",
  "-N PYRO-280491eb754-FWD",
  "-N DOCKER",
  "",
].join("\n");

describe("iptables argv", () => {
  it("creates three chains, their rules, then the jumps", () => {
    expect(iptablesInstallArgv(spec).map((a) => a.join(" "))).toEqual(INSTALL);
  });

  it("removes chains by name only (no lease needed)", () => {
    expect(iptablesChainRemovalArgv(names).map((a) => a.join(" "))).toEqual(CHAIN_REMOVAL);
  });

  it("finds pyro chain tags in iptables -S output", () => {
    expect(pyroChainTags(LISTING)).toEqual(["280491eb754"]);
  });
});

describe("IptablesFirewall", () => {
  it("install first removes leftovers, then adds everything", async () => {
    // Every -D fails: no jump left from before.
    const fake = fakeRunner((line) => (line.includes(" -D ") ? { code: 1 } : undefined));
    await new IptablesFirewall(fake.run).install(spec);
    expect(fake.calls).toEqual([
      ...JUMP_DELETES,
      ...CHAIN_REMOVAL,
      "iptables -w -t filter -S",
      "iptables -w -t nat -S",
      ...INSTALL,
    ]);
  });

  it("remove deletes duplicate jumps until none is left, then the chains", async () => {
    let deleted = 0;
    const fake = fakeRunner((line) => {
      if (line === JUMP_DELETES[0]) return deleted++ < 2 ? undefined : { code: 1 };
      if (line.includes(" -D ")) return { code: 1 };
      return undefined;
    });
    await new IptablesFirewall(fake.run).remove(names);
    expect(fake.calls).toEqual([
      JUMP_DELETES[0],
      JUMP_DELETES[0],
      JUMP_DELETES[0],
      ...JUMP_DELETES.slice(1),
      ...CHAIN_REMOVAL,
      "iptables -w -t filter -S",
      "iptables -w -t nat -S",
    ]);
  });

  it("fails when chains survive removal", async () => {
    const fake = fakeRunner((line) => (line.endsWith(" -S") ? { stdout: LISTING } : { code: 1 }));
    await expect(new IptablesFirewall(fake.run).remove(names)).rejects.toMatchObject({
      code: "network_unavailable",
    });
  });

  it("lists leftover chains as targets rebuilt from their tag", async () => {
    const fake = fakeRunner((line) =>
      line === "iptables -w -t filter -S" ? { stdout: LISTING } : undefined,
    );
    expect(await new IptablesFirewall(fake.run).list()).toEqual([
      { tag: "280491eb754", ifname: "pyro280491eb754" },
    ]);
  });
});
