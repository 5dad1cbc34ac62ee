/** How actions print: JSON documents and `[tag] key=value` phase lines (errors: errors.ts). */
import { toSnake } from "../sdk/case.js";

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

/** A guest-chosen name made safe for a terminal: control characters become visible escapes. */
export function safeName(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return name.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
