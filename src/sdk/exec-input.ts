/**
 * The fast path of `execWorkspace`'s input check, without zod: `workspace exec` is the call an
 * agent makes most, each in a new CLI process, and loading zod with the operation schemas costs
 * more than the rest of its start-up. It accepts only what `ExecWorkspaceInputSchema` accepts
 * and returns what the schema returns (test/unit/sdk/exec-input.test.ts checks both against
 * the schema); for anything else it answers undefined and the caller validates with the
 * schema, which gives the usual `invalid_argument` error.
 */
import {
  COMMAND_STRING_RE,
  commandArgv,
  DEFAULT_TIMEOUT_SECONDS,
  MAX_TIMEOUT_SECONDS,
  SECRET_ENV_RE,
} from "../contract/defaults.js";

/**
 * The parsed exec input, defaults filled (the output type of ExecWorkspaceInputSchema):
 * `command` is the argv that runs (a string command became `sh -lc STRING`).
 */
export interface ExecInput {
  workspaceId: string;
  command: string[];
  timeoutSeconds: number;
  secretEnv: string[];
}

const KEYS = new Set(["workspaceId", "command", "timeoutSeconds", "secretEnv"]);

/** Strings only; an index loop, since `every` skips the holes of a sparse array. */
const isStrings = (v: unknown): v is string[] => {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== "string") return false;
  return true;
};

/** `input` parsed when it is plainly valid; undefined sends it to the zod schema. */
export function quickExecInput(input: unknown): ExecInput | undefined {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return undefined;
  const o = input as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!KEYS.has(key)) return undefined;
  const { workspaceId, command } = o;
  // Only undefined takes the default, as in zod (null is refused there).
  const timeoutSeconds = o.timeoutSeconds === undefined ? DEFAULT_TIMEOUT_SECONDS : o.timeoutSeconds;
  const secretEnv = o.secretEnv === undefined ? [] : o.secretEnv;
  if (typeof workspaceId !== "string" || workspaceId.length === 0) return undefined;
  const isCommandString = typeof command === "string" && COMMAND_STRING_RE.test(command);
  if (!isCommandString && (!isStrings(command) || command.length === 0)) return undefined;
  if (!Number.isInteger(timeoutSeconds)) return undefined;
  if ((timeoutSeconds as number) < 1 || (timeoutSeconds as number) > MAX_TIMEOUT_SECONDS) return undefined;
  if (!isStrings(secretEnv) || !secretEnv.every((s) => SECRET_ENV_RE.test(s))) return undefined;
  return {
    workspaceId,
    command: commandArgv(command as string | string[]),
    timeoutSeconds: timeoutSeconds as number,
    secretEnv: [...secretEnv],
  };
}
