/** Synchronous atomic writes for the supervisor's small state files (temp + rename). */
import { readFileSync, renameSync, writeFileSync } from "node:fs";

export function writeStateSync(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(
    tmp,
    typeof value === "string" || typeof value === "number" ? `${value}\n` : JSON.stringify(value),
    {
      mode: 0o600,
    },
  );
  renameSync(tmp, path);
}

/** Last non-empty lines of the serial console, for boot failure messages. */
export function readConsoleTail(path: string, lines = 5): string {
  try {
    const text = readFileSync(path, "utf8");
    return text.trim().split("\n").slice(-lines).join(" | ").slice(-600);
  } catch {
    return "";
  }
}
