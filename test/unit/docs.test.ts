/** Docs that must not drift from the code. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../src/errors.js";

describe("docs/troubleshooting.md", () => {
  it("explains every error code", () => {
    const doc = readFileSync(new URL("../../docs/troubleshooting.md", import.meta.url), "utf8");
    const missing = ERROR_CODES.filter((code) => !doc.includes(`| \`${code}\` |`));
    expect(missing).toEqual([]);
  });
});
