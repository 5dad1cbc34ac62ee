/** How actions print: JSON documents and `[tag] key=value` phase lines (errors: errors.ts). */
import { toSnake } from "../sdk/case.js";

/** Prints one JSON document (snake_case keys, 2-space indent) on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(toSnake(value), null, 2)}\n`);
}

/** The fields of a phase line; empty, null and undefined ones are left out. */
export type PhaseFields = Record<string, string | number | boolean | null | undefined>;

/** A `[tag] key=value ...` line on stderr (stdout stays clean for the command's own output). */
export function phaseLine(tag: string, fields: PhaseFields): void {
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined && v !== null && v !== "")
    .map(([k, v]) => `${k}=${v}`);
  process.stderr.write(`[${tag}] ${parts.join(" ")}\n`);
}

/** How most actions report their record: one JSON document with `--json`, else the `[tag]` line of `fields`. */
export function printResult(json: boolean, record: unknown, tag: string, fields: PhaseFields): void {
  if (json) printJson(record);
  else phaseLine(tag, fields);
}

/** Writes the content of a file read on stdout as the bytes it stands for (base64 decoded). */
export function writeFileContent(r: { encoding: "utf-8" | "base64"; content: string }): void {
  process.stdout.write(r.encoding === "base64" ? Buffer.from(r.content, "base64") : r.content);
}

/** A guest-chosen name made safe for a terminal: control characters become visible escapes. */
export function safeName(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return name.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
