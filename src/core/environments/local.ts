/**
 * Environments outside the catalog: built here (`env build`) or pulled from a registry
 * (`env pull REF`). Each lives in `<cache>/local/<slug>-<sha8 of name>/` with the same files
 * as a catalog install, and its manifest names it. An install is made in a temporary
 * directory beside its final one and renamed into place under that directory's lock, so a
 * failed or interrupted build or pull never leaves a half-made environment behind.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { PyroError } from "../../errors.js";
import { writeJsonAtomic } from "../fs-atomic.js";
import { withLock } from "../lock.js";
import { cachePaths } from "../paths.js";
import { CATALOG, type CatalogEntry } from "./catalog.js";
import { type Manifest, readManifest } from "./manifest.js";

/** The `version` of every local environment: one install per name, replaced by a rebuild or pull. */
export const LOCAL_VERSION = "local";

/** Marks the temporary directories of builds and pulls in progress (`<dir>.tmp-<pid>-<hex>`). */
export const TEMP_MARK = ".tmp-";

/** A name `env build` accepts: `node-dev`, `team/tools:2` is not one (slashes are registry refs). */
const BUILD_NAME = /^[a-z0-9][a-z0-9._-]{0,62}(:[a-z0-9][a-z0-9._-]{0,62})?$/;

/**
 * Checks a name for `env build`.
 * @throws PyroError invalid_argument (malformed, or taken by the catalog)
 */
export function checkBuildName(name: string): void {
  if (!BUILD_NAME.test(name)) {
    throw new PyroError("invalid_argument", `environment name "${name}" is not valid`, {
      details: { environment: name },
      hint: "use lowercase letters, digits, '.', '_' and '-', optionally with a ':tag' (e.g. node-dev or node-dev:1)",
    });
  }
  if (CATALOG.some((e) => e.name === name)) {
    throw new PyroError("invalid_argument", `"${name}" is a catalog environment; choose another name`, {
      details: { environment: name },
      hint: "build under a name of your own, e.g. my-env, and pass --from to extend a catalog one",
    });
  }
}

/** The catalog-shaped entry of a local environment, from its manifest. */
export function localEntry(manifest: Manifest): CatalogEntry {
  return {
    name: manifest.name,
    version: LOCAL_VERSION,
    description: manifest.description ?? `local environment (${manifest.source})`,
    suite: "bookworm",
    os: manifest.base ? "debian-12" : "linux",
    diskMib: 2048,
  };
}

export function isLocalEntry(entry: CatalogEntry): boolean {
  return entry.version === LOCAL_VERSION;
}

/** Where `entry` is installed. */
export function installDirOf(cacheDir: string, entry: CatalogEntry): string {
  return isLocalEntry(entry)
    ? cachePaths.localEnvironmentDir(cacheDir, entry.name)
    : cachePaths.environmentDir(cacheDir, entry.name, entry.version);
}

/** The manifest of local environment `name`, if one is installed under that name. */
export async function readLocalManifest(cacheDir: string, name: string): Promise<Manifest | undefined> {
  const manifest = await readManifest(cachePaths.localEnvironmentDir(cacheDir, name));
  return manifest?.name === name ? manifest : undefined;
}

/** Install directories of every local environment (temporary ones left out). */
export async function localInstallDirs(cacheDir: string): Promise<string[]> {
  const root = cachePaths.localEnvironmentsDir(cacheDir);
  const names = await readdir(root).catch(() => [] as string[]);
  return names
    .filter((n) => !n.includes(TEMP_MARK) && !n.endsWith(".lock") && !n.endsWith(".log"))
    .sort()
    .map((n) => join(root, n));
}

/** Entries of the local environments whose manifest reads. */
export async function localEntries(cacheDir: string): Promise<CatalogEntry[]> {
  const out: CatalogEntry[] = [];
  for (const dir of await localInstallDirs(cacheDir)) {
    const manifest = await readManifest(dir);
    if (manifest) out.push(localEntry(manifest));
  }
  return out;
}

/**
 * A catalog or local environment by name.
 * @throws PyroError environment_not_found, listing both kinds
 */
export async function resolveEnvironment(cacheDir: string, name: string): Promise<CatalogEntry> {
  const entry = CATALOG.find((e) => e.name === name);
  if (entry) return entry;
  const manifest = await readLocalManifest(cacheDir, name);
  if (manifest) return localEntry(manifest);
  const available = [...CATALOG.map((e) => e.name), ...(await localEntries(cacheDir)).map((e) => e.name)];
  throw new PyroError("environment_not_found", `unknown environment "${name}"`, {
    details: { environment: name, available },
    hint: `choose one of: ${available.join(", ")} (see \`pyro env list\`), or \`pyro env build\`/\`pyro env pull REF\` one`,
  });
}

/**
 * Makes local environment `name`: `make` fills a fresh temporary directory and returns the
 * manifest, which is written last; the directory then replaces any earlier install of that
 * name in one rename, under the install's lock. On failure the temporary directory goes.
 */
export async function installLocal(
  cacheDir: string,
  name: string,
  make: (tmpDir: string) => Promise<Manifest>,
): Promise<{ installDir: string; manifest: Manifest; replaced: boolean }> {
  const dir = cachePaths.localEnvironmentDir(cacheDir, name);
  await mkdir(cachePaths.localEnvironmentsDir(cacheDir), { recursive: true, mode: 0o755 });
  return withLock(
    dir,
    async () => {
      const tmp = `${dir}${TEMP_MARK}${process.pid}-${randomBytes(4).toString("hex")}`;
      await mkdir(tmp, { mode: 0o755 });
      try {
        const manifest = await make(tmp);
        await writeJsonAtomic(cachePaths.manifest(tmp), manifest, 0o644);
        const replaced = existsSync(dir);
        const old = `${dir}${TEMP_MARK}old-${randomBytes(4).toString("hex")}`;
        if (replaced) await rename(dir, old);
        await rename(tmp, dir);
        if (replaced) await rm(old, { recursive: true, force: true });
        return { installDir: dir, manifest, replaced };
      } catch (err) {
        await rm(tmp, { recursive: true, force: true });
        throw err;
      }
    },
    { waitMs: 60 * 60_000 },
  );
}

/** What an exec in an environment starts with, from a container image's config. */
export interface ExecDefaults {
  env?: Record<string, string>;
  cwd?: string;
}

/**
 * The image config's `Env` (as a map) and `WorkingDir` of environment `name`; empty for the
 * catalog (no file read: this sits on the exec path) and for environments that are no image.
 */
export async function imageExecDefaults(cacheDir: string, name: string): Promise<ExecDefaults> {
  if (CATALOG.some((e) => e.name === name)) return {};
  const config = (await readLocalManifest(cacheDir, name))?.oci?.image_config;
  if (!config) return {};
  const env: Record<string, string> = {};
  for (const pair of config.env) {
    const eq = pair.indexOf("=");
    if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return {
    ...(Object.keys(env).length > 0 ? { env } : {}),
    ...(config.working_dir.startsWith("/") ? { cwd: config.working_dir } : {}),
  };
}
