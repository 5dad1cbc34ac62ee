/**
 * Starting a machine from a VM template when one can be used, and booting it cold when not.
 * {@link planStart} decides (and builds a missing template first); {@link restoreMachine}
 * starts the clone and, when its restore fails or is not verified in time, cleans up and
 * drops the template, so the caller boots cold instead: a restore never fails a user's call.
 */
import { rm } from "node:fs/promises";
import { PyroError } from "../../errors.js";
import type { PyroConfig } from "../config.js";
import type { BootArtifacts } from "../environments/registry.js";
import { type AccelDecision, resolveAcceleration } from "../host.js";
import { isLocked } from "../lock.js";
import { type BootResult, bootMachine, type MachineSpec, stopMachine } from "../machine.js";
import type { MachinePaths } from "../paths.js";
import { traceMark } from "../trace.js";
import { buildTemplate } from "./build.js";
import { type TemplateInputs, type TemplatePurpose, templateInputs } from "./inputs.js";
import { discardTemplate, findTemplate, type UsableTemplate } from "./store.js";

/**
 * Bound of a restore, VMM spawn to an agent that answers and has taken its identity, in ms.
 * Restores take 0.3-0.6 s under TCG on an idle host; a busy one may take a few times that.
 */
export const RESTORE_TIMEOUT_MS = 8_000;

/** A template event for phase lines: `action` build, built, unusable, cold, rebuild. */
export type TemplateEvent = Record<string, string | number>;

export interface StartRequest {
  purpose: TemplatePurpose;
  kernel: BootArtifacts;
  vcpuCount: number;
  memMib: number;
  /** Workspace disk size in MiB; null for one-shot runs. */
  diskMib: number | null;
  network: boolean;
  /** Boot cold whatever templates exist (`--cold`). */
  cold: boolean;
  onTemplate?: (event: TemplateEvent) => void;
}

export type StartPlan =
  | { template: UsableTemplate; accel: AccelDecision }
  | {
      template: null;
      accel?: AccelDecision;
      /** Why the machine boots cold. */
      reason: string;
      /** Set when a template should be built once this machine is done with the host. */
      rebuild?: { inputs: TemplateInputs; accel: AccelDecision };
    };

/**
 * Chooses how to start: a usable template, else (inputs unchanged, template missing) a new
 * template built now, else a cold boot with the reason. A broken template is dropped and
 * marked for a rebuild. Template problems never throw; the accelerator probe's errors do.
 * @throws PyroError vmm_unavailable (from the probe)
 */
export async function planStart(config: PyroConfig, req: StartRequest): Promise<StartPlan> {
  if (req.cold) return { template: null, reason: "a cold boot was asked for" };
  if (req.network) return { template: null, reason: "guests with a NIC have no templates yet" };
  const accel = await resolveAcceleration(config, req.kernel.kernelPath);
  if (accel.vmm && !accel.vmm.capabilities.save_restore)
    return { template: null, accel, reason: `VMM ${accel.vmm.driver} cannot save and restore` };
  const inputs = await templateInputs(config, req, accel);
  const found = await findTemplate(config.cacheDir, inputs);
  if (found.status === "usable") return { template: found.template, accel };
  if (found.status === "broken") {
    await discardTemplate(found.dir).catch(() => undefined);
    const reason = `template ${found.key} unusable (${found.reason})`;
    req.onTemplate?.({ action: "unusable", template: found.key, reason });
    return { template: null, accel, reason, rebuild: { inputs, accel } };
  }
  if (await isLocked(found.dir).catch(() => false))
    return { template: null, accel, reason: `template ${found.key} is being built by another pyro process` };
  req.onTemplate?.({ action: "build", template: found.key });
  try {
    const template = await buildTemplate(config, inputs, req.kernel, accel);
    req.onTemplate?.({ action: "built", template: template.key, save_ms: template.manifest.save_ms });
    return { template, accel };
  } catch (err) {
    const reason = `template ${found.key} could not be built: ${(err as Error).message}`;
    req.onTemplate?.({ action: "unusable", template: found.key, reason });
    return { template: null, accel, reason };
  }
}

/**
 * Starts `spec` from `template` (its memory file mapped copy-on-write, its saved state loaded,
 * then the agent verified and given its own identity by the supervisor, all within
 * {@link RESTORE_TIMEOUT_MS}). `spec` names the clone's own disk. On failure the machine is
 * killed, its run files removed and the template dropped; the answer says why, and the
 * caller boots cold.
 */
