/**
 * The SDK's import graph holds only what every call needs: `import("pyro")` loads zod (it
 * exports the schemas) and pyro's own modules; the facade and the CLI's `workspace exec` action
 * load pyro's own modules only (zod and the schemas load on the first validation, and exec's
 * hot path checks its input, the workspace record and the agent's events without them); never the
 * packages that one operation alone uses (the terminal emulator of `shell read --plain`,
 * `diff` of diff/patch, `tar` of sync/export/seed/snapshots, proper-lockfile, which exec needs
 * only after its request), and exec reaches no other operation's modules (host network,
 * doctor, pull, lifecycle, files, shells, services, disk tools, transfer, diff, patch, snapshots). Those are
 * loaded by `await import()` where they are used; this reads static imports only.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { reachable, staticImports } from "../../support/static-imports.js";

const src = fileURLToPath(new URL("../../../src/", import.meta.url));
const sources = readdirSync(src, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".ts"))
  .map((f) => join(src, f));

/** Packages loaded on first use, each measured at 20-100 ms of start-up on its own. */
const ON_DEMAND = ["@xterm/headless", "diff", "tar", "proper-lockfile"];

describe("static imports of the SDK", () => {
  it("sees packages where they are imported statically", () => {
    // A positive control: the walker does report packages (the MCP server keeps its SDK static).
    expect(reachable("mcp/server.ts").packages).toContain("@modelcontextprotocol/sdk");
  });

  it("sdk/index.ts reaches zod and no other package", () => {
    expect(reachable("sdk/index.ts").packages).toEqual(["zod"]);
  });

  it.each(["sdk/pyro.ts", "cli/actions/workspace/exec.ts", "cli/context.ts", "cli/errors.ts"])(
    "%s reaches no package",
    (entry) => {
      expect(reachable(entry).packages).toEqual([]);
      // Only the contract's zod-free files: key conversion, defaults and the input check.
      const zodFree = ["contract/case.ts", "contract/defaults.ts", "contract/parse-input.ts"];
      const contract = reachable(entry).files.filter((f) => f.startsWith("contract/"));
      expect(contract.filter((f) => !zodFree.includes(f))).toEqual([]);
    },
  );

  it("workspace exec reaches none of the modules of other operations", () => {
    // The action and the facade it gets from ctx.pyro().
    const files = [...reachable("cli/actions/workspace/exec.ts").files, ...reachable("sdk/pyro.ts").files];
    expect(files).toContain("core/workspaces/manager.ts");
    const others = [
      ...["core/doctor.ts", "core/environments/install.ts", "core/run.ts"],
      ...["core/vm-api.ts", "core/environments/api.ts", "core/workspaces/terminal-text.ts"],
      ...["transfer", "archive", "diff", "patch", "snapshots", "lifecycle", "files"].map(
        (m) => `core/workspaces/${m}.ts`,
      ),
      ...["shell-api", "service-api", "offline-disk", "public-record", "summary"].map(
        (m) => `core/workspaces/${m}.ts`,
      ),
    ];
    const loaded = files.filter(
      (f) => f.startsWith("core/network/") || f.startsWith("mcp/") || others.includes(f),
    );
    expect(loaded).toEqual([]);
  });

  it.each(ON_DEMAND)("%s is imported with import() only, where it is used", (pkg) => {
    const importers = sources.filter((f) => staticImports(f).includes(pkg));
    expect(importers).toEqual([]);
    const users = sources.filter((f) => readFileSync(f, "utf8").includes(`import("${pkg}")`));
    expect(users.length).toBeGreaterThan(0);
  });
});
