/**
 * The only reader of `process.env`. Every knob starts with `PYRO_`; an explicit option beats
 * the variable, which beats the default. docs/configuration.md lists them all.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { InvalidArgumentError } from "../errors.js";

const EnvSchema = z.object({
  PYRO_HOME: z.string().min(1).optional(),
  PYRO_ENVIRONMENT_CACHE_DIR: z.string().min(1).optional(),
  /** Debian mirror URI for local environment builds; default: the host's own apt sources. */
  PYRO_DEBIAN_MIRROR: z.string().url().optional(),
  /** Force an accelerator instead of probing: `kvm` or `tcg`. */
  PYRO_ACCEL: z.enum(["kvm", "tcg", "auto"]).optional(),
  /** Path of the guest agent binary; default: dist/guest/pyro-agent of this package. */
  PYRO_AGENT_PATH: z.string().min(1).optional(),
  /** QEMU binary; default `qemu-system-x86_64` on PATH. */
  PYRO_QEMU_BINARY: z.string().min(1).optional(),
  /**
   * Guest kernel flavor installed by `env pull`: `debian` (Debian's prebuilt cloud kernel,
   * default) or `custom` (compiled from Debian's linux-source-6.1, about 10 min).
   */
  PYRO_KERNEL: z.enum(["debian", "custom"]).optional(),
  /** `debian` flavor: the linux-image package to use instead of linux-image-cloud-amd64's. */
  PYRO_KERNEL_PACKAGE: z
    .string()
    .regex(
      /^linux-image-[0-9][A-Za-z0-9.+-]*$/,
      "expected a package name such as linux-image-6.1.0-57-cloud-amd64",
    )
    .optional(),
  /** `custom` flavor: kernel source package version to pin (Debian `linux-source-6.1`). */
  PYRO_KERNEL_SOURCE_VERSION: z.string().min(1).optional(),
  /** VMM driver: `auto` (firecracker when its binary and working KVM exist, else qemu), `qemu`, `firecracker`. */
  PYRO_VMM: z.enum(["auto", "qemu", "firecracker"]).optional(),
  /** At most this many VMs (one-shot VMs and workspaces) of one PYRO_HOME run at once; unset = no limit. */
  PYRO_MAX_ACTIVE_VMS: z.coerce.number().int().min(1).max(10_000).optional(),
  PYRO_LOG_LEVEL: z.enum(["silent", "error", "info", "debug"]).optional(),
  /** Host-global registry of workspace network leases; default `/run/pyro/net`. */
  PYRO_NET_DIR: z.string().min(1).optional(),
  /** IPv4 pool carved into one /30 per workspace; default `172.29.0.0/16`. */
  PYRO_NET_POOL: z
    .string()
    .regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, "expected an IPv4 CIDR such as 172.29.0.0/16")
    .optional(),
});

export type PyroEnv = z.infer<typeof EnvSchema>;

/** Resolved configuration for one `Pyro` instance. */
export interface PyroConfig {
  /** State root: workspaces, VMs, derived images, probe cache. */
  stateDir: string;
  /** Environment cache: kernels and rootfs images. */
  cacheDir: string;
  debianMirror: string | undefined;
  accel: "kvm" | "tcg" | "auto";
  agentPath: string | undefined;
  qemuBinary: string;
  /** VMM driver the supervisor uses. @default "auto" (PYRO_VMM) */
  vmm: "auto" | "qemu" | "firecracker";
  /** Running-VM limit per state dir (`too_many_vms` past it); undefined = none (PYRO_MAX_ACTIVE_VMS). */
  maxActiveVms: number | undefined;
  /** Guest kernel flavor for `env pull`. @default "debian" (PYRO_KERNEL) */
  kernelFlavor: "debian" | "custom";
  kernelPackage: string | undefined;
  kernelSourceVersion: string | undefined;
}

/** Explicit options that override the environment. */
export interface ConfigOverrides {
  stateDir?: string;
  cacheDir?: string;
  vmm?: "auto" | "qemu" | "firecracker";
  maxActiveVms?: number;
}

/** Parses `PYRO_*` variables; a malformed value is an `invalid_argument` error naming it. */
export function readEnv(env: NodeJS.ProcessEnv = process.env): PyroEnv {
  const picked = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k.startsWith("PYRO_") && v !== undefined && v !== ""),
  );
  const parsed = EnvSchema.safeParse(picked);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidArgumentError(`environment variable ${String(issue?.path[0])}: ${issue?.message}`);
  }
  return parsed.data;
}

/** Builds the configuration: overrides, then `PYRO_*` variables, then defaults. */
export function resolveConfig(overrides: ConfigOverrides = {}, env = readEnv()): PyroConfig {
  return {
    stateDir: overrides.stateDir ?? env.PYRO_HOME ?? join(homedir(), ".local", "share", "pyro"),
    cacheDir:
      overrides.cacheDir ??
      env.PYRO_ENVIRONMENT_CACHE_DIR ??
      join(homedir(), ".cache", "pyro-mcp", "environments"),
    debianMirror: env.PYRO_DEBIAN_MIRROR,
    accel: env.PYRO_ACCEL ?? "auto",
    agentPath: env.PYRO_AGENT_PATH,
    qemuBinary: env.PYRO_QEMU_BINARY ?? "qemu-system-x86_64",
    vmm: overrides.vmm ?? env.PYRO_VMM ?? "auto",
    maxActiveVms: overrides.maxActiveVms ?? env.PYRO_MAX_ACTIVE_VMS,
    kernelFlavor: env.PYRO_KERNEL ?? "debian",
    kernelPackage: env.PYRO_KERNEL_PACKAGE,
    kernelSourceVersion: env.PYRO_KERNEL_SOURCE_VERSION,
  };
}

/**
 * Directory of the host-global network lease registry (one JSON file per workspace, 0600, in a
 * 0700 directory). Host-global on purpose: several `PYRO_HOME`s share the host's TAPs and pool.
 * @default "/run/pyro/net" (environment: `PYRO_NET_DIR`)
 * @throws PyroError invalid_argument for a malformed `PYRO_*` variable
 */
export function netRegistryDir(env = readEnv()): string {
  return env.PYRO_NET_DIR ?? "/run/pyro/net";
}

/**
 * IPv4 address pool (CIDR text) that workspace /30 subnets are carved from.
 * @default "172.29.0.0/16" (environment: `PYRO_NET_POOL`), i.e. 16384 workspaces
 * @throws PyroError invalid_argument for a malformed `PYRO_*` variable
 */
export function netPool(env = readEnv()): string {
  return env.PYRO_NET_POOL ?? "172.29.0.0/16";
}
