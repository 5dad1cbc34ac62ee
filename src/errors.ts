/**
 * The one error type of pyro and the one table of its codes. Every failure a caller can act on
 * carries a stable `code` from {@link ERROR_TABLE}: for each code, the CLI's exit status and the
 * one-line fix docs/troubleshooting.md gives (a unit test holds the two together). Every
 * surface reports an error through {@link errorBody}: the CLI prints `error[CODE]: message` (or
 * `{"error":{...}}` with --json) and exits with the code's `exit`; MCP answers with an
 * `isError` tool result carrying the same `{ error: { code, message, hint? } }` (for every code
 * alike: a failed tool call is a result the model reads, never a protocol error); the SDK
 * throws a PyroError. Codes the guest agent and the supervisor put on the wire are mapped in
 * {@link WIRE_CODES}. This module imports nothing, so every layer (agent, core, sdk) can use it.
 */

/** What one code means to callers. */
export interface ErrorCodeSpec {
  /** Exit status of a `pyro` command that fails with this code. */
  readonly exit: 1 | 2 | 130;
  /** The next step, as docs/troubleshooting.md's "fix" column gives it (Markdown). */
  readonly fix: string;
}

/** Every stable error code. Adding one is a contract change (docs/troubleshooting.md). */
export const ERROR_TABLE = {
  usage: { exit: 2, fix: "see `pyro <command> --help`" },
  invalid_argument: { exit: 2, fix: "use a value in the documented range" },
  environment_not_found: { exit: 1, fix: "`pyro env list`; check the reference" },
  environment_not_installed: { exit: 1, fix: "`pyro env pull ENV`" },
  environment_build_failed: {
    exit: 1,
    fix: "read the log named in the message (`build.log`, `rootfs.ext4.log`), check `PYRO_DEBIAN_MIRROR`; for the kernel run `apt-get update`, pin a package with `PYRO_KERNEL_PACKAGE`, or compile one with `PYRO_KERNEL=custom`",
  },
  registry_unreachable: {
    exit: 1,
    fix: "check the address and that the registry runs; a plain-HTTP registry on this machine needs `PYRO_REGISTRY_INSECURE=1`",
  },
  registry_auth_failed: {
    exit: 1,
    fix: "`podman login` / `docker login` (pyro reads their credential files; credential helpers are not run), or check the repository name",
  },
  registry_error: { exit: 1, fix: "read the message; push the environment again" },
  digest_mismatch: { exit: 1, fix: "push again; check what sits between you and the registry" },
  host_dependency_missing: { exit: 1, fix: "`bash scripts/setup.sh`, or `npm run build`" },
  network_unavailable: {
    exit: 1,
    fix: "`pyro doctor` (Networking line); run as root, `modprobe tun`, `apt-get install nftables`, or set `PYRO_NET_POOL`; or use `--network-policy off`",
  },
  workspace_not_found: { exit: 1, fix: "`pyro workspace list`" },
  workspace_not_running: { exit: 1, fix: "`pyro workspace start WS`, or `reset`, or delete it" },
  workspace_not_stopped: { exit: 1, fix: "`pyro workspace stop WS` first" },
  workspace_paused: { exit: 1, fix: "`pyro workspace resume WS`" },
  workspace_not_paused: {
    exit: 1,
    fix: "`pyro workspace start WS` boots a stopped workspace; delete a failed one",
  },
  name_taken: {
    exit: 1,
    fix: "pick another name, or rename (`pyro workspace update WS --name NEW`) or delete the workspace that has it",
  },
  path_outside_workspace: { exit: 1, fix: "use a path inside `/workspace`; fix the archive" },
  host_path_not_allowed: {
    exit: 1,
    fix: "run `pyro mcp serve` in that directory or pass `--allowed-root DIR`",
  },
  file_not_found: { exit: 1, fix: "`pyro workspace file list WS`" },
  patch_failed: { exit: 1, fix: "regenerate the patch against the current files" },
  snapshot_not_found: { exit: 1, fix: "`pyro workspace snapshot list WS`" },
  snapshot_protected: { exit: 1, fix: "none: diff and reset need it" },
  disk_full: {
    exit: 1,
    fix: "delete files in the guest (`workspace exec WS -- rm ...`), or create the workspace with a larger `--disk-mib` (default 8192; `workspace status` shows the size)",
  },
  shell_not_found: { exit: 1, fix: "`pyro workspace shell list WS`" },
  shell_not_running: { exit: 1, fix: "open a new shell" },
  service_not_found: { exit: 1, fix: "`pyro workspace service list WS`" },
  service_exists: { exit: 1, fix: "stop it first or pick another name" },
  secret_not_found: {
    exit: 1,
    fix: "secrets are fixed at create: `--secret NAME=VALUE` or `--secret-file NAME=PATH`; see `workspace status` for the names",
  },
  published_ports_disabled: {
    exit: 1,
    fix: "create the workspace with `--network-policy egress+published-ports`",
  },
  port_in_use: { exit: 1, fix: "pick another host port, or omit it for a free one" },
  vm_not_found: { exit: 1, fix: "`listVms()`" },
  vm_not_running: { exit: 1, fix: "`startVm`, or delete it" },
  vmm_not_found: { exit: 1, fix: "install `qemu-system-x86`" },
  vmm_unavailable: {
    exit: 1,
    fix: "use `auto` or `qemu`, install `qemu-system-x86` or set `PYRO_QEMU_BINARY` (`pyro doctor` lists every VMM and why one is unavailable)",
  },
  vmm_failed: { exit: 1, fix: "`logs/sv.log` in the VM dir" },
  vmm_crashed: {
    exit: 1,
    fix: "`pyro workspace start WS` boots it again with /workspace intact; see `logs/console.log` and `logs/sv.log`",
  },
  too_many_vms: { exit: 1, fix: "stop or delete one (`pyro workspace stop WS`), or raise the limit" },
  save_failed: {
    exit: 1,
    fix: "`logs/sv.log` in the workspace directory says why (often a full disk); the VM keeps running as it was: a fork's parent, and a workspace whose pause failed (an idle-TTL pause stops it cleanly instead)",
  },
  boot_failed: {
    exit: 1,
    fix: "the message quotes the console tail; `logs/console.log`; `pyro env pull ENV` repairs a corrupted kernel or modules archive",
  },
  guest_unreachable: {
    exit: 1,
    fix: "`pyro workspace start WS` brings a workspace back; see `logs/console.log` and `logs/sv.log`",
  },
  guest_protocol_mismatch: {
    exit: 1,
    fix: "for a workspace started by another pyro build, `pyro workspace stop WS` then `start`; else `npm run build:agent`, or point `PYRO_AGENT_PATH` at a current build; with pyro's own agent, a guest that tampers with its agent: delete the workspace",
  },
  timeout: { exit: 1, fix: "raise the limit" },
  interrupted: { exit: 130, fix: "none" },
  kvm_unavailable: { exit: 1, fix: "unset `PYRO_ACCEL`" },
  state_corrupt: { exit: 1, fix: "delete the VM" },
  internal: { exit: 1, fix: "rerun with `--verbose` and report it" },
} as const satisfies Record<string, ErrorCodeSpec>;

