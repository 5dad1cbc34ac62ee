/**
 * Client side of the supervisor (the Go binary built from host/): launching one (detached, so
 * it outlives the CLI) and calling its Unix socket API (host/internal/api). Used by core.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import http from "node:http";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { type ErrorCode, PyroError, WIRE_CODES, type WireCode } from "../errors.js";
import {
  MAX_JSON_ANSWER_BYTES,
  parseJsonAnswer,
  protocolViolation,
  readBoundedBody,
  routeOf,
} from "./answers.js";
import type { ShutdownRequest, SupervisorState } from "./protocol.js";

/** Codes the supervisor's launch line may carry, as pyro error codes. */
const LAUNCH_CODES: Record<string, ErrorCode> = {
  vmm_unavailable: "vmm_unavailable", // the VMM binary is missing, or the driver does not exist yet
  invalid_argument: "invalid_argument",
};

/**
 * Starts the supervisor binary (`dist/host/pyro-supervisor <configPath>`) detached, with
 * stderr to `logPath`, and resolves with its pid once it printed `ok <pid>` (its socket is
 * listening).
 * @throws PyroError vmm_unavailable (VMM or driver not available), invalid_argument (config refused),
 *   host_dependency_missing (the binary is not built), vmm_failed (anything else).
 */
export async function launchSupervisor(binary: string, configPath: string, logPath: string): Promise<number> {
  const logFd = openSync(logPath, "a", 0o600);
  const child = spawn(binary, [configPath], { detached: true, stdio: ["ignore", "pipe", logFd] });
  closeSync(logFd);
  const first = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as Readable });
    lines.once("line", (line) => {
      lines.close();
      resolve(line);
    });
    child.once("error", (err: NodeJS.ErrnoException) => reject(spawnError(binary, err)));
    // `close`, not `exit`: a supervisor that prints its error line and exits at once must
    // have that line read first.
    child.once("close", (code, signal) =>
      resolve(`error {"code":"vmm_failed","message":"supervisor exited with ${code ?? signal}"}`),
    );
  });
  child.stdout?.destroy();
  child.unref();
  if (first.startsWith("ok ")) return Number(first.slice(3));
  const parsed = JSON.parse(first.replace(/^error /, "")) as { code: string; message: string };
  throw new PyroError(
    LAUNCH_CODES[parsed.code] ?? "vmm_failed",
    `supervisor failed to start: ${parsed.message}`,
    {
      details: { log: logPath, supervisor_code: parsed.code },
    },
  );
}

/** A failed spawn of the supervisor binary: missing or not executable is host_dependency_missing. */
export function spawnError(binary: string, err: NodeJS.ErrnoException): Error {
  return err.code === "ENOENT" || err.code === "EACCES"
    ? new PyroError("host_dependency_missing", `the supervisor binary "${binary}" cannot run`, {
        cause: err,
        hint: "build it: npm run build:host (Go 1.26)",
      })
    : err;
}

export interface RawResponse {
  status: number;
  body: http.IncomingMessage;
  /** The request path (query included), for error messages. */
  path: string;
}

export class SupervisorClient {
  constructor(private readonly socketPath: string) {}

