/**
 * `workspace exec`, the hot path of an agent's loop: run one command in /workspace through the
 * supervisor, then append it to the history. Two execs may run at once; only the history
 * append is serialised (under the workspace lock).
 */
import type { Readable } from "node:stream";
import type { WorkspaceExecResult } from "../../contract/records/workspace.js";
import { PyroError, TimeoutError } from "../../errors.js";
import { imageExecDefaults } from "../environments/local.js";
import { type ExecResult, execInVm } from "../exec.js";
import { machineClient } from "../machine.js";
import { traceMark } from "../trace.js";
import { appendHistory, capOutput, type HistoryEntry } from "./history.js";
import type { WorkspaceManager } from "./manager.js";
import { readWorkspaceHead } from "./record.js";
import { secretEnv } from "./secrets.js";
import { requireRunning } from "./workspace-view.js";

export interface WorkspaceExecOptions {
  command: string[];
  timeoutSeconds: number;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  signal?: AbortSignal;
  /** Streamed to the command's stdin (the CLI's `-i`); absent = empty stdin. */
  stdin?: Readable;
  /** `NAME[=ENV_VAR]`: secrets exposed to this command as environment variables. */
  secretEnv?: string[];
}

/**
 * Runs `options.command` in workspace `id` and records it; `command` in the answer is the argv
 * as recorded (secrets redacted).
 * @throws PyroError workspace_not_running, guest_unreachable, timeout, secret_not_found
 */
export async function execInWorkspace(
  ws: WorkspaceManager,
  id: string,
  options: WorkspaceExecOptions,
): Promise<{ result: ExecResult; sequence: number; command: string[] }> {
  traceMark("exec_start");
  // Hot path: no liveness round trip first; a VM that is down fails the exec request itself.
  const { head: record } = await readWorkspaceHead(ws.config.stateDir, id);
  if (record.state !== "started") await ws.requireRunning(id);
  const startedAt = new Date().toISOString();
  const { secretEnv: specs, ...rest } = options;
  const env = specs?.length
    ? secretEnv(
        specs,
        record.secrets.map((x) => x.name),
      )
    : undefined;
  let result: ExecResult;
  traceMark("exec_request");
  try {
    // A container image's Env applies; workspace commands always run in /workspace.
    const image = await imageExecDefaults(ws.config.cacheDir, record.environment);
    result = await execInVm(machineClient(ws.paths(id)), {
      ...rest,
      ...(image.env ? { env: image.env } : {}),
      cwd: "/workspace",
      ...(env ? { secretEnv: env } : {}),
    });
  } catch (err) {
    // Name why (paused or stopped meanwhile, crashed), without resuming: a pause by another
    // process during this command was asked for.
    if (err instanceof PyroError && err.code === "vm_not_running")
      await requireRunning(ws.config.stateDir, id);
    throw err;
  }
  traceMark("exec_done", { duration_ms: result.durationMs });
  // The agent redacted output as it streamed; the host pass also covers argv. Without
  // secrets (the common case) the hot path reads no secrets file.
  let command = options.command;
  if (record.secrets.length > 0) {
    const redact = await ws.redactor(id);
    result = redact.deep(result);
    command = redact.deep(command);
  }
  let sequence = 0;
  await ws.mutateHead(id, async (r) => {
    r.command_count += 1;
    sequence = r.command_count;
    const out = capOutput(result.stdout);
    const err = capOutput(result.stderr);
    const entry: HistoryEntry = {
      sequence,
      command,
      cwd: "/workspace",
      exit_code: result.exitCode,
      timed_out: result.timedOut,
      duration_ms: result.durationMs,
      started_at: startedAt,
      stdout: out.text,
      stderr: err.text,
      output_truncated: out.truncated || err.truncated || result.truncated,
    };
    await appendHistory(ws.paths(id).history, entry);
  });
  traceMark("exec_recorded");
  return { result, sequence, command };
}

/**
 * `workspace exec` as the SDK offers it: resolves `workspaceId` (id or name), runs the command
 * (see {@link execInWorkspace}) and answers with its record. Errors carry no secret value.
 * @throws PyroError workspace_not_found, workspace_not_running, timeout (the process group
 *   was killed; the command is in the history), secret_not_found
 */
export async function execWorkspace(
  ws: WorkspaceManager,
  args: Omit<WorkspaceExecOptions, "command" | "timeoutSeconds"> & {
    workspaceId: string;
    command: string[];
    timeoutSeconds: number;
  },
): Promise<WorkspaceExecResult> {
  const { workspaceId, ...options } = args;
  const id = await ws.resolve(workspaceId);
  const { result, sequence, command } = await execInWorkspace(ws, id, options).catch(async (err: unknown) => {
    throw (await ws.redactor(id)).error(err);
  });
  if (result.timedOut) {
    throw new TimeoutError(`command timed out after ${args.timeoutSeconds} s in workspace "${id}"`, {
      details: { timeout_seconds: args.timeoutSeconds, workspace_id: id, sequence },
    });
  }
  return {
    workspace_id: id,
    sequence,
    command,
    cwd: "/workspace",
    exit_code: result.exitCode,
    stdout: result.stdout,
    stderr: result.stderr,
    duration_ms: result.durationMs,
    execution_mode: "guest_virtio_serial",
  };
}
