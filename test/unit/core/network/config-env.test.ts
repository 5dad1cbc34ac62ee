/** The two network knobs in src/core/config.ts (PYRO_NET_DIR, PYRO_NET_POOL). */
import { describe, expect, it } from "vitest";
import { netPool, netRegistryDir, readEnv } from "../../../../src/core/config.js";

describe("network configuration", () => {
  it("defaults to /run/pyro/net and 172.29.0.0/16", () => {
    expect(netRegistryDir(readEnv({}))).toBe("/run/pyro/net");
    expect(netPool(readEnv({}))).toBe("172.29.0.0/16");
  });

  it("reads PYRO_NET_DIR and PYRO_NET_POOL", () => {
    const env = readEnv({ PYRO_NET_DIR: "/tmp/reg", PYRO_NET_POOL: "10.213.0.0/16" });
    expect(netRegistryDir(env)).toBe("/tmp/reg");
    expect(netPool(env)).toBe("10.213.0.0/16");
  });

  it("checks the other kinds of variables, naming the variable", () => {
    expect(readEnv({ PYRO_MAX_ACTIVE_VMS: "4", PYRO_ACCEL: "tcg", PYRO_HOME: "" })).toEqual({
      PYRO_MAX_ACTIVE_VMS: 4,
      PYRO_ACCEL: "tcg",
    });
    expect(() => readEnv({ PYRO_MAX_ACTIVE_VMS: "0" })).toThrow(/PYRO_MAX_ACTIVE_VMS: expected an integer/);
    expect(() => readEnv({ PYRO_ACCEL: "xen" })).toThrow(/PYRO_ACCEL: expected one of "kvm"\|"tcg"\|"auto"/);
    expect(() => readEnv({ PYRO_DEBIAN_MIRROR: "not a url" })).toThrow(/PYRO_DEBIAN_MIRROR/);
  });

  it("refuses a pool that is not CIDR text", () => {
    expect(() => readEnv({ PYRO_NET_POOL: "10.213.0.0" })).toThrow(/PYRO_NET_POOL/);
  });
});
