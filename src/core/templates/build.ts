/**
 * Building a VM template: boot the machine cold with its RAM in a shared file and its disk in
 * the build directory, wait for the agent, save the device state (the supervisor's
 * POST /v1/save: QMP migration with x-ignore-shared, so the state file holds devices only and
 * the memory file is the RAM image), and publish the build by swapping the `current` link.
 * Builds of one template are serialised by a lock; a build is written to a temp directory and
 * renamed, so a reader never sees half of one.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readdir, rename, rm, stat, symlink } from "node:fs/promises";
import { join } from "node:path";
import { PyroError } from "../../errors.js";
import type { PyroConfig } from "../config.js";
import type { BootArtifacts } from "../environments/registry.js";
import { sha256File, writeJsonAtomic } from "../fs-atomic.js";
import type { AccelDecision } from "../host.js";
import { withLock } from "../lock.js";
import { bootMachine, machineClient, prepareMachineDirs, stopMachine } from "../machine.js";
import { cachePaths, machinePaths, statePaths } from "../paths.js";
import { runProgram } from "../process-run.js";
import { growDisk } from "../workspaces/disk-size.js";
import type { TemplateInputs } from "./inputs.js";
import { CURRENT, findTemplate, type TemplateManifest, type UsableTemplate } from "./store.js";

/** How long a build may wait for another process's build of the same template, in ms. */
const BUILD_LOCK_WAIT_MS = 180_000;

/**
 * Builds the template for `inputs` unless a usable one exists by the time the lock is held.
 * @throws PyroError boot_failed (the template's cold boot), internal (save or disk tools)
 */
export async function buildTemplate(
  config: PyroConfig,
  inputs: TemplateInputs,
  kernel: BootArtifacts,
  accel: AccelDecision,
): Promise<UsableTemplate> {
  const first = await findTemplate(config.cacheDir, inputs);
  if (first.status === "usable") return first.template;
  await mkdir(first.dir, { recursive: true, mode: 0o700 });
  return withLock(
    first.dir,
    async () => {
      const found = await findTemplate(config.cacheDir, inputs);
      if (found.status === "usable") return found.template;
      const buildId = randomBytes(6).toString("hex");
      const tmpDir = join(first.dir, `build-${buildId}.tmp`);
      await mkdir(tmpDir, { mode: 0o700 });
      try {
        const manifest = await saveBuild(config, inputs, kernel, accel, buildId, tmpDir);
        await writeJsonAtomic(cachePaths.templateBuild(tmpDir).manifest, manifest);
        await rename(tmpDir, join(first.dir, `build-${buildId}`));
        await publish(first.dir, `build-${buildId}`);
      } catch (err) {
        await rm(tmpDir, { recursive: true, force: true });
        throw err;
      }
      const built = await findTemplate(config.cacheDir, inputs);
      if (built.status !== "usable")
        throw new PyroError(
          "internal",
          `template ${first.key} is unusable right after its build: ${built.status}`,
        );
      return built.template;
    },
    { waitMs: BUILD_LOCK_WAIT_MS, staleMs: 20_000 },
  );
}

/** Boots, saves and stops the template machine; returns the build's manifest. */
async function saveBuild(
  config: PyroConfig,
  inputs: TemplateInputs,
  kernel: BootArtifacts,
  accel: AccelDecision,
  buildId: string,
  buildDir: string,
): Promise<TemplateManifest> {
  const files = cachePaths.templateBuild(buildDir);
  const format = inputs.purpose === "run" ? "qcow2" : "raw";
  const disk = files.disk(format);
  if (format === "qcow2") {
    // Clones open it read-only under a throw-away overlay; the environment image stays untouched.
    await runProgram(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", kernel.rootfsPath, disk]);
  } else {
    await runProgram(["cp", "--sparse=always", "--reflink=auto", kernel.rootfsPath, disk]);
    if (inputs.disk_mib !== null) await growDisk(disk, inputs.disk_mib);
  }
  // 0600 as the build's other files: qemu-img and cp made it 0644 (the image's mode, the umask).
  await chmod(disk, 0o600);
  const paths = machinePaths(statePaths.templateBuildMachine(config.stateDir, buildId));
  await prepareMachineDirs(paths);
  try {
    const boot = await bootMachine(config, paths, {
      id: `tpl_${buildId}`,
      kernel,
      rootfsPath: disk,
      diskMode: "persistent",
      vcpuCount: inputs.vcpu_count,
      memMib: inputs.mem_mib,
      ttlSeconds: 0,
      // Dies with this process: a build whose caller is killed leaves no VM behind.
      ownerPid: process.pid,
      accel,
      snapshot: { memoryPath: files.memory, memoryShared: true, diskFormat: format },
      identity: false, // every clone gets its own; the template has none to give away
    });
    const saveStart = Date.now();
    const final = await machineClient(paths).save(files.state);
    const saveMs = Date.now() - saveStart;
    if (final.state !== "exited")
      throw new PyroError("internal", `template VM ended ${final.state} after its save`);
    const [state, memory, diskStat] = await Promise.all([stat(files.state), stat(files.memory), stat(disk)]);
    return {
      layout_version: inputs.layout_version,
      key: buildKey(buildDir),
      build_id: buildId,
      created_at: new Date().toISOString(),
      inputs,
      state: { sha256: await sha256File(files.state), size_bytes: state.size },
      memory: { size_bytes: memory.size, mtime_ms: Math.trunc(memory.mtimeMs) },
      disk: {
        format,
        size_bytes: diskStat.size,
        mtime_ms: Math.trunc(diskStat.mtimeMs),
        sha256: format === "qcow2" ? await sha256File(disk) : null,
      },
      boot_ms: boot.state.boot_ms ?? 0,
      save_ms: saveMs,
    };
  } finally {
    await stopMachine(paths, "kill");
    await rm(paths.dir, { recursive: true, force: true });
  }
}

/** The template key is the name of the directory above the build. */
function buildKey(buildDir: string): string {
  return buildDir.split("/").at(-2) ?? "";
}

/** Points `current` at `build` (a symlink renamed over the old one) and drops every other build. */
async function publish(dir: string, build: string): Promise<void> {
  const link = join(dir, `${CURRENT}.tmp-${process.pid}`);
  await rm(link, { force: true });
  await symlink(build, link);
  await rename(link, join(dir, CURRENT));
  // Under the lock: any other build, finished or a .tmp one a killed build left, is stale.
  for (const name of await readdir(dir)) {
    if (name.startsWith("build-") && name !== build)
      await rm(join(dir, name), { recursive: true, force: true });
  }
}
