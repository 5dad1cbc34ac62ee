/**
 * One-shot run: create a VM, start it, exec one command, delete it, whatever happens
 * (error, timeout, abort). Progress phases are reported for `[run] phase=...` lines.
 */
import type { Readable } from "node:stream";
import { PyroError } from "../errors.js";
import { resolveEnvironment } from "./environments/local.js";
import type { ExecResult } from "./exec.js";
import type { StartReport, TemplateEvent } from "./templates/start.js";
import { traceMark } from "./trace.js";
import type { VmManager } from "./vm-manager.js";

export type RunPhase = "create" | "template" | "start" | "execute" | "cleanup";

export interface RunOptions {
  environment: string;
  command: string[];
  vcpuCount: number;
  memMib: number;
  timeoutSeconds: number;
  ttlSeconds: number;
  network: boolean;
  /** Boot cold even when a VM template is usable. */
  cold?: boolean;
  onPhase?: (phase: RunPhase, fields: Record<string, string | number>) => void;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  signal?: AbortSignal;
  /** Streamed to the command's stdin (the CLI's `-i`); absent = empty stdin. */
  stdin?: Readable;
}

export interface RunOutcome {
  vmId: string;
  result: ExecResult;
  executionMode: string;
  acceleration: string;
  /** Restored from a VM template, or booted cold. */
  boot: "restored" | "cold";
  /** Wall time from create to cleanup done, in ms. */
  durationMs: number;
  cleanup: { deleted: boolean; reason: string; vm_id: string };
}

export async function runOnce(vms: VmManager, options: RunOptions): Promise<RunOutcome> {
  const started = Date.now();
  traceMark("run_start");
  const checkAbort = () => {
    if (options.signal?.aborted) throw new PyroError("interrupted", "run interrupted");
  };
  await resolveEnvironment(vms.config.cacheDir, options.environment); // an unknown name fails before any phase line
  options.onPhase?.("create", { environment: options.environment });
  const record = await vms.create(options);
  let cleanupReason = "completed";
  let report: StartReport | undefined;
  try {
    checkAbort();
    options.onPhase?.("start", { vm_id: record.vm_id });
    const abortStart = () => void vms.abortBoot(record.vm_id);
    options.signal?.addEventListener("abort", abortStart, { once: true });
    let startedRecord: Awaited<ReturnType<VmManager["start"]>>;
    const onTemplate = (event: TemplateEvent) => options.onPhase?.("template", event);
    try {
      // Tied to this process: a run whose caller is killed (even with -9) leaves no VM running.
      startedRecord = await vms.start(record.vm_id, process.pid, {
        cold: options.cold ?? false,
        onTemplate,
        onStarted: (r) => {
          report = r;
        },
      });
    } finally {
      options.signal?.removeEventListener("abort", abortStart);
    }
    checkAbort();
    options.onPhase?.("execute", {
      vm_id: record.vm_id,
      acceleration: startedRecord.acceleration ?? "",
      boot: report?.boot ?? "cold",
      ...(report?.template ? { template: report.template } : {}),
      ...(report?.reason ? { reason: report.reason } : {}),
    });
    traceMark("exec_request");
    const result = await vms.exec(record.vm_id, {
      command: options.command,
      timeoutSeconds: options.timeoutSeconds,
      onStdout: options.onStdout,
      onStderr: options.onStderr,
      signal: options.signal,
      ...(options.stdin ? { stdin: options.stdin } : {}),
    });
    traceMark("exec_done", { duration_ms: result.durationMs });
    if (result.timedOut) cleanupReason = "timeout";
    const cleanup = await vms.delete(record.vm_id, cleanupReason);
    traceMark("teardown_done");
    // A template that failed is built again now that this run's VM is gone (one guest at a time).
    if (report?.rebuild) await vms.rebuildTemplate(record.environment, report.rebuild, onTemplate);
    return {
      vmId: record.vm_id,
      result,
      executionMode: startedRecord.execution_mode,
      acceleration: startedRecord.acceleration ?? "tcg",
      boot: report?.boot ?? "cold",
      durationMs: Date.now() - started,
      cleanup,
    };
  } catch (err) {
    cleanupReason = options.signal?.aborted ? "interrupted" : "error";
    await vms.delete(record.vm_id, cleanupReason).catch(() => undefined);
    if (options.signal?.aborted)
      throw new PyroError("interrupted", `run interrupted; VM "${record.vm_id}" deleted`);
    throw err;
  }
}
