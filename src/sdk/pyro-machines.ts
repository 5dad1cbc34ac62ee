/**
 * The first half of the SDK facade ({@link Pyro} extends it): configuration, host diagnosis,
 * environments and templates, one-shot runs and the VM lifecycle. Same rule as every `Pyro`
 * method: validate, one core call, `toCamel`. Split from pyro.ts only to keep files short.
 */
import { type Camel, toCamel } from "../contract/case.js";
import { type PyroConfig, resolveConfig } from "../core/config.js";
import type { PullProgressListener } from "../core/environments/progress.js";
import { VmManager } from "../core/vm-manager.js";
import { WorkspaceManager } from "../core/workspaces/manager.js";
import { environments, vmApi } from "./core-modules.js";
import { configOverrides, type PyroOptions, type RunHooks } from "./options.js";
import type * as S from "./schemas.js";
import { validateAs } from "./validate.js";

/** A core answer (snake_case) as the SDK's camelCase record. */
export const camel = async <T>(record: Promise<T>): Promise<Camel<T>> => toCamel(await record);

/** Environments, templates, runs and VMs; see {@link Pyro} for the whole SDK. */
export class PyroMachines {
  readonly config: PyroConfig;
  /** Core's VM lifecycle (one-shot runs and the `*Vm` methods). */
  protected readonly vms: VmManager;
  /** Core's workspace manager (used by {@link Pyro}'s workspace methods). */
  protected readonly ws: WorkspaceManager;

  /** @throws PyroError invalid_argument for a malformed PYRO_* variable, `vmm` or `maxActiveVms`. */
  constructor(options: PyroOptions = {}) {
    this.config = resolveConfig(configOverrides(options));
    this.vms = new VmManager(this.config);
    this.ws = new WorkspaceManager(this.config);
  }

  /** Host diagnosis: KVM (and whether a guest really boots with it), VMMs, acceleration, capabilities. */
  async doctor(): Promise<S.DoctorReport> {
    return camel((await import("../core/doctor.js")).diagnose(this.config));
  }

  /** The catalog, then local environments, with install status (quick check; no hashing). */
  async listEnvironments(): Promise<S.EnvironmentList> {
    return camel((await environments()).listEnvironmentRecords(this.config));
  }

  /**
   * Installs an environment (kernel + rootfs), building it locally from Debian packages when
   * no prebuilt artifact is reachable. Verified installs are a fast no-op; broken ones are repaired.
   * A registry reference (`REGISTRY/REPOSITORY:TAG` or `@sha256:...`) installs a pushed pyro
   * environment or an ordinary container image as local environment `name`: downloads resume,
   * every digest is verified before anything is installed.
   * @throws PyroError environment_not_found, environment_build_failed, host_dependency_missing,
   *   registry_unreachable, registry_auth_failed, registry_error, digest_mismatch
   */
  async pullEnvironment(
    name: string,
    options: { onProgress?: PullProgressListener; signal?: AbortSignal } = {},
  ): Promise<S.PullResult> {
    const args = await validateAs("EnvironmentName", name);
    return camel((await environments()).pullEnvironment(this.config, args, options));
  }

  /**
   * Builds a local environment from a catalog one plus Debian packages and an optional recipe
   * (files, one setup command), like the catalog images (mmdebstrap, minutes). Usable by name
   * wherever an environment is; rebuilding a name replaces it.
   * @throws PyroError invalid_argument (bad or catalog name, bad recipe, unknown package),
   *   environment_not_found (`from`), environment_build_failed, host_dependency_missing
   */
  async buildEnvironment(
    input: S.BuildEnvironmentInput,
    options: { onProgress?: PullProgressListener; signal?: AbortSignal } = {},
  ): Promise<S.BuildResult> {
    const args = await validateAs("BuildEnvironmentInputSchema", input);
    return camel((await environments()).buildEnvironment(this.config, args, options));
  }

  /**
   * Pushes an installed environment (catalog or local) to a registry as an OCI artifact (one
   * layer per artifact, zstd-compressed where it pays); blobs the registry has are skipped.
   * @throws PyroError invalid_argument, environment_not_found, environment_not_installed,
   *   registry_unreachable, registry_auth_failed, registry_error
   */
  async pushEnvironment(
    input: S.PushEnvironmentInput,
    options: { onProgress?: PullProgressListener; signal?: AbortSignal } = {},
  ): Promise<S.PushResult> {
    const args = await validateAs("PushEnvironmentInputSchema", input);
    return camel((await environments()).pushEnvironment(this.config, args.name, args.reference, options));
  }

