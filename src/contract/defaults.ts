/**
 * Contract defaults shared by the zod schemas (common.ts re-exports them) and the
 * zod-free fast paths, which must not load zod to know them.
 */

/** Virtual CPUs of a new VM or workspace. */
export const DEFAULT_VCPU_COUNT = 1;
/** Guest memory of a new VM or workspace, in MiB. */
export const DEFAULT_MEM_MIB = 1024;
/** Workspace disk size in MiB (sparse: the host stores only what the guest writes). */
export const DEFAULT_DISK_MIB = 8192;
/** Command time limit, in seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 30;
/** Idle time before a VM or workspace is reaped, in seconds. */
export const DEFAULT_TTL_SECONDS = 600;
/** Most forks one `workspace fork` makes (each is a running VM). */
export const MAX_FORK_COUNT = 8;
/** Largest command time limit, in seconds (one day). */
export const MAX_TIMEOUT_SECONDS = 86_400;

/** `NAME` or `NAME=ENV_VAR` of `secretEnv` (the schema and the exec fast path share it). */
export const SECRET_ENV_RE = /^[A-Za-z_][A-Za-z0-9_]{0,63}(=[A-Za-z_][A-Za-z0-9_]*)?$/;

/**
 * How a command given as one string runs: `sh -lc STRING` (a login shell, so pipes, `&&`,
 * globs and the guest's profile PATH work). An argv array runs as given.
 */
export const SHELL_COMMAND_PREFIX: readonly string[] = ["sh", "-lc"];

/**
 * A `command` as the argv that runs: an array as given (copied); a string that is a JSON
 * array of strings (`["make", "test"]`) as that array; any other string as
 * {@link SHELL_COMMAND_PREFIX} + the string. The JSON case is for clients that fill a
 * string-or-array argument from text (the MCP Inspector CLI's `--tool-arg` does) and models
 * that JSON-encode an array; as shell code such text would not run anyway (`[` is `test`).
 * The recorded command (history, results) is this argv: a shell string shows as
 * `["sh", "-lc", STRING]`.
 */
export function commandArgv(command: string | readonly string[]): string[] {
  if (typeof command !== "string") return [...command];
  const argv = jsonArgv(command);
  return argv ?? [...SHELL_COMMAND_PREFIX, command];
}

/** `text` as a non-empty JSON array of strings, or undefined. */
function jsonArgv(text: string): string[] | undefined {
  if (!text.trimStart().startsWith("[")) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.every((v) => typeof v === "string") ? (value as string[]) : undefined;
}

/** A string command must hold something to run (the schema and the exec fast path share it). */
export const COMMAND_STRING_RE = /\S/;
