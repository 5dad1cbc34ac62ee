/**
 * VMs as the SDK offers them: the one-shot run, the `*Vm` lifecycle (its exec deletes the VM
 * afterwards) and the reaper, each answering with its contract record (snake_case). A guest
 * side timeout becomes a {@link TimeoutError} once the VM is deleted.
 */
import type { z } from "zod";
import type * as R from "../contract/records/vm.js";
import type { RunInputSchema } from "../contract/run.js";
import type { CreateVmInputSchema, ExecVmInputSchema } from "../contract/vm.js";
import { TimeoutError } from "../errors.js";
import type { ExecOptions } from "./exec.js";
import type { RunOptions } from "./run.js";
import type { VmManager, VmStatus } from "./vm-manager.js";
import type { WorkspaceManager } from "./workspaces/manager.js";

/** Streaming hooks and cancellation of a run or exec (the SDK's RunHooks). */
type Hooks = Omit<RunOptions, keyof z.output<typeof RunInputSchema>>;

/** The public record of a VM's status: the supervisor's live facts win over the record's. */
export function vmRecord(status: VmStatus): R.Vm {
  return {
    vm_id: status.vm_id,
    environment: status.environment,
    state: status.state,
    vcpu_count: status.vcpu_count,
    mem_mib: status.mem_mib,
    ttl_seconds: status.ttl_seconds,
    network: status.network,
    acceleration: status.acceleration,
    acceleration_reason: status.acceleration_reason,
    execution_mode: status.execution_mode,
    created_at: status.created_at,
    last_activity_at: status.supervisor?.last_activity_at ?? status.last_activity_at,
    expires_at: status.expires_at,
    boot_ms: status.supervisor?.boot_ms ?? null,
    error: status.error ?? status.supervisor?.error ?? null,
  };
}

/**
 * Create, boot, run, delete (always). @throws PyroError environment_not_installed, boot_failed,
 * timeout (details carry the output), interrupted
 */
export async function run(
  vms: VmManager,
  args: z.output<typeof RunInputSchema>,
  hooks: Hooks,
): Promise<R.RunResult> {
  const outcome = await (await import("./run.js")).runOnce(vms, { ...args, ...hooks });
  const result: R.RunResult = {
    environment: args.environment,
    command: args.command,
    exit_code: outcome.result.exitCode,
    stdout: outcome.result.stdout,
    stderr: outcome.result.stderr,
    duration_ms: outcome.durationMs,
    execution_mode: outcome.executionMode,
    acceleration: outcome.acceleration === "kvm" ? "kvm" : "tcg",
    boot: outcome.boot,
    vm_id: outcome.vmId,
    cleanup: {
      deleted: outcome.cleanup.deleted,
      reason: outcome.cleanup.reason,
      vm_id: outcome.cleanup.vm_id,
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

/** Creates a VM record (nothing boots). @throws PyroError environment_not_installed */
export async function createVm(vms: VmManager, args: z.output<typeof CreateVmInputSchema>): Promise<R.Vm> {
  const record = await vms.create(args);
  return vmRecord(await vms.status(record.vm_id));
}

/** Boots a created VM. @throws PyroError vm_not_found, boot_failed */
export async function startVm(vms: VmManager, vmId: string): Promise<R.Vm> {
  await vms.start(vmId);
  return vmRecord(await vms.status(vmId));
}

/** Powers a VM off. @throws PyroError vm_not_found */
export async function stopVm(vms: VmManager, vmId: string): Promise<R.Vm> {
  await vms.stop(vmId);
  return vmRecord(await vms.status(vmId));
}

/** Kills the VM if running and removes its state. @throws PyroError vm_not_found */
export async function deleteVm(vms: VmManager, vmId: string): Promise<R.VmDelete> {
  const r = await vms.delete(vmId);
  return { deleted: r.deleted, reason: r.reason, vm_id: r.vm_id };
}

/** Record plus live supervisor state. @throws PyroError vm_not_found */
export async function statusVm(vms: VmManager, vmId: string): Promise<R.Vm> {
  return vmRecord(await vms.status(vmId));
}

/** Every VM under the state dir. */
export async function listVms(vms: VmManager): Promise<R.VmList> {
  return { vms: (await vms.list()).map(vmRecord) };
}

/** Network facts: addresses and TAP of a running VM with network, nulls otherwise. @throws PyroError vm_not_found */
export async function networkInfoVm(vms: VmManager, vmId: string): Promise<R.VmNetworkInfo> {
  const vm = await vms.status(vmId);
  const live = vm.state === "started" ? vm.network_info : null;
  return {
    vm_id: vm.vm_id,
    network_enabled: vm.network,
    guest_ip: live?.guest_ip ?? null,
    host_ip: live?.host_ip ?? null,
    tap_name: live?.interface ?? null,
  };
}

/**
 * Runs one command in a started VM, then deletes the VM (also on error and timeout).
 * @throws PyroError vm_not_found, vm_not_running, timeout
 */
export async function execVm(
  vms: VmManager,
  args: z.output<typeof ExecVmInputSchema>,
  hooks: Omit<ExecOptions, "command" | "timeoutSeconds">,
): Promise<R.VmExecResult> {
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
    vm_id: args.vmId,
    exit_code: result.exitCode,
    stdout: result.stdout,
    stderr: result.stderr,
    duration_ms: result.durationMs,
    timed_out: result.timedOut,
    cleanup: { deleted: cleanup.deleted, reason: cleanup.reason, vm_id: cleanup.vm_id },
  };
}

/** Deletes VMs, then workspaces, idle past their TTL. */
export async function reapExpired(vms: VmManager, ws: WorkspaceManager): Promise<R.ReapResult> {
  return { reaped: [...(await vms.reapExpired()), ...(await ws.reapExpired())] };
}
