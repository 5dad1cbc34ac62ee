/**
 * The one error type of pyro. Every failure a caller can act on carries a stable `code` from
 * the table in error-codes.ts; the CLI prints `error[CODE]: message`, MCP returns it as a tool
 * error, the SDK throws it, all three through {@link errorBody}. This module imports only that
 * table, so every layer (vmm, agent, core, sdk) can throw it.
 */
import { ERROR_TABLE, type ErrorCode } from "./error-codes.js";

export { ERROR_CODES, ERROR_TABLE, type ErrorCode } from "./error-codes.js";

/** Options for {@link PyroError}. `details` is structured data callers may branch on. */
export interface PyroErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
  /** A short next step for a human, appended by the CLI as `hint: ...`. */
  hint?: string;
}

/** Base class of every error pyro throws on purpose. */
export class PyroError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: PyroErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
    this.hint = options.hint;
  }

  /** {@link errorBody} plus `details` (when there are any), e.g. for `JSON.stringify(err)`. */
  toJSON(): ErrorBody & { details?: Record<string, unknown> } {
    return {
      ...errorBody(this),
      ...(Object.keys(this.details).length > 0 ? { details: this.details } : {}),
    };
  }
}

/** Thrown for bad input: a user mistake, never a bug. CLI exit code 2 when it is a usage error. */
export class InvalidArgumentError extends PyroError {
  constructor(message: string, options: PyroErrorOptions = {}) {
    super("invalid_argument", message, options);
  }
}

/** Thrown when a command exceeds its time budget (`timeoutSeconds`). */
export class TimeoutError extends PyroError {
  constructor(message: string, options: PyroErrorOptions = {}) {
    super("timeout", message, options);
  }
}

/** Wraps anything that is not a PyroError so callers always see a code. */
export function toPyroError(err: unknown): PyroError {
  if (err instanceof PyroError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new PyroError("internal", message, { cause: err });
}

/** What every surface shows of an error: `{ code, message, hint? }`. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  hint?: string;
}

/**
 * The JSON of an error: the `error` object of the CLI's `--json` output and of an MCP tool
 * error. The one place it is built. Stacks and `details` are never part of it.
 */
export function errorBody(e: { code: ErrorCode; message: string; hint?: string | undefined }): ErrorBody {
  return { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
}

/**
 * The text of an error: `error[CODE]: message`, then `hint: ...` on a line of its own when
 * there is a hint. `firstLine` keeps only the message's first line (the CLI's stderr; the rest
 * comes with --verbose). No trailing newline.
 */
export function errorText(body: ErrorBody, firstLine = false): string {
  const message = firstLine ? body.message.split("\n")[0] : body.message;
  return `error[${body.code}]: ${message}${body.hint ? `\nhint: ${body.hint}` : ""}`;
}

/** Exit status of a `pyro` command that fails with `code` (ERROR_TABLE; 1 for a code not in it). */
export function exitStatus(code: string): number {
  return (ERROR_TABLE as Record<string, { exit: number } | undefined>)[code]?.exit ?? 1;
}
