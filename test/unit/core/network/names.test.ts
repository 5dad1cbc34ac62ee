import { describe, expect, it } from "vitest";
import {
  IPT_CHAIN_RE,
  NFT_TABLE_RE,
  networkNames,
  parseTapAlias,
  registryTag,
  TAP_NAME_RE,
  tapAlias,
  targetFromTag,
} from "../../../../src/core/network/names.js";

describe("networkNames", () => {
  it("derives every host name from the workspace id", () => {
    expect(networkNames("ws_0123456789ab")).toEqual({
      workspaceId: "ws_0123456789ab",
      tag: "280491eb754",
      ifname: "pyro280491eb754",
      nftTable: "pyro_ws_0123456789ab",
      iptChains: {
        input: "PYRO-280491eb754-IN",
        forward: "PYRO-280491eb754-FWD",
        nat: "PYRO-280491eb754-NAT",
      },
      mac: "52:54:00:ca:51:50",
    });
  });

  it("keeps names within kernel and iptables limits and matching their own patterns", () => {
    const n = networkNames(`ws_${"f".repeat(45)}`);
    expect(n.ifname.length).toBeLessThanOrEqual(15);
    expect(TAP_NAME_RE.test(n.ifname)).toBe(true);
    expect(NFT_TABLE_RE.exec(n.nftTable)?.[1]).toBe(n.workspaceId);
    for (const chain of Object.values(n.iptChains)) {
      expect(chain.length).toBeLessThanOrEqual(28);
      expect(IPT_CHAIN_RE.exec(chain)?.[1]).toBe(n.tag);
    }
    expect(n.mac).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
  });

  it("differs between workspaces", () => {
    expect(networkNames("ws_aaaaaaaaaaaa").ifname).not.toBe(networkNames("ws_aaaaaaaaaaab").ifname);
  });

  it("refuses ids that cannot name an nftables table", () => {
    for (const bad of ["", "ws-1", "ws 1", "ws;drop", "x".repeat(49)]) {
      expect(() => networkNames(bad), bad).toThrow(expect.objectContaining({ code: "invalid_argument" }));
    }
  });

  it("rebuilds an iptables target from a tag alone", () => {
    expect(targetFromTag("280491eb754")).toEqual({ tag: "280491eb754", ifname: "pyro280491eb754" });
  });
});

describe("TAP alias", () => {
  it("names the workspace and the registry, and parses back", () => {
    const alias = tapAlias("ws_0123456789ab", "/run/pyro/net");
    expect(alias).toBe(`pyro:ws_0123456789ab:${registryTag("/run/pyro/net")}`);
    expect(registryTag("/run/pyro/net")).toMatch(/^[0-9a-f]{8}$/);
    expect(registryTag("/run/pyro/net")).toBe(registryTag("/run/pyro/../pyro/net"));
    expect(registryTag("/tmp/other")).not.toBe(registryTag("/run/pyro/net"));
    expect(parseTapAlias(alias)).toEqual({
      workspaceId: "ws_0123456789ab",
      registry: registryTag("/run/pyro/net"),
    });
  });

  it("ignores aliases pyro did not write", () => {
    for (const other of [undefined, "", "uplink", "pyro:ws_1", "pyro:ws 1:abcdef01"]) {
      expect(parseTapAlias(other)).toBeUndefined();
    }
  });
});
