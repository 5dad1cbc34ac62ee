/**
 * `env build NAME --from debian:12 --packages ... [--recipe FILE]`: a local environment made
 * like the catalog ones (images/rootfs/build.sh: mmdebstrap from the host's apt mirror, then
 * `mkfs.ext4 -d`) with the base's packages plus the recipe's, its files and one setup command.
 * Every input is checked before anything is written; the install is made in a temporary
 * directory and renamed into place (local.ts), so a failed build leaves nothing behind.
 */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { PyroError } from "../../errors.js";
import type { PyroConfig } from "../config.js";
import { cachePaths, environmentSlug, packagePaths } from "../paths.js";
import { runProgram } from "../process-run.js";
import { CATALOG_VERSION, findCatalogEntry } from "./catalog.js";
import {
  artifactRecords,
  installOptionsFrom,
  kernelFields,
  packageList,
  placeHostKernel,
} from "./install.js";
import { kernelKey } from "./kernel.js";
import { checkBuildName, installLocal, LOCAL_VERSION, localEntry } from "./local.js";
import { MANIFEST_LAYOUT_VERSION } from "./manifest-schema.js";
import { resolveDebianMirror } from "./mirror.js";
import { type PullPhase, type PullProgressListener, phaseFraction, phaseFromScriptLine } from "./progress.js";
import { checkPackagesExist, loadRecipe, recipeSha256 } from "./recipe.js";
import { type EnvironmentStatus, environmentStatus } from "./registry.js";

export interface BuildRequest {
  name: string;
  /** Catalog environment whose package list the build starts from. */
  from: string;
  packages: string[];
  /** Path of a JSON or YAML recipe (recipe.ts). */
  recipeFile?: string | undefined;
}

export interface BuildResult {
  environment: EnvironmentStatus;
  /** True when an earlier build of the same name was replaced. */
  replaced: boolean;
  durationMs: number;
}

/**
 * Builds local environment `request.name`.
 * @throws PyroError invalid_argument (bad or catalog name, bad recipe, unknown package),
 *   environment_not_found (`from`), environment_build_failed, host_dependency_missing
 */
export async function buildEnvironment(
  config: PyroConfig,
  request: BuildRequest,
  hooks: { onProgress?: PullProgressListener; signal?: AbortSignal } = {},
): Promise<BuildResult> {
  const started = Date.now();
  const options = installOptionsFrom(config, hooks);
  const report = (phase: PullPhase, detail?: string) =>
    options.onProgress?.({ phase, environment: request.name, fraction: phaseFraction(phase), detail });
  report("resolve");
  checkBuildName(request.name);
  const base = findCatalogEntry(request.from);
  const recipe = await loadRecipe(request.recipeFile, request.packages);
  const basePackages = await packageList(environmentSlug(base.name));
  const packages = [...new Set([...basePackages, ...recipe.packages])];
  await checkPackagesExist(recipe.packages);
  const mirror = await resolveDebianMirror(base.suite, options.debianMirror);
  const key = await kernelKey(options.kernelFlavor, options.kernelPackage);

  const installDir = cachePaths.localEnvironmentDir(options.cacheDir, request.name);
  const result = await installLocal(options.cacheDir, request.name, async (dir) => {
    const work = join(dir, "recipe");
    const env: NodeJS.ProcessEnv = { ...process.env, PYRO_ROOTFS_PACKAGES: join(work, "packages") };
    await mkdir(work, { mode: 0o700 });
    await writeFile(env.PYRO_ROOTFS_PACKAGES as string, `${packages.join("\n")}\n`);
    if (recipe.files.length > 0) {
      env.PYRO_ROOTFS_OVERLAY = join(work, "overlay");
      for (const f of recipe.files) {
        const target = join(env.PYRO_ROOTFS_OVERLAY, f.path);
        await mkdir(dirname(target), { recursive: true, mode: 0o755 });
        await writeFile(target, f.data, { mode: f.mode });
      }
    }
    if (recipe.setup) {
      env.PYRO_ROOTFS_SETUP = join(work, "setup.sh");
      await writeFile(env.PYRO_ROOTFS_SETUP, `${recipe.setup}\n`, { mode: 0o700 });
    }
    const kernel = await placeHostKernel(dir, options, key, report);
    report("bootstrap");
    const rootfs = cachePaths.rootfs(dir);
    await runProgram(
      ["bash", packagePaths.rootfsBuildScript, environmentSlug(request.name), rootfs, mirror],
      {
        env,
        errorCode: "environment_build_failed",
        signal: options.signal,
        onLine: (line) => {
          const phase = phaseFromScriptLine(line);
          if (phase) report(phase);
        },
      },
    ).catch(async (err: unknown) => {
      // The temporary dir goes; its log is kept beside the install for a look at what failed.
      const log = `${installDir}.build.log`;
      await rename(`${rootfs}.log`, log).catch(() => undefined);
      const text = await readFile(log, "utf8").catch(() => "");
      const why =
        /^E: .*$/m.exec(text)?.[0] ?? (err instanceof Error ? err.message.split("\n")[0] : String(err));
      throw new PyroError("environment_build_failed", `building "${request.name}" failed: ${why}`, {
        cause: err,
        details: { environment: request.name, log },
        hint: `the build log is ${log}; nothing was installed`,
      });
    });
    await rm(work, { recursive: true, force: true });
    await rm(`${cachePaths.rootfs(dir)}.log`, { force: true });
    report("install");
    const extra = recipe.packages.length > 0 ? ` + ${recipe.packages.join(", ")}` : "";
    return {
      layout_version: MANIFEST_LAYOUT_VERSION,
      name: request.name,
      version: LOCAL_VERSION,
      catalog_version: CATALOG_VERSION,
      installed_at: new Date().toISOString(),
      source: "local-build",
      description: `built here from ${base.name}${extra}`,
      base: base.name,
      recipe_sha256: recipeSha256(base.name, recipe),
      debian_mirror: mirror,
      ...kernelFields(kernel),
      packages,
      artifacts: await artifactRecords(dir),
    };
  });
  report("done");
  const environment = await environmentStatus(options.cacheDir, localEntry(result.manifest), "quick");
  return { environment, replaced: result.replaced, durationMs: Date.now() - started };
}
