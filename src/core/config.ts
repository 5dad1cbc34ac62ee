/**
 * The only reader of `process.env`. Every knob starts with `PYRO_`; an explicit option beats
 * the variable, which beats the default. docs/configuration.md lists them all.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { InvalidArgumentError } from "../errors.js";

/**
 * How each `PYRO_*` variable is checked. Plain checks rather than zod: every pyro process reads
 * the environment first, and zod would add its start-up to `workspace exec` (see
 * docs/internals.md). Unknown `PYRO_*` names are ignored, as before.
 */
const ENV_RULES = {
  PYRO_HOME: { kind: "path" },
  PYRO_ENVIRONMENT_CACHE_DIR: { kind: "path" },
  /** Debian mirror URI for local environment builds; default: the host's own apt sources. */
  PYRO_DEBIAN_MIRROR: { kind: "url" },
  /** Force an accelerator instead of probing: `kvm` or `tcg`. */
  PYRO_ACCEL: { kind: "enum", values: ["kvm", "tcg", "auto"] },
  /** Path of the guest agent binary; default: dist/guest/pyro-agent of this package. */
  PYRO_AGENT_PATH: { kind: "path" },
  /** QEMU binary; default `qemu-system-x86_64` on PATH. */
  PYRO_QEMU_BINARY: { kind: "path" },
  /**
   * Guest kernel flavor installed by `env pull`: `debian` (Debian's prebuilt cloud kernel,
   * default) or `custom` (compiled from Debian's linux-source-6.1, about 10 min).
   */
  PYRO_KERNEL: { kind: "enum", values: ["debian", "custom"] },
  /** `debian` flavor: the linux-image package to use instead of linux-image-cloud-amd64's. */
  PYRO_KERNEL_PACKAGE: {
    kind: "regex",
    re: /^linux-image-[0-9][A-Za-z0-9.+-]*$/,
    message: "expected a package name such as linux-image-6.1.0-57-cloud-amd64",
  },
  /** `custom` flavor: kernel source package version to pin (Debian `linux-source-6.1`). */
  PYRO_KERNEL_SOURCE_VERSION: { kind: "path" },
  /** VMM driver: `auto` (firecracker when its binary and working KVM exist, else qemu), `qemu`, `firecracker`. */
  PYRO_VMM: { kind: "enum", values: ["auto", "qemu", "firecracker"] },
  /** At most this many VMs (one-shot VMs and workspaces) of one PYRO_HOME run at once; unset = no limit. */
  PYRO_MAX_ACTIVE_VMS: { kind: "int", min: 1, max: 10_000 },
  PYRO_LOG_LEVEL: { kind: "enum", values: ["silent", "error", "info", "debug"] },
  /** `0`: a fork's RAM is loaded into memory of its own instead of one shared image (a benchmark's floor). */
  PYRO_FORK_SHARED_MEMORY: { kind: "enum", values: ["0", "1"] },
  /** `1`: `env push|pull` may speak plain HTTP to a registry on a loopback address (never elsewhere). */
  PYRO_REGISTRY_INSECURE: { kind: "enum", values: ["0", "1"] },
  /** Host-global registry of workspace network leases; default `/run/pyro/net`. */
  PYRO_NET_DIR: { kind: "path" },
  /** IPv4 pool carved into one /30 per workspace; default `172.29.0.0/16`. */
  PYRO_NET_POOL: {
    kind: "regex",
    re: /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/,
    message: "expected an IPv4 CIDR such as 172.29.0.0/16",
  },
} as const;

type EnvRules = typeof ENV_RULES;
type EnvValue<R> = R extends { kind: "enum"; values: readonly (infer V)[] }
  ? V
  : R extends { kind: "int" }
    ? number
    : string;

/** The `PYRO_*` variables that are set, checked (`PYRO_MAX_ACTIVE_VMS` as a number). */
export type PyroEnv = { [K in keyof EnvRules]?: EnvValue<EnvRules[K]> };

/** `value` of variable `name` checked against its rule; the error message, or the parsed value. */
function checkVar(
  rule: EnvRules[keyof EnvRules],
  value: string,
): { value: string | number } | { error: string } {
  switch (rule.kind) {
    case "path":
      return { value };
    case "url":
      return URL.canParse(value) ? { value } : { error: "expected a URL" };
    case "enum":
      return (rule.values as readonly string[]).includes(value)
        ? { value }
        : { error: `expected one of ${rule.values.map((v) => `"${v}"`).join("|")}` };
    case "regex":
      return rule.re.test(value) ? { value } : { error: rule.message };
    case "int": {
      const n = Number(value);
      return Number.isInteger(n) && n >= rule.min && n <= rule.max
        ? { value: n }
        : { error: `expected an integer from ${rule.min} to ${rule.max}` };
    }
  }
}

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
  /** Plain HTTP allowed for loopback registries. @default false (PYRO_REGISTRY_INSECURE=1) */
  registryInsecure: boolean;
  /** Container credential files read for registry basic auth, first match wins. */
  registryAuthFiles: string[];
  /**
   * Forks of one call map one RAM image copy-on-write (true) or each load the whole saved
   * state into memory of its own. @default true (PYRO_FORK_SHARED_MEMORY=0 turns it off)
   */
  forkSharedMemory: boolean;
}

/** Explicit options that override the environment. */
export interface ConfigOverrides {
  stateDir?: string;
  cacheDir?: string;
  vmm?: "auto" | "qemu" | "firecracker";
  maxActiveVms?: number;
}

/** Parses `PYRO_*` variables (empty ones count as unset); a malformed value is an `invalid_argument` error naming it. */
export function readEnv(env: NodeJS.ProcessEnv = process.env): PyroEnv {
  const parsed: Record<string, string | number> = {};
  for (const [name, rule] of Object.entries(ENV_RULES)) {
    const raw = env[name];
    if (raw === undefined || raw === "") continue;
    const r = checkVar(rule, raw);
    if ("error" in r) throw new InvalidArgumentError(`environment variable ${name}: ${r.error}`);
    parsed[name] = r.value;
  }
  return parsed as PyroEnv;
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
    registryInsecure: env.PYRO_REGISTRY_INSECURE === "1",
    registryAuthFiles: registryAuthFiles(),
    forkSharedMemory: env.PYRO_FORK_SHARED_MEMORY !== "0",
  };
}

/**
 * The usual container credential files, in the order podman/skopeo and Docker read them:
 * `$REGISTRY_AUTH_FILE`, `$XDG_RUNTIME_DIR/containers/auth.json`,
 * `~/.config/containers/auth.json`, `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`).
 */
export function registryAuthFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const files: string[] = [];
  if (env.REGISTRY_AUTH_FILE) files.push(env.REGISTRY_AUTH_FILE);
  if (env.XDG_RUNTIME_DIR) files.push(join(env.XDG_RUNTIME_DIR, "containers", "auth.json"));
  files.push(join(homedir(), ".config", "containers", "auth.json"));
  files.push(join(env.DOCKER_CONFIG ?? join(homedir(), ".docker"), "config.json"));
  return files;
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
