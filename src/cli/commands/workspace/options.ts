/** Flag parsers shared by the workspace commands (declaration side: no SDK import). */
import { UsageError } from "../../errors.js";

/** Collects repeatable `--label K=V` flags into an object. */
export function collectLabel(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf("=");
  if (eq <= 0) throw new UsageError(`--label expects KEY=VALUE, got "${value}"`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

/** Collects a repeatable string flag into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Collects repeatable `--secret NAME=VALUE` / `--secret-file NAME=PATH` flags. An error names
 * the flag, never the value (it may be the secret itself).
 */
export function secretCollector(flag: "--secret" | "--secret-file") {
  return (
    value: string,
    previous: ({ name: string; value: string } | { name: string; filePath: string })[] = [],
  ) => {
    const eq = value.indexOf("=");
    if (eq <= 0 || eq === value.length - 1) {
      throw new UsageError(`${flag} expects ${flag === "--secret" ? "NAME=VALUE" : "NAME=PATH"}`);
    }
    const name = value.slice(0, eq);
    const rest = value.slice(eq + 1);
    return [...previous, flag === "--secret" ? { name, value: rest } : { name, filePath: rest }];
  };
}
