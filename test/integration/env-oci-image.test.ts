/**
 * Ordinary container images as environments, through a real registry on 127.0.0.1 (Debian's
 * docker-registry) started here: an image made by this test (busybox-static plus layers with
 * a whiteout, an opaque directory and symlinked directories) boots and exec sees exactly the
 * merged tree with the image's Env and WorkingDir (a workspace's exec: the Env, in /workspace);
 * hostile layers are refused before anything is written on the host.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { buildTar, type RawEntry } from "./archive-builder.js";
import { requireGuest, runCli } from "./fixtures.js";
import { pushImage, type Registry, startRegistry } from "./oci-registry.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const pyro = workspaceTest();
let cache = "";
let registry: Registry;
const env = () => pyro.env({ PYRO_ENVIRONMENT_CACHE_DIR: cache, PYRO_REGISTRY_INSECURE: "1" });
const dir = (path: string): RawEntry => ({ path, type: "Directory" });
const file = (path: string, body: string): RawEntry => ({ path, body });

beforeAll(async () => {
  cache = mkdtempSync("/tmp/pyro-cache-");
  // The image gets the host's pyro kernel: the shared kernel cache is copied, nothing is fetched.
  cpSync(join(resolveConfig().cacheDir, "kernels"), join(cache, "kernels"), { recursive: true });
  registry = await startRegistry();
});
afterAll(async () => {
  await registry?.stop();
  rmSync(cache, { recursive: true, force: true });
});

const localDirs = () => (existsSync(join(cache, "local")) ? readdirSync(join(cache, "local")) : []);

describe("pyro env pull of a container image", () => {
  it("boots the merged tree: whiteout, opaque dir, symlinked dirs, Env and WorkingDir", async () => {
    const base = buildTar([
      dir("bin/"),
      { path: "bin/busybox", body: readFileSync("/usr/bin/busybox"), mode: 0o755 },
      { path: "bin/sh", type: "SymbolicLink", linkpath: "busybox" },
      dir("etc/"),
      dir("data/"),
      file("data/keep.txt", "kept\n"),
      file("data/gone.txt", "whited out\n"),
      dir("opq/"),
      file("opq/old1", "lower\n"),
      file("opq/old2", "lower\n"),
      dir("real/"),
      dir("real/dir/"),
      file("real/dir/file", "through the link\n"),
    ]);
    const top = buildTar([
      file("data/.wh.gone.txt", ""),
      dir("opq/"),
      file("opq/.wh..wh..opq", ""),
      file("opq/new", "upper\n"),
      { path: "rel", type: "SymbolicLink", linkpath: "real/dir" },
      { path: "abs", type: "SymbolicLink", linkpath: "/real/dir" },
    ]);
    const digest = await pushImage(registry.host, "test/busybox", "1", [base, top], {
      Env: ["PATH=/bin", "GREETING=hello from the image"],
      WorkingDir: "/data",
    });
    const ref = `${registry.host}/test/busybox:1`;
    const pull = await runCli(["env", "pull", ref, "--json"], env());
    expect(pull.stderr).not.toMatch(/error/);
    expect(pull.code).toBe(0);
    expect(JSON.parse(pull.stdout)).toMatchObject({
      digest,
      environment: { name: ref, local: true, installed: true },
    });

    const script = [
      'echo "$GREETING"',
      "pwd",
      "busybox ls -A /data /opq",
      "busybox cat /rel/file /abs/file",
      "busybox test -e /data/gone.txt && echo GONE-STILL-THERE",
      "busybox cat /etc/hostname",
    ].join("; ");
    const run = await runCli(["run", ref, "--", "sh", "-c", script], env());
    expect(run.stderr).not.toMatch(/error\[/);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      "hello from the image\n/data\n/data:\nkeep.txt\n\n/opq:\nnew\nthrough the link\nthrough the link\npyro\n",
    );
    const list = await runCli(["env", "list"], env());
    expect(list.stdout).toContain(`${ref} [local, installed] container image ${ref}`);

    // A workspace of the image (deleted by the fixture): its commands get the image's Env but
    // always run in /workspace.
    const create = await runCli(["workspace", "create", ref, "--id-only"], env());
    expect(create.stderr).not.toMatch(/error\[/);
    const exec = await runCli(
      ["workspace", "exec", create.stdout.trim(), "--", "sh", "-c", 'echo "$GREETING"; pwd'],
      env(),
    );
    expect(exec.stderr).not.toMatch(/error\[/);
    expect(exec.stdout).toBe("hello from the image\n/workspace\n");
  });

  it("refuses a layer entry that climbs out with .. before writing anything", async () => {
    const marker = `pyro-oci-escape-${process.pid}`;
    await pushImage(
      registry.host,
      "test/evil-dotdot",
      "1",
      [buildTar([file(`../../../../tmp/${marker}`, "x")])],
      {},
    );
    const before = localDirs();
    const r = await runCli(["env", "pull", `${registry.host}/test/evil-dotdot:1`], env());
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/error\[path_outside_workspace\].*climbs out/);
    expect(existsSync(`/tmp/${marker}`)).toBe(false);
    expect(localDirs()).toEqual(before);
  });

  it("refuses a file under an absolute symlink, also one made by a lower layer", async () => {
    const marker = `pyro-oci-escape-${process.pid}`;
    const lower = buildTar([{ path: "escape", type: "SymbolicLink", linkpath: "/tmp" }]);
    const upper = buildTar([file(`escape/${marker}`, "x")]);
    await pushImage(registry.host, "test/evil-symlink", "1", [lower, upper], {});
    const before = localDirs();
    const r = await runCli(["env", "pull", `${registry.host}/test/evil-symlink:1`], env());
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/error\[path_outside_workspace\].*symlink/);
    expect(existsSync(`/tmp/${marker}`)).toBe(false);
    expect(localDirs()).toEqual(before);
  });
});