  /** One environment with its manifest, every artifact re-hashed. @throws PyroError environment_not_found */
  async inspectEnvironment(name: string): Promise<S.Environment> {
    const args = await validateAs("EnvironmentName", name);
    return camel((await environments()).inspectEnvironment(this.config, args));
  }

  /**
   * Without `name`: removes stale or unused cache entries (valid local environments stay).
   * With `name`: removes that environment's install. Reports bytes freed.
   * @throws PyroError environment_not_found (with `name`)
   */
  async pruneEnvironments(name?: string): Promise<S.PruneResult> {
    const only = name === undefined ? undefined : await validateAs("EnvironmentName", name);
    return camel((await environments()).pruneEnvironments(this.config, only));
  }

  /**
   * Builds the VM templates of an environment ahead of time (`pyro prepare`): the `run` and
   * `workspace` templates of these sizes, so the next `run` / `createWorkspace` restores
   * instead of booting (docs/templates.md). A usable template is kept. `diskMib` must be at
   * least the environment image's size, as for `createWorkspace`.
   * @throws PyroError environment_not_installed, invalid_argument (`diskMib` below the
   *   environment image's size), vmm_unavailable, boot_failed
   */
  async prepare(input: S.PrepareInput): Promise<S.PrepareResult> {
    const args = await validateAs("PrepareInputSchema", input);
    return camel((await import("../core/templates/prepare.js")).prepareTemplates(this.config, args));
  }

  /**
   * One-shot: create a microVM, boot it, run `command`, delete it (always, also on error,
   * timeout or abort).
   * @throws PyroError invalid_argument, environment_not_installed, boot_failed, timeout, interrupted
   */
  async run(input: S.RunInput, hooks: RunHooks = {}): Promise<S.RunResult> {
    return camel((await vmApi()).run(this.vms, await validateAs("RunInputSchema", input), hooks));
  }

  /** Same as {@link Pyro.run} (the 1.x name). */
  runInVm(input: S.RunInput, hooks: RunHooks = {}): Promise<S.RunResult> {
    return this.run(input, hooks);
  }

  /** Creates a VM record (nothing boots until {@link Pyro.startVm}). @throws PyroError environment_not_installed */
  async createVm(input: S.CreateVmInput): Promise<S.Vm> {
    return camel((await vmApi()).createVm(this.vms, await validateAs("CreateVmInputSchema", input)));
  }

  /** Boots a created VM and waits for its guest agent. @throws PyroError vm_not_found, boot_failed */
  async startVm(vmId: string): Promise<S.Vm> {
    return camel((await vmApi()).startVm(this.vms, await validateAs("VmId", vmId)));
  }

  /**
   * Runs one command in a started VM, then deletes the VM (pyro's exec auto-clean semantics).
   * @throws PyroError vm_not_found, vm_not_running, timeout
   */
  async execVm(input: S.ExecVmInput, hooks: Omit<RunHooks, "onPhase"> = {}): Promise<S.VmExecResult> {
    return camel((await vmApi()).execVm(this.vms, await validateAs("ExecVmInputSchema", input), hooks));
  }

  /** Powers a VM off (guest flushes, VMM exits). @throws PyroError vm_not_found */
  async stopVm(vmId: string): Promise<S.Vm> {
    return camel((await vmApi()).stopVm(this.vms, await validateAs("VmId", vmId)));
  }

  /** Kills the VM if running and removes all its state. @throws PyroError vm_not_found */
  async deleteVm(vmId: string): Promise<S.VmDelete> {
    return camel((await vmApi()).deleteVm(this.vms, await validateAs("VmId", vmId)));
  }

  /** Record plus live supervisor state. @throws PyroError vm_not_found */
  async statusVm(vmId: string): Promise<S.Vm> {
    return camel((await vmApi()).statusVm(this.vms, await validateAs("VmId", vmId)));
  }

  /**
   * Network facts of a VM: for a running VM created with `network: true`, its guest and host
   * addresses (a private /30) and host TAP device; nulls otherwise. @throws PyroError vm_not_found
   */
  async networkInfoVm(vmId: string): Promise<S.VmNetworkInfo> {
    return camel((await vmApi()).networkInfoVm(this.vms, await validateAs("VmId", vmId)));
  }

  /** Every VM under this state dir. */
  async listVms(): Promise<S.VmList> {
    return camel((await vmApi()).listVms(this.vms));
  }

  /** Deletes VMs and workspaces idle past their TTL. */
  async reapExpired(): Promise<S.ReapResult> {
    return camel((await vmApi()).reapExpired(this.vms, this.ws));
  }
}