export type ErrorCode = keyof typeof ERROR_TABLE;

/** The codes of {@link ERROR_TABLE}, in its order. */
export const ERROR_CODES = Object.keys(ERROR_TABLE) as readonly ErrorCode[];

/**
 * Codes the guest agent (guest/internal/api/errors.go) and the supervisor
 * (host/internal/api/errors.go, protocol.Code*) answer with, and the pyro code each becomes
 * on the host. `null`: whatever the route looks up is missing, and the caller says which code
 * that is (`file_not_found`, `shell_not_found`, `service_not_found`). A code not listed
 * becomes `internal`. The golden lists protocol/guest/error_codes.json and
 * protocol/supervisor/error_codes.json, which the Go tests write from the Go tables, must
 * name exactly these keys.
 */
export const WIRE_CODES = {
  // Both sides.
  invalid_argument: "invalid_argument",
  internal: "internal",
  // The route is unknown: the agent or supervisor is from another pyro build.
  no_route: "guest_protocol_mismatch",
  // The guest agent.
  not_found: null,
  path_outside_workspace: "path_outside_workspace",
  disk_full: "disk_full",
  shell_not_running: "shell_not_running",
  service_exists: "service_exists",
  secret_not_found: "secret_not_found",
  // Read by the supervisor's port forwarder only; never expected on the host.
  connection_refused: "internal",
  // The supervisor.
  vm_not_running: "vm_not_running",
  guest_unreachable: "guest_unreachable",
  port_in_use: "port_in_use",
  boot_failed: "boot_failed",
  guest_protocol_mismatch: "guest_protocol_mismatch",
  vmm_crashed: "vmm_crashed",
  vmm_unavailable: "vmm_unavailable",
  save_failed: "save_failed",
} as const satisfies Record<string, ErrorCode | null>;

export type WireCode = keyof typeof WIRE_CODES;

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
