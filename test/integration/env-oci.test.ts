/**
 * `pyro env push|pull` through a real registry on 127.0.0.1 (Debian's docker-registry), started
 * here with its storage in a temp dir, behind a loopback proxy that counts what it serves:
 * debian:12 is pushed, pruned from this file's own cache, pulled back by tag and by digest and
 * booted; through the SDK, a pulled environment is listed as local, pushed under another tag
 * (no blob sent again), pulled by digest and pruned by name (camelCase records with `local` and
 * `digest`); an interrupted pull resumes without fetching finished blobs again; a corrupt blob is
 * refused and nothing is installed; a registry that is down and an unknown tag fail with their
 * codes. The shared cache is only read (its debian:12 install is hard-linked in).
 */
import { spawn } from "node:child_process";
import {
  closeSync,
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { cachePaths } from "../../src/core/paths.js";
import { cliPath, requireGuest, runCli } from "./fixtures.js";
import { type CountingProxy, freePort, type Registry, startProxy, startRegistry } from "./oci-registry.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const pyro = workspaceTest();
let cache = "";
let registry: Registry;
let proxy: CountingProxy;
const env = () => pyro.env({ PYRO_ENVIRONMENT_CACHE_DIR: cache, PYRO_REGISTRY_INSECURE: "1" });
const blobDir = () => cachePaths.blobDir(cache);
/** An SDK on this file's home and cache; it reads PYRO_REGISTRY_INSECURE when made. */
const insecureSdk = () => {
  const before = process.env.PYRO_REGISTRY_INSECURE;
  process.env.PYRO_REGISTRY_INSECURE = "1";
  try {
    return pyro.sdk({ cacheDir: cache });
  } finally {
    if (before === undefined) delete process.env.PYRO_REGISTRY_INSECURE;
    else process.env.PYRO_REGISTRY_INSECURE = before;
  }
};
let pushed: { digest: string; layers: { role: string; digest: string; size: number }[] };

beforeAll(async () => {
  cache = mkdtempSync("/tmp/pyro-cache-");
  const shared = resolveConfig().cacheDir;
  // debian:12 hard-linked from the shared cache (never written to here); kernels copied.
  const from = join(shared, "debian-12", "1.0.0");
  const to = join(cache, "debian-12", "1.0.0");
  mkdirSync(to, { recursive: true });
  for (const f of ["manifest.json", "vmlinux", "modules.cpio", "rootfs.ext4"])
    linkSync(join(from, f), join(to, f));
  cpSync(join(shared, "kernels"), join(cache, "kernels"), { recursive: true });
  registry = await startRegistry();
  proxy = await startProxy(registry.host);
});
afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  rmSync(cache, { recursive: true, force: true });
});

