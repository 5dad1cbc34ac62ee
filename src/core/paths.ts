/**
 * The one module that knows the on-disk layout (docs/internals.md). No path literal for
 * state or cache files lives anywhere else.
 *
 * ```
 * $PYRO_HOME/
 *   host/machine-slots.lock          lock held while checking the running-VM limit (maxActiveVms)
 *   images/initrd-<modules12>-<agent12>.cpio  boot initramfs: kernel modules + the agent as /init
 *   vms/<vm_id>/vm.json              VM record (layout_version)
 *   vms/<vm_id>/run/sv.sock|sv.pid|sv.json|agent.sock|qmp.sock|tmp/
 *   vms/<vm_id>/logs/sv.log|console.log
 *   workspaces/<workspace_id>/workspace.json, rootfs.ext4, baseline/workspace.tar,
 *     snapshots/, secrets/, scratch/, run/ (as for VMs), logs/history.jsonl|sv.log|console.log,
 *     pause/state|manifest.json (a paused workspace's saved machine; a fork's also has
 *       pause/memory, its RAM image, and then pause/state holds devices only)
 * $PYRO_ENVIRONMENT_CACHE_DIR/
 *   host/accel-probe.json, accel-probe.lock   the VMM driver's probe verdict (KVM boot test),
 *                                    per host kernel and QEMU build, and the lock of its probe
 *   kernels/<kernel_key>/vmlinux, modules.cpio, manifest.json, kernel-build.json
 *   <env-slug>/<version>/manifest.json, vmlinux, modules.cpio, rootfs.ext4
 *   templates/<env-slug>/<key>/current -> build-<id>   the usable build of a VM template
 *   templates/<env-slug>/<key>/build-<id>/manifest.json, state, memory, disk.qcow2|disk.ext4
 * $PYRO_HOME/templates/b-<id>/       the run and log directories of a template being built
 *   local/<env-slug>-<sha8 of name>/   the same files, for environments built or pulled here
 *   oci/blobs/sha256/<hex>[.partial]  registry blobs of pulls in progress (resumable)
 * ```
 */
import { createHash } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Longest path a Unix socket address can hold on Linux (sun_path is 108 bytes with the NUL). */
export const MAX_SOCKET_PATH_BYTES = 107;

/** Root of the installed package (holds dist/, images/, guest/). */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export const packagePaths = {
  agentBinary: join(packageRoot, "dist", "guest", "pyro-agent"),
  readyInitBinary: join(packageRoot, "dist", "guest", "ready-init"),
  kernelBuildScript: join(packageRoot, "images", "kernel", "build.sh"),
  debianKernelScript: join(packageRoot, "images", "kernel", "debian.sh"),
  debianModuleList: join(packageRoot, "images", "kernel", "debian-modules.list"),
  kernelConfigFragment: join(packageRoot, "images", "kernel", "pyro-guest.config"),
  rootfsBuildScript: join(packageRoot, "images", "rootfs", "build.sh"),
  /** Packs an unpacked container image into a rootfs (mkfs.ext4 -d). */
  rootfsFromTreeScript: join(packageRoot, "images", "rootfs", "from-tree.sh"),
  rootfsPackageList: (slug: string) => join(packageRoot, "images", "rootfs", `${slug}.packages`),
  /** The per-VM supervisor, a static Go binary built from host/ (npm run build:host). */
  supervisorEntry: join(packageRoot, "dist", "host", "pyro-supervisor"),
};

/** Runtime files of any machine directory (a one-shot VM or a workspace). */
export interface MachinePaths {
  dir: string;
  runDir: string;
  supervisorConfig: string;
  supervisorSocket: string;
  supervisorPid: string;
  supervisorState: string;
  agentSocket: string;
  /** QEMU's QMP socket; the supervisor derives it from `runDir` (host/internal/vmm/qemu). */
  qmpSocket: string;
  tmpDir: string;
  logsDir: string;
  supervisorLog: string;
  consoleLog: string;
}

export function machinePaths(dir: string): MachinePaths {
  const runDir = join(dir, "run");
  const logsDir = join(dir, "logs");
  return {
    dir,
    runDir,
    supervisorConfig: join(runDir, "sv-config.json"),
    supervisorSocket: join(runDir, "sv.sock"),
    supervisorPid: join(runDir, "sv.pid"),
    supervisorState: join(runDir, "sv.json"),
    agentSocket: join(runDir, "agent.sock"),
    qmpSocket: join(runDir, "qmp.sock"),
    tmpDir: join(runDir, "tmp"),
    logsDir,
    supervisorLog: join(logsDir, "sv.log"),
    consoleLog: join(logsDir, "console.log"),
  };
}

