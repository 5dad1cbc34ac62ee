/** What every command gets: the SDK (loaded on first use), the argv after `--`, and the abort signal. */
import type { Pyro } from "../sdk/pyro.js";
import { UsageError } from "./errors.js";

export interface CliContext {
  /**
   * The SDK client, created on first use: `--help` and usage errors never touch the host, and
   * only a command that calls the SDK pays for loading it.
   */
  pyro(): Promise<Pyro>;
  /** argv after the first `--`, or undefined when there was none. */
  guestArgv: string[] | undefined;
  /** Aborted on the first SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** Set by an action: the process exit status. */
  exitCode: number;
}

export function createContext(guestArgv: string[] | undefined, signal: AbortSignal): CliContext {
  let pyro: Promise<Pyro> | undefined;
  return {
    pyro: () => {
      // The facade, not the package entry: that one also exports the zod schemas.
      pyro ??= import("../sdk/pyro.js").then((sdk) => new sdk.Pyro());
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
    throw new UsageError(`missing \`-- COMMAND...\`: put the guest command after --, e.g. \`${example}\``);
  }
  return ctx.guestArgv;
}
