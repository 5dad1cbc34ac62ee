/** Host files named by flags (`--patch-file`, `--text-file`), read by the actions that take them. */
import { readFile } from "node:fs/promises";
import { PyroError } from "../errors.js";

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
