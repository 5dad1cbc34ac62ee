import { describe, expect, it } from "vitest";
import { parseNameservers } from "../../../../src/core/network/resolv.js";

describe("parseNameservers", () => {
  it("keeps IPv4 nameservers a guest can reach, in order, once", () => {
    const text = [
      "# generated",
      "nameserver 127.0.0.53",
      "nameserver 10.255.255.53",
      "  nameserver   1.1.1.1  # comment",
      "nameserver ::1",
      "nameserver 2001:db8::1",
      "nameserver 10.255.255.53",
      "nameserver 0.0.0.0",
      "search example.internal",
      "options edns0",
    ].join("\n");
    expect(parseNameservers(text)).toEqual(["10.255.255.53", "1.1.1.1"]);
  });

  it("is empty when only a local stub resolver is configured", () => {
    expect(parseNameservers("nameserver 127.0.0.53\noptions edns0\n")).toEqual([]);
  });
});
