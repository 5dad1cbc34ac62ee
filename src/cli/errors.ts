/**
 * How the CLI reports a failure: the one `error[CODE]: message` line (or `{"error":{...}}` with
 * --json) and the exit status, from errors.ts's errorBody and the error table. Usage mistakes
 * found while parsing are {@link UsageError}s, so reporting them never loads the SDK; everything
 * else becomes a PyroError first.
 */

/** A command-line mistake (unknown flag, bad value, missing `-- CMD`), reported as `error[usage]`, exit 2. */
export class UsageError extends Error {
  readonly code = "usage" as const;
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
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

/** Prints `error[CODE]: message` (and a hint) on stderr, or `{"error":{...}}` on stdout with --json. */
export async function printError(err: unknown, json: boolean, verbose: boolean): Promise<number> {
  // Loaded only here: the error table and PyroError are not needed on the success path.
  const { PyroError, errorBody, errorText, exitStatus, toPyroError } = await import("../errors.js");
  const e = err instanceof UsageError || err instanceof PyroError ? err : toPyroError(err);
  const body = errorBody(e);
  if (json) {
    process.stdout.write(`${JSON.stringify({ error: body }, null, 2)}\n`);
  } else {
    process.stderr.write(`${errorText(body, true)}\n`);
    if (verbose && e.message.includes("\n")) process.stderr.write(`${e.message}\n`);
    if (verbose && e.code === "internal" && e.stack) process.stderr.write(`${e.stack}\n`);
  }
  return exitStatus(e.code);
}
