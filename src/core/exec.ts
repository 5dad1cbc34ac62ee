/**
 * Runs one command in a VM through its supervisor (which proxies to the agent's /v1/exec),
 * streaming output to callbacks as NDJSON events arrive.
 */
import type { Readable } from "node:stream";
import { type ExecExit, eventBytes, readExecEvents } from "../agent/exec-events.js";
import type { ExecSpec } from "../agent/protocol.js";
import { PyroError } from "../errors.js";
import { expectOk, type SupervisorClient } from "../supervisor/client.js";
import { EXEC_ERROR_TRAILER, type SupervisorErrorBody } from "../supervisor/protocol.js";

/** Output kept in memory per stream; the rest is still streamed to the callbacks. */
export const MAX_CAPTURED_BYTES = 16 * 1024 * 1024;

/** Grace on top of the guest-side timeout before the host gives up on the agent, in ms. */
const HOST_TIMEOUT_GRACE_MS = 15_000;

export interface ExecOptions {
  /** argv, boundaries kept exactly. */
  command: string[];
  /** Guest-side limit; the whole process group is killed after it. */
  timeoutSeconds: number;
  env?: Record<string, string>;
  cwd?: string;
  stdin?: Readable;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  signal?: AbortSignal;
  /** Environment variables the agent sets to secret values: `{ENV_VAR: SECRET_NAME}`. */
  secretEnv?: Record<string, string>;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Time the command ran in the guest, in ms. */
  durationMs: number;
  timedOut: boolean;
  /** Signal name when the command was killed by one (e.g. "KILL"), else "". */
  signal: string;
  /** True when more output arrived than {@link MAX_CAPTURED_BYTES} kept. */
  truncated: boolean;
}

class Capture {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  add(chunk: Buffer): void {
    if (this.size + chunk.length > MAX_CAPTURED_BYTES) {
      this.truncated = true;
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}

/**
 * JSON with every non-ASCII character as a `\uXXXX` escape: HTTP header values are Latin-1,
 * so UTF-8 argv would be refused or corrupted; JSON decoders turn the escapes back.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** @throws PyroError guest_unreachable, vm_not_running, timeout (host-side guard), interrupted */
export async function execInVm(client: SupervisorClient, options: ExecOptions): Promise<ExecResult> {
  const spec: ExecSpec = {
    argv: options.command,
    timeout_ms: Math.round(options.timeoutSeconds * 1000),
    ...(options.env ? { env: options.env } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stdin: options.stdin !== undefined,
    ...(options.secretEnv ? { secret_env: options.secretEnv } : {}),
  };
  const guard = new AbortController();
  const timer = setTimeout(() => guard.abort(), spec.timeout_ms + HOST_TIMEOUT_GRACE_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, guard.signal]) : guard.signal;
  try {
    const res = await client.request("POST", "/v1/agent/exec", {
      headers: { "pyro-exec": asciiJson(spec) },
      body: options.stdin ?? "",
      signal,
    });
    await expectOk(res);
    const out = new Capture();
    const err = new Capture();
    let exit: ExecExit | undefined;
    for await (const event of readExecEvents(res.body)) {
      if (event.type === "stdout" || event.type === "stderr") {
        const bytes = eventBytes(event);
        (event.type === "stdout" ? out : err).add(bytes);
        (event.type === "stdout" ? options.onStdout : options.onStderr)?.(bytes);
      } else if (event.type === "exit") {
        // The last event. Stop here rather than wait for the stream's end: with stdin still
        // streaming (`-i`) the supervisor only ends the answer once the request body ends.
        exit = event;
        break;
      }
    }
    if (!exit) {
      // The supervisor ends a broken exec stream cleanly and says why in a trailer.
      const broke = parseTrailer(res.body.trailers[EXEC_ERROR_TRAILER]);
      throw new PyroError(
        "guest_unreachable",
        broke?.message ?? "the guest agent closed the exec stream without an exit status",
        {
          details: broke ? { upstream_code: broke.code } : {},
          hint: "see `workspace status` for the VM's state",
        },
      );
    }
    return {
      exitCode: exit.exit_code,
      stdout: out.text(),
      stderr: err.text(),
      durationMs: exit.duration_ms,
      timedOut: exit.timed_out,
      signal: exit.signal,
      truncated: out.truncated || err.truncated,
    };
  } catch (e) {
    if (guard.signal.aborted) {
      throw new PyroError(
        "timeout",
        `the guest did not finish within ${options.timeoutSeconds} s and stopped answering`,
      );
    }
    if (options.signal?.aborted) throw new PyroError("interrupted", "command interrupted");
    if (isConnectionCut(e)) {
      throw new PyroError("guest_unreachable", "the VM's supervisor went away while the command ran", {
        cause: e,
        hint: "see `workspace status` for the VM's state",
      });
    }
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** The trailer's `{code, message}`, when present and well-formed. */
function parseTrailer(value: string | undefined): SupervisorErrorBody | undefined {
  try {
    const body = value ? (JSON.parse(value) as SupervisorErrorBody) : undefined;
    return typeof body?.message === "string" ? body : undefined;
  } catch {
    return undefined;
  }
}

/** A reset socket or an answer cut mid-body: the supervisor process died. */
function isConnectionCut(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException | undefined;
  return e?.code === "ECONNRESET" || e?.code === "EPIPE" || e?.message === "aborted";
}
