/**
 * One-shot runs and the VM lifecycle's exec: map core's outcome to the SDK records, and turn
 * a guest-side timeout into a {@link TimeoutError} once the VM is deleted. Loaded on first use.
 */
import type { VmManager } from "../core/vm-manager.js";
import { TimeoutError } from "../errors.js";
import type { RunHooks } from "./options.js";
import { type RunInput, RunInputSchema, type RunResult } from "./schemas/run.js";
import { type ExecVmInput, ExecVmInputSchema, type VmExecResult } from "./schemas/vm.js";
import { validate } from "./validate.js";

/** See {@link Pyro.run}. */
export async function run(vms: VmManager, input: RunInput, hooks: RunHooks): Promise<RunResult> {
  const args = validate(RunInputSchema, input);
  const outcome = await (await import("../core/run.js")).runOnce(vms, { ...args, ...hooks });
  const result: RunResult = {
    environment: args.environment,
    command: args.command,
    exitCode: outcome.result.exitCode,
    stdout: outcome.result.stdout,
    stderr: outcome.result.stderr,
    durationMs: outcome.durationMs,
    executionMode: outcome.executionMode,
    acceleration: outcome.acceleration === "kvm" ? "kvm" : "tcg",
    vmId: outcome.vmId,
    cleanup: {
      deleted: outcome.cleanup.deleted,
      reason: outcome.cleanup.reason,
      vmId: outcome.cleanup.vm_id,
    },
  };
  if (outcome.result.timedOut) {
    throw new TimeoutError(`command timed out after ${args.timeoutSeconds} s; VM "${outcome.vmId}" deleted`, {
      details: {
        timeout_seconds: args.timeoutSeconds,
        vm_id: outcome.vmId,
        stdout: result.stdout,
        stderr: result.stderr,
      },
    });
  }
  return result;
}

/** See {@link Pyro.execVm}. */
export async function execVm(
  vms: VmManager,
  input: ExecVmInput,
  hooks: Omit<RunHooks, "onPhase">,
): Promise<VmExecResult> {
  const args = validate(ExecVmInputSchema, input);
  let result: Awaited<ReturnType<VmManager["exec"]>>;
  try {
    result = await vms.exec(args.vmId, { ...args, ...hooks });
  } catch (err) {
    await vms.delete(args.vmId, "error").catch(() => undefined);
    throw err;
  }
  const cleanup = await vms.delete(args.vmId, result.timedOut ? "timeout" : "completed");
  if (result.timedOut) {
    throw new TimeoutError(`command timed out after ${args.timeoutSeconds} s; VM "${args.vmId}" deleted`, {
      details: { timeout_seconds: args.timeoutSeconds, vm_id: args.vmId },
    });
  }
  return {
    vmId: args.vmId,
    exitCode: result.exitCode,
    stdout: result.stdout,
    stderr: result.stderr,
    durationMs: result.durationMs,
    timedOut: result.timedOut,
    cleanup: { deleted: cleanup.deleted, reason: cleanup.reason, vmId: cleanup.vm_id },
  };
}
