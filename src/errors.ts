/**
 * The one error type of pyro. Every failure a caller can act on carries a stable `code`;
 * the CLI prints `error[CODE]: message`, MCP returns it as a tool error, the SDK throws it.
 * This module has no dependencies so every layer (vmm, agent, core, sdk) can throw it.
 */

/** Stable error codes. Adding one is a contract change (docs/troubleshooting.md). */
export const ERROR_CODES = [
  "invalid_argument",
  "usage",
  "environment_not_found",
  "environment_not_installed",
  "environment_build_failed",
  "registry_unreachable",
  "registry_auth_failed",
  "registry_error",
  "digest_mismatch",
  "vm_not_found",
  "vm_not_running",
  "workspace_not_found",
  "workspace_not_running",
  "workspace_not_stopped",
  "path_outside_workspace",
  "disk_full",
  "host_path_not_allowed",
  "file_not_found",
  "snapshot_not_found",
  "snapshot_protected",
  "patch_failed",
  "shell_not_found",
  "shell_not_running",
  "service_not_found",
  "service_exists",
  "secret_not_found",
  "published_ports_disabled",
  "port_in_use",
  "kvm_unavailable",
  "vmm_not_found",
  "vmm_unavailable",
  "vmm_failed",
  "vmm_crashed",
  "too_many_vms",
  "boot_failed",
  "guest_unreachable",
  "guest_protocol_mismatch",
  "timeout",
  "interrupted",
  "host_dependency_missing",
  "network_unavailable",
  "state_corrupt",
  "internal",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

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

  /** The JSON shape used by `--json` output and MCP tool errors. */
  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown>; hint?: string } {
    return {
      code: this.code,
      message: this.message,
      ...(Object.keys(this.details).length > 0 ? { details: this.details } : {}),
      ...(this.hint ? { hint: this.hint } : {}),
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
