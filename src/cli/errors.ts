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
