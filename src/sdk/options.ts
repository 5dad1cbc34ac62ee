/** Options of the SDK facade and the hooks of its long operations. */
import type { Readable } from "node:stream";
import type { ConfigOverrides } from "../core/config.js";
import type { RunPhase } from "../core/run.js";
import { PyroError } from "../errors.js";

/** Options of {@link Pyro}. */
export interface PyroOptions {
  /** State root. @default $PYRO_HOME, else ~/.local/share/pyro */
  stateDir?: string;
  /** Environment cache. @default $PYRO_ENVIRONMENT_CACHE_DIR, else ~/.cache/pyro-mcp/environments */
  cacheDir?: string;
  /**
   * VMM driver of the VMs this instance boots. `auto` prefers Firecracker when its binary and
   * working KVM exist, else QEMU; `firecracker` fails at boot with `vmm_unavailable` until its
   * driver exists. @default "auto" (environment: `PYRO_VMM`)
   */
  vmm?: "auto" | "firecracker" | "qemu";
  /**
   * At most this many VMs (one-shot VMs and workspaces) of this state dir run at once; a boot
   * past it throws `too_many_vms`. @default no limit (environment: `PYRO_MAX_ACTIVE_VMS`)
   */
  maxActiveVms?: number;
}

/** Streaming hooks and cancellation for long operations. */
export interface RunHooks {
  /** `[run] phase=...` events: create, start, execute. */
  onPhase?: (phase: RunPhase, fields: Record<string, string | number>) => void;
  /** Guest stdout bytes as they arrive. */
  onStdout?: (chunk: Buffer) => void;
  /** Guest stderr bytes as they arrive. */
  onStderr?: (chunk: Buffer) => void;
  /** Aborting deletes the VM and rejects with `interrupted`. */
  signal?: AbortSignal;
  /**
   * Bytes for the command's stdin, streamed to the guest as they arrive (the CLI's `-i`);
   * the command's timeout runs meanwhile. @default none: the command reads EOF at once
   */
  stdin?: Readable;
}

/**
 * The config overrides `options` ask for (an explicit option beats its `PYRO_*` variable).
 * @throws PyroError invalid_argument for a bad `vmm` or `maxActiveVms`
 */
export function configOverrides(options: PyroOptions): ConfigOverrides {
  const overrides: ConfigOverrides = {};
  if (options.stateDir) overrides.stateDir = options.stateDir;
  if (options.cacheDir) overrides.cacheDir = options.cacheDir;
  if (options.vmm !== undefined) {
    if (!["auto", "qemu", "firecracker"].includes(options.vmm))
      throw new PyroError("invalid_argument", `vmm must be auto, qemu or firecracker (got "${options.vmm}")`);
    overrides.vmm = options.vmm;
  }
  if (options.maxActiveVms !== undefined) {
    if (!Number.isInteger(options.maxActiveVms) || options.maxActiveVms < 1)
      throw new PyroError("invalid_argument", "maxActiveVms must be a positive integer");
    overrides.maxActiveVms = options.maxActiveVms;
  }
  return overrides;
}
