/**
 * Reading and editing MCP client config files without disturbing what else they hold. JSON
 * (and JSONC) files are edited with jsonc-parser's `modify`, which rewrites only the one
 * property and keeps comments and formatting elsewhere. TOML has no such editor in JS, so the
 * server's table is cut out of the text and appended anew, and the result is checked by
 * parsing it (smol-toml): everything outside the entry must parse exactly as before, else the
 * file is re-serialized whole (comments lost; the backup keeps them).
 */
import { chmod, constants, copyFile, readFile, stat } from "node:fs/promises";
import { applyEdits, modify, type ParseError, parse as parseJsonc, printParseErrorCode } from "jsonc-parser";
import { parse as parseToml, stringify as stringifyToml } from "smol-toml";
import { PyroError } from "../../errors.js";
import { writeFileAtomic } from "../fs-atomic.js";

export type ConfigFormat = "json" | "toml";

/** A config file as found: its text ("" when missing) and parsed value ({} when missing). */
export interface ConfigFile {
  path: string;
  format: ConfigFormat;
  exists: boolean;
  text: string;
  data: Record<string, unknown>;
  /** File mode to keep when rewriting it (undefined when it does not exist). */
  mode: number | undefined;
}

/**
 * Reads and parses `path`; a missing file is an empty config.
 * @throws PyroError invalid_argument (`details.problem: "config_invalid"`) when it does not parse
 */
export async function readConfigFile(path: string, format: ConfigFormat): Promise<ConfigFile> {
  let text: string;
  let mode: number | undefined;
  try {
    [text, mode] = await Promise.all([readFile(path, "utf8"), stat(path).then((s) => s.mode & 0o777)]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    return { path, format, exists: false, text: "", data: {}, mode: undefined };
  }
  return { path, format, exists: true, text, data: parseConfigText(path, format, text), mode };
}

/** Parses config text. @throws PyroError invalid_argument naming the file and the first error */
export function parseConfigText(path: string, format: ConfigFormat, text: string): Record<string, unknown> {
  let data: unknown;
  let why: string | undefined;
  if (format === "json") {
    const errors: ParseError[] = [];
    data = text.trim() === "" ? {} : parseJsonc(text, errors, { allowTrailingComma: true });
    const first = errors[0];
    if (first) why = `${printParseErrorCode(first.error)} at offset ${first.offset}`;
  } else {
    try {
      data = parseToml(text);
    } catch (err) {
      why = (err as Error).message.split("\n")[0];
    }
  }
  if (why === undefined && (data === null || typeof data !== "object" || Array.isArray(data))) {
    why = "the top level is not an object";
  }
  if (why !== undefined) {
    throw new PyroError("invalid_argument", `${path} is not valid ${format.toUpperCase()}: ${why}`, {
      details: { problem: "config_invalid", path },
      hint: "fix the file by hand (pyro never rewrites a file it cannot parse)",
    });
  }
  return data as Record<string, unknown>;
}

/** The value at `keys` inside `data`, or undefined. */
export function valueAt(data: unknown, keys: readonly string[]): unknown {
  let node = data;
  for (const key of keys) {
    if (node === null || typeof node !== "object" || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** `file`'s text with the value at `keys` replaced by `value` (or created); nothing else changes. */
export function withValue(file: ConfigFile, keys: readonly string[], value: Record<string, unknown>): string {
  return file.format === "json" ? withJsonValue(file.text, keys, value) : withTomlTable(file, keys, value);
}

function withJsonValue(text: string, keys: readonly string[], value: unknown): string {
  const base = text.trim() === "" ? "{}\n" : text;
  const edits = modify(base, [...keys], value, {
    formattingOptions: { insertSpaces: true, tabSize: 2, eol: "\n" },
  });
  const out = applyEdits(base, edits);
  return out.endsWith("\n") ? out : `${out}\n`;
}

/** A TOML table header's key path with quotes and spaces removed: `[ mcp_servers."pyro" ]` -> `mcp_servers.pyro`. */
function headerKey(line: string): string | undefined {
  const m = /^\s*\[\[?([^\]]*)\]\]?\s*(#.*)?$/.exec(line);
  return m?.[1]?.replace(/["'\s]/g, "");
}

function withTomlTable(file: ConfigFile, keys: readonly string[], value: Record<string, unknown>): string {
  const key = keys.join(".");
  const kept: string[] = [];
  let inside = false;
  for (const line of file.text.split("\n")) {
    const header = headerKey(line);
    if (header !== undefined) inside = header === key || header.startsWith(`${key}.`);
    if (!inside) kept.push(line);
  }
  const head = kept.join("\n").trimEnd();
  const table = stringifyToml(nest(keys, value));
  const edited = `${head === "" ? "" : `${head}\n\n`}${table.trimEnd()}\n`;
  // The cut must have removed exactly our table (not a multi-line string that looked like a
  // header, nor a dotted or inline definition elsewhere): check by parsing both.
  const want = withoutKey(file.data, keys);
  try {
    const got = parseToml(edited);
    if (sameData(withoutKey(got, keys), want) && sameData(valueAt(got, keys), value)) {
      return edited;
    }
  } catch {
    // fall through to a whole rewrite
  }
  const merged = structuredClone(file.data);
  setIn(merged, keys, value);
  return stringifyToml(merged);
}

/** Deep equality of parsed data; smol-toml's tables have a null prototype, so compare as JSON. */
function sameData(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `{ a: { b: value } }` for keys [a, b]. */
export function nest(keys: readonly string[], value: unknown): Record<string, unknown> {
  return keys.reduceRight<unknown>((inner, k) => ({ [k]: inner }), value) as Record<string, unknown>;
}

function setIn(data: Record<string, unknown>, keys: readonly string[], value: unknown): void {
  let node = data;
  for (const k of keys.slice(0, -1)) {
    const next = node[k];
    node[k] = next !== null && typeof next === "object" && !Array.isArray(next) ? next : {};
    node = node[k] as Record<string, unknown>;
  }
  node[keys[keys.length - 1] as string] = value;
}

/** A copy of `data` without the value at `keys`, and without parents that became empty by it. */
function withoutKey(data: unknown, keys: readonly string[]): unknown {
  if (keys.length === 0 || data === null || typeof data !== "object" || Array.isArray(data)) return data;
  const [first, ...rest] = keys as [string, ...string[]];
  const copy: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  if (!(first in copy)) return copy;
  if (rest.length === 0) {
    delete copy[first];
    return copy;
  }
  const inner = withoutKey(copy[first], rest);
  if (inner !== null && typeof inner === "object" && Object.keys(inner).length === 0) delete copy[first];
  else copy[first] = inner;
  return copy;
}

/**
 * Writes `text` to the file atomically (temp file, fsync, rename), keeping its mode (new
 * files get `newMode`), after copying the old file to `PATH.pyro-backup-TIMESTAMP` (0600).
 * @returns the backup's path, or null when there was no file before
 */
export async function writeConfigFile(
  file: ConfigFile,
  text: string,
  newMode: number,
): Promise<string | null> {
  let backup: string | null = null;
  if (file.exists) {
    backup = `${file.path}.pyro-backup-${new Date().toISOString().replace(/[-:.]/g, "")}`;
    await copyFile(file.path, backup, constants.COPYFILE_EXCL);
    await chmod(backup, 0o600);
  }
  await writeFileAtomic(file.path, text, file.mode ?? newMode);
  return backup;
}
