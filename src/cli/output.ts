/** How the CLI prints: JSON documents, phase lines, and the one error format. */
import type { Command } from "commander";
import { PyroError, toPyroError, toSnake } from "../sdk/index.js";

/** Prints one JSON document (snake_case keys, 2-space indent) on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(toSnake(value), null, 2)}\n`);
}

/** A `[tag] key=value ...` line on stderr (stdout stays clean for the command's own output). */
export function phaseLine(
  tag: string,
  fields: Record<string, string | number | boolean | null | undefined>,
): void {
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined && v !== null && v !== "")
    .map(([k, v]) => `${k}=${v}`);
  process.stderr.write(`[${tag}] ${parts.join(" ")}\n`);
}

/** Exit status for an error: 2 for usage mistakes, 130 for Ctrl-C, 1 otherwise. */
export function exitCodeFor(err: PyroError): number {
  if (err.code === "usage" || err.code === "invalid_argument") return 2;
  if (err.code === "interrupted") return 130;
  return 1;
}

/** Prints `error[CODE]: message` (and a hint) on stderr, or `{"error":{...}}` on stdout with --json. */
export function printError(err: unknown, json: boolean, verbose: boolean): number {
  const e = err instanceof PyroError ? err : toPyroError(err);
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
  return exitCodeFor(e);
}

/** A guest-chosen name made safe for a terminal: control characters become visible escapes. */
export function safeName(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return name.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** Adds the `--json` flag every command has. */
export function withJson(cmd: Command): Command {
  return cmd.option("--json", "print one JSON document", false);
}