/** Files of one VM's state directory. */
export interface VmPaths extends MachinePaths {
  record: string;
}

export function vmPaths(stateDir: string, vmId: string): VmPaths {
  const dir = join(stateDir, "vms", vmId);
  return { ...machinePaths(dir), record: join(dir, "vm.json") };
}

/** Files of one workspace's state directory. */
export interface WorkspacePaths extends MachinePaths {
  record: string;
  rootfs: string;
  baselineDir: string;
  baselineTar: string;
  snapshotsDir: string;
  secretsDir: string;
  history: string;
  scratchDir: string;
  /**
   * A paused workspace's saved machine: its state (RAM and devices) and manifest; a fork's
   * RAM is an image beside it (`pauseMemory`, then the state holds devices only).
   */
  pauseDir: string;
  pauseState: string;
  pauseMemory: string;
  pauseManifest: string;
}

export function workspacePaths(stateDir: string, workspaceId: string): WorkspacePaths {
  const dir = join(stateDir, "workspaces", workspaceId);
  const m = machinePaths(dir);
  return {
    ...m,
    record: join(dir, "workspace.json"),
    rootfs: join(dir, "rootfs.ext4"),
    baselineDir: join(dir, "baseline"),
    baselineTar: join(dir, "baseline", "workspace.tar"),
    snapshotsDir: join(dir, "snapshots"),
    secretsDir: join(dir, "secrets"),
    history: join(m.logsDir, "history.jsonl"),
    scratchDir: join(dir, "scratch"),
    pauseDir: join(dir, "pause"),
    pauseState: join(dir, "pause", "state"),
    pauseMemory: join(dir, "pause", "memory"),
    pauseManifest: join(dir, "pause", "manifest.json"),
  };
}

export const statePaths = {
  vmsDir: (stateDir: string) => join(stateDir, "vms"),
  workspacesDir: (stateDir: string) => join(stateDir, "workspaces"),
  imagesDir: (stateDir: string) => join(stateDir, "images"),
  bootInitrd: (stateDir: string, modulesSha256: string, agentSha256: string) =>
    join(stateDir, "images", `initrd-${modulesSha256.slice(0, 12)}-${agentSha256.slice(0, 12)}.cpio`),
  hostDir: (stateDir: string) => join(stateDir, "host"),
  /** Machine directory of a template build (short: its sockets live beneath it). */
  templateBuildMachine: (stateDir: string, buildId: string) => join(stateDir, "templates", `b-${buildId}`),
};

/** Environment names carry a colon (`debian:12`); directories use a slug (`debian-12`). */
export function environmentSlug(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "-");
}

export const cachePaths = {
  /** Written and read by the supervisor binary's probe (`pyro-supervisor probe -cache`), 0644. */
  accelProbe: (cacheDir: string) => join(cacheDir, "host", "accel-probe.json"),
  kernelDir: (cacheDir: string, kernelKey: string) => join(cacheDir, "kernels", kernelKey),
  environmentRoot: (cacheDir: string, name: string) => join(cacheDir, environmentSlug(name)),
  environmentDir: (cacheDir: string, name: string, version: string) =>
    join(cacheDir, environmentSlug(name), version),
  /** Environments built (`env build`) or pulled from a registry; the hash keeps `a/b` and `a-b` apart. */
  localEnvironmentsDir: (cacheDir: string) => join(cacheDir, "local"),
  localEnvironmentDir: (cacheDir: string, name: string) =>
    join(
      cacheDir,
      "local",
      `${environmentSlug(name).slice(0, 80)}-${createHash("sha256").update(name).digest("hex").slice(0, 8)}`,
    ),
  /** Downloaded registry blobs, kept until their pull installs (so a new pull resumes). */
  blobDir: (cacheDir: string) => join(cacheDir, "oci", "blobs", "sha256"),
  manifest: (envDir: string) => join(envDir, "manifest.json"),
  kernel: (envDir: string) => join(envDir, "vmlinux"),
  modules: (envDir: string) => join(envDir, "modules.cpio"),
  rootfs: (envDir: string) => join(envDir, "rootfs.ext4"),
  templatesDir: (cacheDir: string) => join(cacheDir, "templates"),
  /** One template (src/core/templates): its builds and the `current` link to the usable one. */
  templateDir: (cacheDir: string, environment: string, key: string) =>
    join(cacheDir, "templates", environmentSlug(environment), key),
  templateBuild: (buildDir: string) => ({
    manifest: join(buildDir, "manifest.json"),
    state: join(buildDir, "state"),
    memory: join(buildDir, "memory"),
    disk: (format: "qcow2" | "raw") => join(buildDir, format === "qcow2" ? "disk.qcow2" : "disk.ext4"),
  }),
};