export async function restoreMachine(
  config: PyroConfig,
  paths: MachinePaths,
  spec: MachineSpec,
  template: UsableTemplate,
): Promise<{ boot: BootResult } | { failed: string }> {
  traceMark("restore_start");
  try {
    const boot = await bootMachine(config, paths, {
      ...spec,
      snapshot: {
        ...spec.snapshot,
        memoryPath: template.memory,
        restoreStatePath: template.state,
        restoreTimeoutMs: RESTORE_TIMEOUT_MS,
      },
    });
    return { boot };
  } catch (err) {
    await stopMachine(paths, "kill");
    for (const stale of [paths.supervisorSocket, paths.agentSocket, paths.qmpSocket, paths.supervisorPid]) {
      await rm(stale, { force: true });
    }
    await discardTemplate(template.dir).catch(() => undefined);
    const e = err instanceof PyroError ? ((err.cause as PyroError | undefined) ?? err) : (err as Error);
    return { failed: `restore from template ${template.key} failed: ${e.message}` };
  }
}

/**
 * Builds the template a cold start asked for (`plan.rebuild`), reporting it; a failure is
 * reported, never thrown: the caller's work is already done.
 */
export async function rebuildAfterColdStart(
  config: PyroConfig,
  kernel: BootArtifacts,
  rebuild: { inputs: TemplateInputs; accel: AccelDecision },
  onTemplate?: (event: TemplateEvent) => void,
): Promise<void> {
  onTemplate?.({ action: "rebuild" });
  try {
    const t = await buildTemplate(config, rebuild.inputs, kernel, rebuild.accel);
    onTemplate?.({ action: "built", template: t.key, save_ms: t.manifest.save_ms });
  } catch (err) {
    onTemplate?.({ action: "unusable", reason: `rebuild failed: ${(err as Error).message}` });
  }
}

/** How a start may use VM templates, and what it reports. */
export interface MachineStartOptions {
  /** Boot cold even when a template is usable. */
  cold?: boolean;
  /** Template events (build, unusable, ...), for phase lines. */
  onTemplate?: (event: TemplateEvent) => void;
  /** Called once the machine is ready: restored or cold, and why. */
  onStarted?: (report: StartReport) => void;
}

/** How a machine started: restored from a template, or booted cold (and why). */
export interface StartReport {
  boot: "restored" | "cold";
  /** The template restored from. */
  template?: string;
  /** Why the boot was cold. */
  reason?: string;
  /** A template to build once this machine no longer needs the host (see rebuildAfterColdStart). */
  rebuild?: { inputs: TemplateInputs; accel: AccelDecision };
}

/**
 * Starts a machine: restored from its template when {@link planStart} finds (or builds) one,
 * with `clone(template)` giving the clone's own disk; else, or when the restore fails, booted
 * cold as `spec` says, after `coldDisk()` (re)makes the cold disk. Every template problem is
 * reported through `req.onTemplate` and ends in a cold boot.
 * @throws PyroError boot_failed and the like of the cold boot
 */
export async function startMachine(
  config: PyroConfig,
  paths: MachinePaths,
  spec: MachineSpec,
  req: StartRequest,
  clone: (template: UsableTemplate) => Promise<Partial<MachineSpec>>,
  coldDisk?: () => Promise<void>,
): Promise<{ boot: BootResult; report: StartReport }> {
  const plan = await planStart(config, req);
  let reason: string;
  let rebuild: StartReport["rebuild"];
  if (plan.template) {
    const cloneSpec = { ...spec, ...(await clone(plan.template)), accel: plan.accel };
    const restored = await restoreMachine(config, paths, cloneSpec, plan.template);
    if ("boot" in restored)
      return { boot: restored.boot, report: { boot: "restored", template: plan.template.key } };
    reason = restored.failed;
    req.onTemplate?.({ action: "unusable", template: plan.template.key, reason });
    rebuild = { inputs: plan.template.manifest.inputs, accel: plan.accel };
  } else {
    reason = plan.reason;
    rebuild = plan.rebuild;
  }
  await coldDisk?.();
  const boot = await bootMachine(config, paths, { ...spec, ...(plan.accel ? { accel: plan.accel } : {}) });
  return { boot, report: { boot: "cold", reason, ...(rebuild ? { rebuild } : {}) } };
}
