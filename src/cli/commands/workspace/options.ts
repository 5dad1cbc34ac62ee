/** Flag parsers shared by the workspace commands. */
import { PyroError } from "../../../sdk/index.js";

/** Collects repeatable `--label K=V` flags into an object. */
export function collectLabel(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf("=");
  if (eq <= 0) throw new PyroError("usage", `--label expects KEY=VALUE, got "${value}"`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

/** Collects a repeatable string flag into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
