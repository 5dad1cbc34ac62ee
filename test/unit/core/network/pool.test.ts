import { describe, expect, it } from "vitest";
import {
  cidrRange,
  intToIp,
  ipToInt,
  parseCidr,
  parsePool,
  pickSubnet,
  rangesOverlap,
  subnetAt,
  subnetCount,
  subnetIndexOf,
  subnetOf,
} from "../../../../src/core/network/pool.js";

const range = (cidr: string) => cidrRange(parseCidr(cidr) ?? { base: 0, prefixLen: 32 });

describe("IPv4 parsing", () => {
  it("converts dotted quads both ways", () => {
    expect(ipToInt("172.29.0.1")).toBe(0xac1d0001);
    expect(intToIp(0xac1d0001)).toBe("172.29.0.1");
    expect(intToIp(0xffffffff)).toBe("255.255.255.255");
    for (const bad of ["1.2.3", "1.2.3.256", "a.b.c.d", "1.2.3.4.5", ""])
      expect(ipToInt(bad)).toBeUndefined();
  });

  it("parses CIDRs, a bare address being a /32", () => {
    expect(parseCidr("10.0.0.0/8")).toEqual({ base: 0x0a000000, prefixLen: 8 });
    expect(parseCidr("10.1.2.3")).toEqual({ base: 0x0a010203, prefixLen: 32 });
    for (const bad of ["10.0.0.0/33", "10.0.0.0/", "10.0.0.0/8/1", "x/8"])
      expect(parseCidr(bad)).toBeUndefined();
    expect(range("192.0.2.77/24")).toEqual({ start: ipToInt("192.0.2.0"), end: ipToInt("192.0.2.255") });
  });
});

describe("the pool", () => {
  it("accepts aligned networks of /30 or larger only", () => {
    expect(parsePool("172.29.0.0/16")).toEqual({ base: 0xac1d0000, prefixLen: 16 });
    expect(parsePool("10.213.0.0/30")).toEqual({ base: 0x0ad50000, prefixLen: 30 });
    for (const bad of ["172.29.0.1/16", "10.0.0.0/31", "nonsense"]) {
      expect(() => parsePool(bad), bad).toThrow(expect.objectContaining({ code: "invalid_argument" }));
    }
  });

  it("is carved into /30s: .1 for the host, .2 for the guest", () => {
    const pool = parsePool("172.29.0.0/16");
    expect(subnetCount(pool)).toBe(16384);
    expect(subnetAt(pool, 0)).toEqual({
      index: 0,
      cidr: "172.29.0.0/30",
      hostIp: "172.29.0.1",
      guestIp: "172.29.0.2",
    });
    expect(subnetAt(pool, 64)).toEqual({
      index: 64,
      cidr: "172.29.1.0/30",
      hostIp: "172.29.1.1",
      guestIp: "172.29.1.2",
    });
    expect(subnetAt(pool, 16383).cidr).toBe("172.29.255.252/30");
    expect(subnetIndexOf(pool, "172.29.1.1")).toBe(64);
    expect(subnetIndexOf(pool, "172.29.1.2")).toBeUndefined();
    expect(subnetIndexOf(pool, "172.30.0.1")).toBeUndefined();
    expect(subnetOf("172.29.1.2")).toBe("172.29.1.0/30");
  });
});

describe("pickSubnet", () => {
  const pool = parsePool("10.213.0.0/16");

  it("takes the first /30 when nothing is used", () => {
    expect(pickSubnet(pool, [])?.cidr).toBe("10.213.0.0/30");
  });

  it("skips leased /30s and anything overlapping a host route or address", () => {
    const taken = [
      range("10.213.0.0/30"), // a lease
      range("10.213.0.5"), // a host address inside the second /30
      range("10.213.0.8/29"), // a route over the third and fourth
    ];
    expect(pickSubnet(pool, taken)?.cidr).toBe("10.213.0.16/30");
    expect(rangesOverlap(range("10.213.0.8/29"), range("10.213.0.12/30"))).toBe(true);
    expect(rangesOverlap(range("10.213.0.8/29"), range("10.213.0.16/30"))).toBe(false);
  });

  it("prefers a workspace's previous /30 when it is still free", () => {
    expect(pickSubnet(pool, [], 7)?.cidr).toBe("10.213.0.28/30");
    expect(pickSubnet(pool, [range("10.213.0.28/30")], 7)?.cidr).toBe("10.213.0.0/30");
  });

  it("reports an exhausted pool as undefined", () => {
    const small = parsePool("10.213.0.0/29");
    expect(pickSubnet(small, [range("10.213.0.0/29")])).toBeUndefined();
    expect(pickSubnet(small, [range("10.213.0.2")])?.cidr).toBe("10.213.0.4/30");
  });
});