describe("pyro env push and pull", () => {
  it("a registry that is down is registry_unreachable within 10 s", async () => {
    const port = await freePort();
    const r = await runCli(["env", "pull", `127.0.0.1:${port}/team/debian:12`], env());
    expect(r.stderr).toMatch(/error\[registry_unreachable\]/);
    expect(r.code).toBe(1);
    expect(r.durationMs).toBeLessThan(10_000);
  });

  it("pushes debian:12, one layer per artifact, compressed", async () => {
    const r = await runCli(["env", "push", "debian:12", `${proxy.host}/team/debian:12`, "--json"], env());
    expect(r.stderr).not.toMatch(/error\[/);
    expect(r.code).toBe(0);
    pushed = JSON.parse(r.stdout);
    expect(pushed.layers.map((l) => l.role)).toEqual(["kernel", "modules", "rootfs"]);
    const rootfs = pushed.layers.find((l) => l.role === "rootfs");
    expect(rootfs?.size).toBeLessThan(statSync(join(cache, "debian-12", "1.0.0", "rootfs.ext4")).size / 4);
  });

  it("an unknown tag is environment_not_found", async () => {
    const r = await runCli(["env", "pull", `${proxy.host}/team/debian:nope`], env());
    expect(r.stderr).toMatch(/error\[environment_not_found\]/);
  });

  it("prunes debian:12 here, pulls it back by tag after an interrupted pull, and boots it", async () => {
    const prune = await runCli(["env", "prune", "debian:12"], env());
    expect(prune.code).toBe(0);
    expect(existsSync(join(cache, "debian-12", "1.0.0", "rootfs.ext4"))).toBe(false);

    // First attempt: the proxy serves 4 MiB of the rootfs blob (the last one) and then holds; killed there.
    const rootfs = pushed.layers.find((l) => l.role === "rootfs") as { digest: string; size: number };
    const hex = rootfs.digest.slice("sha256:".length);
    const ref = `${proxy.host}/team/debian:12`;
    proxy.stall = { digestHex: hex, bytes: 4 * 1024 * 1024 };
    const child = spawn(process.execPath, [cliPath, "env", "pull", ref], { env: env(), stdio: "ignore" });
    const partial = join(blobDir(), `${hex}.partial`);
    for (let i = 0; i < 600 && !(existsSync(partial) && statSync(partial).size >= 4 * 1024 * 1024); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(statSync(partial).size).toBe(4 * 1024 * 1024);
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    proxy.stall = undefined;
    proxy.requests.length = 0;

    const pull = await runCli(["env", "pull", ref, "--json"], env());
    expect(pull.stderr).not.toMatch(/error\[/);
    expect(pull.code).toBe(0);
    const blobGets = proxy.requests.filter((q) => q.method === "GET" && q.path.includes("/blobs/"));
    // Only the unfinished rootfs blob was asked for again, from where the first attempt stopped.
    expect(blobGets.map((q) => [q.path.endsWith(hex), q.range])).toEqual([[true, "bytes=4194304-"]]);
    expect(blobGets[0]?.bytes).toBe(rootfs.size - 4 * 1024 * 1024);
    expect(readdirSync(blobDir())).toEqual([]);

    const run = await runCli(["run", ref, "--", "sh", "-c", "git --version; cat /etc/hostname"], env());
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^git version .*\npyro\n$/);
  });

  it("pulls by digest and boots it", async () => {
    const ref = `${proxy.host}/team/debian@${pushed.digest}`;
    const pull = await runCli(["env", "pull", ref, "--json"], env());
    expect(pull.code).toBe(0);
    expect(JSON.parse(pull.stdout)).toMatchObject({
      digest: pushed.digest,
      environment: { name: ref, installed: true },
    });
    const run = await runCli(["run", ref, "--", "cat", "/etc/debian_version"], env());
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^12\./);
  });

  it("the SDK lists the pulled environment as local, pushes it under another tag (no blob sent again), pulls that by digest and prunes it", async () => {
    const sdk = insecureSdk();
    const from = `${proxy.host}/team/debian@${pushed.digest}`;
    const list = await sdk.listEnvironments();
    expect(list.environments.find((e) => e.name === from)).toMatchObject({ local: true, installed: true });
    expect(list.environments.find((e) => e.name === "debian:12")).toMatchObject({ local: false });

    const push = await sdk.pushEnvironment({ name: from, reference: `${proxy.host}/team/debian:copy` });
    expect(push.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    // The same artifacts, so the same layers: the registry has every one already.
    expect(push.layers.map((l) => [l.role, l.digest, l.uploadedBytes])).toEqual(
      pushed.layers.map((l) => [l.role, l.digest, 0]),
    );
    for (const l of push.layers) expect(l.mediaType).toMatch(/^application\/vnd\.pyro\.environment\./);

    const ref = `${proxy.host}/team/debian@${push.digest}`;
    const pull = await sdk.pullEnvironment(ref);
    expect(pull).toMatchObject({ digest: push.digest, status: "installed", repairReason: null });
    expect(pull.environment).toMatchObject({ name: ref, local: true, installed: true });
    const prune = await sdk.pruneEnvironments(ref);
    expect(prune.removed).toEqual([cachePaths.localEnvironmentDir(cache, ref)]);
    expect(prune.bytesFreed).toBeGreaterThan(0);
    await expect(sdk.inspectEnvironment(ref)).rejects.toMatchObject({ code: "environment_not_found" });
  });

  it("refuses a blob whose content does not match its digest and installs nothing", async () => {
    // Corrupt the modules blob inside the registry's own storage (same size, other bytes).
    const modules = pushed.layers.find((l) => l.role === "modules") as { digest: string };
    const hex = modules.digest.slice("sha256:".length);
    const data = join(registry.storage, "docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data");
    const fd = openSync(data, "r+");
    writeSync(fd, Buffer.alloc(64, 0x5a), 0, 64, 100);
    closeSync(fd);
    const ref = `${proxy.host}/team/debian:12`;
    expect((await runCli(["env", "prune", ref], env())).code).toBe(0);
    const r = await runCli(["env", "pull", ref], env());
    expect(r.stderr).toMatch(/error\[digest_mismatch\]/);
    expect(r.code).toBe(1);
    expect(existsSync(cachePaths.localEnvironmentDir(cache, ref))).toBe(false);
    expect(readdirSync(cachePaths.localEnvironmentsDir(cache)).filter((n) => n.includes(".tmp-"))).toEqual(
      [],
    );
    expect(readdirSync(blobDir()).filter((n) => n.startsWith(hex))).toEqual([]);
  });
});
