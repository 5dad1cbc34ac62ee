/**
 * How the CLI reports a failure: the one `error[CODE]: message` line (or `{"error":{...}}` with
 * --json) and the exit status. Usage mistakes found while parsing are {@link UsageError}s, so
 * reporting them never loads the SDK; everything else becomes a PyroError first.
 */

/** A command-line mistake (unknown flag, bad value, missing `-- CMD`), reported as `error[usage]`, exit 2. */
export class UsageError extends Error {
  readonly code = "usage";
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/** What gets printed: a UsageError or a PyroError. */
interface Reported {
  code: string;
  message: string;
  hint?: string | undefined;
  stack?: string | undefined;
}

/**
 * Reports a commander parse failure (unknown flag, a value outside a flag's choices, flags that
 * exclude each other, extra arguments) as `error[usage]`, exit 2. With `--json` that is the JSON
 * error document, unless the failure is `--json` itself being refused (`--json --id-only`):
 * then it is the one line on stderr.
 */
export function printParseError(
  err: { code: string; message: string },
  json: boolean,
  verbose: boolean,
): Promise<number> {
  const message = err.message.replace(/^error: /, "");
  // `pyro workspace exec WS echo hi`: the guest command needs `--` before it.
  const hint =
    err.code === "commander.excessArguments"
      ? "put the guest command after --, e.g. `pyro workspace exec WS -- echo hi`"
      : "see `pyro --help`";
  const jsonRefused = err.code === "commander.conflictingOption" && message.includes("'--json'");
  return printError(new UsageError(message, hint), json && !jsonRefused, verbose);
}

/** Exit status for an error code: 2 for usage mistakes, 130 for Ctrl-C, 1 otherwise. */
export function exitCodeFor(code: string): number {
  if (code === "usage" || code === "invalid_argument") return 2;
  if (code === "interrupted") return 130;
  return 1;
}

/** Prints `error[CODE]: message` (and a hint) on stderr, or `{"error":{...}}` on stdout with --json. */
export async function printError(err: unknown, json: boolean, verbose: boolean): Promise<number> {
  let e: Reported;
  if (err instanceof UsageError) e = err;
  else {
    // Loaded only here: a usage error should not cost the SDK's start-up.
    const { PyroError, toPyroError } = await import("../errors.js");
    e = err instanceof PyroError ? err : toPyroError(err);
  }
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ error: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) } }, null, 2)}\n`,
    );
  } else {
    const oneLine = e.message.split("\n")[0];
    process.stderr.write(`error[${e.code}]: ${oneLine}\n`);
    if (e.hint) process.stderr.write(`hint: ${e.hint}\n`);
    if (verbose && e.message.includes("\n")) process.stderr.write(`${e.message}\n`);
    if (verbose && e.code === "internal" && e.stack) process.stderr.write(`${e.stack}\n`);
  }
  return exitCodeFor(e.code);
}
