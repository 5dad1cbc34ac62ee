/** What every command gets: the SDK, output mode, and the argv after `--`. */
import { readFile } from "node:fs/promises";
import { Pyro, PyroError } from "../sdk/index.js";

export interface CliContext {
  /** Created lazily so `--help` and usage errors never touch the host. */
  pyro(): Pyro;
  /** argv after the first `--`, or undefined when there was none. */
  guestArgv: string[] | undefined;
  /** Aborted on the first SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** Set by an action: the process exit status. */
  exitCode: number;
}

export function createContext(guestArgv: string[] | undefined, signal: AbortSignal): CliContext {
  let pyro: Pyro | undefined;
  return {
    pyro: () => {
      pyro ??= new Pyro();
      return pyro;
    },
    guestArgv,
    signal,
    exitCode: 0,
  };
}

/** The command after `--`; a usage error when it is missing or empty. */
export function requireGuestCommand(ctx: CliContext, example: string): string[] {
  if (!ctx.guestArgv || ctx.guestArgv.length === 0) {
    throw new PyroError(
      "usage",
      `missing \`-- COMMAND...\`: put the guest command after --, e.g. \`${example}\``,
    );
  }
  return ctx.guestArgv;
}

/** Commander option parser for integer flags: a non-number is a usage error naming the flag. */
export function intOption(flag: string) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value.trim())) {
      throw new PyroError("usage", `${flag} expects a whole number, got "${value}"`);
    }
    return Number(value);
  };
}

/** Reads a host file named by a flag; a missing or unreadable file is a usage error naming both. */
export async function readFlagFile(flag: string, path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new PyroError("invalid_argument", `cannot read ${flag} "${path}": ${why}`);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new PyroError(
      "invalid_argument",
      `${flag} "${path}" is not UTF-8 text; use sync push for binary files`,
    );
  }
}
