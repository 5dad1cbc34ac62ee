import { describe, expect, it } from "vitest";
import { asciiJson } from "../../../src/core/exec.js";

describe("asciiJson", () => {
  it("escapes non-ASCII (including astral characters) so it fits an HTTP header and decodes back", () => {
    const spec = { argv: ["sh", "-c", "echo 🚀 ünï"] };
    const text = asciiJson(spec);
    expect(text).toMatch(/^[\x20-\x7e]+$/);
    expect(JSON.parse(text)).toEqual(spec);
  });
});
