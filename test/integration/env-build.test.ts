/**
 * `pyro env build` for real, in this file's own environment cache: bad input fails before
 * anything is written; then one build (mmdebstrap with nodejs and a recipe: a file and a setup
 * command; about 3-4 minutes on 2 cores, the one build of a test run) boots with `pyro run`,
 * is listed as local, and `env prune NAME` removes it.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { requireGuest, runCli } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const pyro = workspaceTest();
let cache = "";
let work = "";
const env = () => pyro.env({ PYRO_ENVIRONMENT_CACHE_DIR: cache });
const local = () => (existsSync(join(cache, "local")) ? readdirSync(join(cache, "local")) : []);

beforeAll(() => {
  cache = mkdtempSync("/tmp/pyro-cache-");
  work = mkdtempSync("/tmp/pyro-recipe-");
  cpSync(join(resolveConfig().cacheDir, "kernels"), join(cache, "kernels"), { recursive: true });
});
afterAll(() => {
  rmSync(cache, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe("pyro env build", () => {
  it("refuses a catalog name, a bad name, an unknown package and a bad recipe, writing nothing", async () => {
    writeFileSync(join(work, "bad.yaml"), "packages: [1\n");
    const cases: [string[], RegExp][] = [
      [["env", "build", "debian:12"], /invalid_argument.*catalog environment/],
      [["env", "build", "Bad Name"], /invalid_argument.*not valid/],
      [
        ["env", "build", "x", "--packages", "nodejs no-such-package-pyro"],
        /invalid_argument.*unknown Debian package: no-such-package-pyro/,
      ],
      [["env", "build", "x", "--recipe", join(work, "bad.yaml")], /invalid_argument.*not valid YAML/],
      [["env", "build", "x", "--from", "nope:1"], /environment_not_found/],
    ];
    for (const [args, error] of cases) {
      const r = await runCli(args, env());
      expect(r.code, args.join(" ")).not.toBe(0);
      expect(r.stderr).toMatch(error);
    }
    expect(local()).toEqual([]);
  });

  it("builds node-dev with nodejs and a recipe; pyro run uses it", { timeout: 900_000 }, async () => {
    writeFileSync(
      join(work, "recipe.yaml"),
      [
        "files:",
        '  - { path: /etc/pyro-recipe.txt, content: "from the recipe\\n" }',
        "setup: node -e 'console.log(6*7)' > /opt/answer",
        "",
      ].join("\n"),
    );
    const build = await runCli(
      [
        "env",
        "build",
        "node-dev",
        "--from",
        "debian:12",
        "--packages",
        "nodejs",
        "--recipe",
        join(work, "recipe.yaml"),
      ],
      env(),
    );
    expect(build.stderr).not.toMatch(/error\[/);
    expect(build.code).toBe(0);
    expect(build.stdout).toContain("Source: local-build");

    const run = await runCli(["run", "node-dev", "--", "node", "-e", "console.log(1+1)"], env());
    expect(run.stderr).not.toMatch(/error\[/);
    expect(run.stdout).toBe("2\n");
    const files = await runCli(
      ["run", "node-dev", "--", "cat", "/opt/answer", "/etc/pyro-recipe.txt"],
      env(),
    );
    expect(files.stdout).toBe("42\nfrom the recipe\n");

    const list = await runCli(["env", "list"], env());
    expect(list.stdout).toMatch(/^node-dev \[local, installed\] built here from debian:12 \+ nodejs$/m);
    const prune = await runCli(["env", "prune", "node-dev"], env());
    expect(prune.code).toBe(0);
    expect(local().filter((n) => !n.endsWith(".lock"))).toEqual([]);
  });
});
