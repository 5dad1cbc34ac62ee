/**
 * What a `pyro` process loads before its action runs, read from the static imports of the
 * source (dynamic `import()` is the lazy part and is not followed): `--version` loads main.ts
 * and version.ts only; the command tree loads commander, the declarations and the closed value
 * sets of src/contract/choices.ts (plain arrays), never the SDK, an action or a renderer; `run` and `workspace exec` never reach the MCP server, the MCP SDK
 * or another command's action.
 */
import { describe, expect, it } from "vitest";
import { reachable } from "../../support/static-imports.js";

describe("static imports on the CLI's start path", () => {
  it("finds imports the way tsc keeps them", () => {
    // Sanity check of the parser on files whose imports are known.
    expect(reachable("cli/flags.ts").files).toEqual(["cli/errors.ts", "cli/flags.ts"]);
    expect(reachable("cli/output.ts").files).toContain("sdk/case.ts");
  });

  it("`pyro --version` loads main.ts and version.ts only", () => {
    expect(reachable("cli/main.ts")).toEqual({ files: ["cli/main.ts", "cli/version.ts"], packages: [] });
  });

  it("the command tree loads commander, flag declarations and the closed value sets, no SDK, action or renderer", () => {
    const { files, packages } = reachable("cli/program.ts");
    expect(packages).toEqual(["commander"]);
    // contract/choices.ts: the `--profile`/`--network-policy`/`--signal` choices, plain arrays.
    expect(files).toContain("contract/choices.ts");
    const heavy = files.filter(
      (f) =>
        (!f.startsWith("cli/") && f !== "contract/choices.ts") ||
        f.startsWith("cli/actions/") ||
        f.startsWith("cli/render/") ||
        ["cli/output.ts", "cli/flag-file.ts"].includes(f),
    );
    expect(heavy).toEqual([]);
    expect(files).toContain("cli/commands/workspace/exec.ts");
  });

  it.each(["cli/actions/run.ts", "cli/actions/workspace/exec.ts"])(
    "%s reaches neither MCP nor another command's action",
    (entry) => {
      const { files, packages } = reachable(entry);
      expect(files.filter((f) => f.startsWith("mcp/"))).toEqual([]);
      expect(files.filter((f) => f.startsWith("cli/actions/") && f !== entry)).toEqual([]);
      expect(files).toContain("sdk/case.ts");
      expect(packages.filter((p) => p.startsWith("@modelcontextprotocol/"))).toEqual([]);
    },
  );
});