  /** Sends one request; a refused or missing socket is `vm_not_running`. */
  request(
    method: string,
    path: string,
    options: {
      headers?: Record<string, string>;
      body?: string | Buffer | Readable;
      signal?: AbortSignal;
      /** Give up (guest_unreachable) when no answer has started within this many ms; 0 = never. */
      timeoutMs?: number;
      /**
       * Give up (guest_unreachable) when no byte moves either way for this many ms, also in
       * the middle of a streamed answer: a stalled guest must not hang a file transfer.
       * Unset = no limit (exec and shells may be silent for as long as their command runs).
       */
      idleTimeoutMs?: number;
    } = {},
  ): Promise<RawResponse> {
    const timeout = options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined;
    const signal =
      timeout && options.signal ? AbortSignal.any([timeout, options.signal]) : (timeout ?? options.signal);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          socketPath: this.socketPath,
          path,
          method,
          headers: options.headers,
          agent: false,
          signal,
        },
        (res) => resolve({ status: res.statusCode ?? 0, body: res, path }),
      );
      if (options.idleTimeoutMs) {
        const ms = options.idleTimeoutMs;
        req.setTimeout(ms, () =>
          req.destroy(
            new PyroError("guest_unreachable", `the VM sent nothing for ${ms / 1000} s during ${path}`, {
              hint: "the guest may be hung; see `workspace status`, or reset the workspace",
            }),
          ),
        );
      }
      req.once("error", (err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT" || err.code === "ECONNREFUSED") {
          reject(new PyroError("vm_not_running", "the VM's supervisor is not running", { cause: err }));
        } else if (err.code?.startsWith("HPE_")) {
          // Node's HTTP parser refused the answer (e.g. headers past its 16 KiB): what the guest
          // sent through the proxy is not an HTTP answer pyro can take.
          reject(
            new PyroError("guest_protocol_mismatch", `the answer to ${path} is malformed: ${err.message}`, {
              cause: err,
              hint: "the guest's agent is not pyro's own (PYRO_AGENT_PATH) or the guest is compromised",
            }),
          );
        } else if (err.code === "ECONNRESET" || err.code === "EPIPE") {
          reject(
            new PyroError("guest_unreachable", `the VM's supervisor went away during ${path}`, {
              cause: err,
              hint: "see `workspace status` for how the VM ended",
            }),
          );
        } else if (timeout?.aborted) {
          reject(
            new PyroError(
              "guest_unreachable",
              `the VM did not answer ${path} within ${options.timeoutMs} ms`,
              {
                cause: err,
                hint: "the guest may be hung; delete or reset the workspace",
              },
            ),
          );
        } else if (err.name === "AbortError") {
          reject(new PyroError("interrupted", "request interrupted", { cause: err }));
        } else
          reject(
            new PyroError("internal", `supervisor request ${path} failed: ${err.message}`, { cause: err }),
          );
      });
      if (options.body === undefined) req.end();
      else if (typeof options.body === "string" || Buffer.isBuffer(options.body)) req.end(options.body);
      else {
        // Node holds the request head back until the first body byte; a stdin that sends nothing
        // yet (`exec -i` with an idle writer) must not keep the command from starting.
        req.flushHeaders();
        options.body.pipe(req);
      }
    });
  }

  /** Sends a request and parses the JSON answer; a non-2xx answer throws its PyroError. */
  /** Default time a JSON call may take before the VM counts as unreachable, in ms. */
  static readonly JSON_TIMEOUT_MS = 60_000;

  async json<T>(
    method: string,
    path: string,
    body?: unknown,
    notFound?: ErrorCode,
    timeoutMs: number = SupervisorClient.JSON_TIMEOUT_MS,
  ): Promise<T> {
    const res = await this.request(method, path, {
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs,
    });
    return readJson<T>(res, notFound);
  }

  /** The supervisor answers this itself (never the guest), so a short limit is safe. */
  status(): Promise<SupervisorState> {
    return this.json("GET", "/v1/status", undefined, undefined, 5_000);
  }

  /** Waits until boot settles. @throws PyroError boot_failed (or the boot error's code). */
  ready(): Promise<SupervisorState> {
    return this.json("GET", "/v1/ready", undefined, undefined, 0);
  }

  /** Saves the ready VM's state to `path` (RAM stays in its memory file), then ends it. */
  save(path: string): Promise<SupervisorState> {
    return this.json("POST", "/v1/save", { path }, undefined, 60_000);
  }

  /**
   * Saves the ready VM's state to `path` with its vCPUs stopped, copies its root disk to each
   * of `diskCopies` (new files) while they are still stopped, then runs it again: the VM and
   * its processes carry on. @throws PyroError save_failed (the copies are removed),
   * invalid_argument (a copy path exists), vm_not_running
   */
  checkpoint(path: string, diskCopies: string[], timeoutMs = 120_000): Promise<SupervisorState> {
    return this.json(
      "POST",
      "/v1/save",
      { path, keep_running: true, disk_copies: diskCopies },
      undefined,
      timeoutMs,
    );
  }

  shutdown(request: ShutdownRequest): Promise<SupervisorState> {
    return this.json("POST", "/v1/shutdown", request, undefined, (request.timeout_ms ?? 10_000) + 10_000);
  }
}

/** Throws the PyroError of a non-2xx answer (its `{error}` body read whole); 2xx passes. */
export async function expectOk(res: RawResponse, notFound?: ErrorCode): Promise<void> {
  if (res.status >= 300) await readJson(res, notFound);
}

/**
 * Reads a whole JSON answer (at most {@link MAX_JSON_ANSWER_BYTES}); a non-2xx one throws its
 * PyroError (see {@link errorFromBody}). The value's shape is the caller's to check.
 * @throws PyroError guest_protocol_mismatch (not JSON, too long), guest_unreachable (cut off)
 */
export async function readJson<T>(res: RawResponse, notFound?: ErrorCode): Promise<T> {
  const text = (await readBoundedBody(res.body, MAX_JSON_ANSWER_BYTES, res.path)).toString("utf8");
  const value = text ? parseJsonAnswer(text, res.path) : {};
  if (res.status >= 300) {
    if (!isErrorBody(value))
      throw protocolViolation(res.path, `is status ${res.status} without an error body`);
    throw errorFromBody(value, res.status, notFound, res.path);
  }
  return value as T;
}

/** `{error:{code?,message?}}` with string fields where present. */
function isErrorBody(value: unknown): boolean {
  const err = (value as { error?: unknown } | null)?.error as
    | { code?: unknown; message?: unknown }
    | undefined;
  return (
    typeof err === "object" &&
    err !== null &&
    ["string", "undefined"].includes(typeof err.code) &&
    ["string", "undefined"].includes(typeof err.message)
  );
}

/**
 * Turns an `{error:{code,message}}` body into a PyroError, through WIRE_CODES (a code not in
 * it becomes `internal`). The agent's `not_found` names whatever the route looks up, so the
 * caller says which code that is (`notFound`); `no_route` means the agent (a `/v1/agent/`
 * path) or the supervisor does not know the route, i.e. it comes from another pyro build.
 */
export function errorFromBody(
  value: unknown,
  status: number,
  notFound: ErrorCode = "file_not_found",
  path = "",
): PyroError {
  const err = (value as { error?: { code?: string; message?: string } } | null)?.error;
  const upstream = err?.code ?? "";
  const code = Object.hasOwn(WIRE_CODES, upstream) ? WIRE_CODES[upstream as WireCode] : "internal";
  const message = err?.message ?? `supervisor answered ${status}`;
  const details = { status, upstream_code: err?.code };
  if (upstream === "no_route") return noRoute(message, path, details);
  return new PyroError(code ?? notFound, message, { details });
}

/** A route the other side does not know: its build is older or newer than this pyro's. */
function noRoute(message: string, path: string, details: Record<string, unknown>): PyroError {
  const agent = path.startsWith("/v1/agent/");
  const who = agent ? "the guest agent" : "the VM's supervisor";
  return new PyroError(
    "guest_protocol_mismatch",
    `${who} does not know this request (${message}): it comes from another pyro build`,
    {
      details: { ...details, route: routeOf(path) },
      hint: "stop and start the workspace (or VM) so it runs this pyro's agent and supervisor",
    },
  );
}
