/** Docs that must not drift from the code. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_TABLE } from "../../src/errors.js";

describe("docs/troubleshooting.md", () => {
  const doc = readFileSync(new URL("../../docs/troubleshooting.md", import.meta.url), "utf8");
  /** The code table's rows: `| \`code\` | cause | fix |`, code to fix. */
  const rows = new Map(
    [...doc.matchAll(/^\| `([a-z_]+)` \| .* \| (.*) \|$/gm)].map((m) => [m[1] ?? "", m[2] ?? ""]),
  );

  it("gives every error code its fix from the table, and no code the table lacks", () => {
    const fixes = Object.fromEntries(Object.entries(ERROR_TABLE).map(([code, spec]) => [code, spec.fix]));
    expect(Object.fromEntries(rows)).toEqual(fixes);
  });

  it("lists the codes in the table's order", () => {
    expect([...rows.keys()]).toEqual(Object.keys(ERROR_TABLE));
  });
});
