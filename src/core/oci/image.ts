/**
 * An ordinary container image as an environment: its layers are checked whole, then merged
 * into a directory on the host (layers.ts), given what pyro's agent needs (`/proc`, `/sys`,
 * `/dev`, `/tmp`, `/run`, `/workspace`, hostname, hosts, an empty resolv.conf), packed into an
 * ext4 rootfs (images/rootfs/from-tree.sh: `mkfs.ext4 -d`, as the catalog images), and booted
 * with the host's pyro kernel and agent. The image config's `Env` and `WorkingDir` are
 * recorded for exec; `User` is recorded but commands run as root (the agent has no user switch).
 */
import { constants } from "node:fs";
import { chmod, lstat, mkdir, open, readFile, rm, unlink } from "node:fs/promises";
import { join, posix } from "node:path";
import { PyroError } from "../../errors.js";
import type { PyroConfig } from "../config.js";
import { CATALOG_VERSION } from "../environments/catalog.js";
import {
  artifactRecords,
  installOptionsFrom,
  kernelFields,
  placeHostKernel,
} from "../environments/install.js";
import { kernelKey } from "../environments/kernel.js";
import { installLocal, LOCAL_VERSION } from "../environments/local.js";
import type { Manifest } from "../environments/manifest.js";
import { MANIFEST_LAYOUT_VERSION } from "../environments/manifest-schema.js";
import { cachePaths, packagePaths } from "../paths.js";
import { runProgram } from "../process-run.js";
import type { RegistryClient } from "./client.js";
import { applyLayers, checkLayers, type LayerFile } from "./layers.js";
import { fetchAll, type Hooks, type ImageManifest } from "./manifests.js";

interface ImageConfig {
  config?: { Env?: string[] | null; WorkingDir?: string; User?: string };
}

const LAYER_TYPES =
  /^application\/vnd\.(oci\.image\.layer\.v1\.tar(\+gzip|\+zstd)?|docker\.image\.rootfs\.diff\.tar\.gzip)$/;

/** Writes `data` at `rel` inside `tree` unless a parent is a symlink (never writes through one). */
async function writeInTree(tree: string, rel: string, data: string, mode = 0o644): Promise<void> {
  const parts = rel.split("/");
  let dir = tree;
  for (const part of parts.slice(0, -1)) {
    dir = join(dir, part);
    const st = await lstat(dir).catch(() => undefined);
    if (!st) await mkdir(dir, { mode: 0o755 });
    else if (!st.isDirectory()) {
      throw new PyroError(
        "path_outside_workspace",
        `the image's /${posix.join(...parts.slice(0, -1))} is not a directory; refusing to write through it`,
      );
    }
  }
  const target = join(tree, rel);
  const st = await lstat(target).catch(() => undefined);
  if (st && !st.isFile()) await unlink(target).catch(() => undefined); // a symlink (e.g. resolv.conf) is replaced, never followed
  const file = await open(
    target,
    constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
    mode,
  );
  try {
    await file.writeFile(data);
  } finally {
    await file.close();
  }
}

/** The directories and files the agent relies on, as images/rootfs/build.sh gives catalog images. */
async function prepareTree(tree: string): Promise<void> {
  for (const [dir, mode] of [
    ["proc", 0o555],
    ["sys", 0o555],
    ["dev", 0o755],
    ["run", 0o755],
    ["tmp", 0o1777],
    ["workspace", 0o755],
  ] as const) {
    const st = await lstat(join(tree, dir)).catch(() => undefined);
    if (!st) {
      await mkdir(join(tree, dir), { mode });
      if (dir === "tmp") await chmod(join(tree, dir), 0o1777); // just made here: not a symlink
    } else if (!st.isDirectory())
      throw new PyroError("path_outside_workspace", `the image's /${dir} is not a directory`);
  }
  await writeInTree(tree, "etc/hostname", "pyro\n");
  await writeInTree(
    tree,
    "etc/hosts",
    "127.0.0.1\tlocalhost pyro\n::1\tlocalhost ip6-localhost ip6-loopback\n",
  );
  await writeInTree(tree, "etc/resolv.conf", ""); // filled in by the agent when a network is attached
}

/**
 * Installs container image `manifest` (already resolved to linux/amd64, digest checked) as local
 * environment `c.ref.text`.
 * @throws PyroError path_outside_workspace (hostile layer), digest_mismatch, registry_*,
 *   environment_build_failed (mkfs)
 */
export async function installImage(
  config: PyroConfig,
  c: RegistryClient,
  manifest: ImageManifest,
  digest: string,
  hooks: Hooks,
): Promise<Manifest> {
  const name = c.ref.text;
  for (const l of manifest.layers) {
    if (!LAYER_TYPES.test(l.mediaType))
      throw new PyroError("registry_error", `${name}: unsupported layer type ${l.mediaType}`);
  }
  const [configPath, ...blobPaths] = await fetchAll(
    c,
    config,
    [manifest.config, ...manifest.layers],
    hooks,
    name,
  );
  let image: ImageConfig;
  try {
    image = JSON.parse(await readFile(configPath as string, "utf8")) as ImageConfig;
  } catch {
    throw new PyroError("registry_error", `${name}: the image config is not JSON`);
  }
  const layers: LayerFile[] = manifest.layers.map((l, i) => ({
    path: blobPaths[i] as string,
    mediaType: l.mediaType,
  }));
  const report = (phase: "unpack" | "image" | "kernel" | "install", fraction: number) =>
    hooks.onProgress?.({ phase, environment: name, fraction });
  report("unpack", 0.82);
  // Whole image checked before anything is written.
  const plans = await checkLayers(layers);
  const options = installOptionsFrom(config, hooks);
  const key = await kernelKey(options.kernelFlavor, options.kernelPackage);
  const result = await installLocal(config.cacheDir, name, async (dir) => {
    const tree = join(dir, "tree");
    await mkdir(tree, { mode: 0o755 });
    await applyLayers(tree, layers, plans);
    await prepareTree(tree);
    report("image", 0.9);
    await runProgram(["bash", packagePaths.rootfsFromTreeScript, tree, cachePaths.rootfs(dir)], {
      errorCode: "environment_build_failed",
      signal: hooks.signal,
    });
    await rm(tree, { recursive: true, force: true });
    const kernel = await placeHostKernel(dir, options, key, (phase) =>
      hooks.onProgress?.({ phase, environment: name, fraction: 0.95 }),
    );
    report("install", 0.98);
    const cfg = image.config ?? {};
    return {
      layout_version: MANIFEST_LAYOUT_VERSION,
      name,
      version: LOCAL_VERSION,
      catalog_version: CATALOG_VERSION,
      installed_at: new Date().toISOString(),
      source: "oci-image",
      description: `container image ${name}`,
      ...kernelFields(kernel),
      packages: [],
      oci: {
        reference: name,
        digest,
        image_config: { env: cfg.Env ?? [], working_dir: cfg.WorkingDir ?? "", user: cfg.User ?? "" },
      },
      artifacts: await artifactRecords(dir),
    };
  });
  for (const p of [configPath, ...blobPaths]) if (p) await rm(p, { force: true });
  return result.manifest;
}
