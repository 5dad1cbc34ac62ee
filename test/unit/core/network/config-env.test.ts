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

  it("refuses a pool that is not CIDR text", () => {
    expect(() => readEnv({ PYRO_NET_POOL: "10.213.0.0" })).toThrow(/PYRO_NET_POOL/);
  });
});
