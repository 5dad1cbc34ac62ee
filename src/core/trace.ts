/**
 * Phase marks for benchmarks. With `PYRO_TRACE=FILE` in the environment, {@link traceMark}
 * appends one JSON line per mark to FILE (created 0600):
 * `{"t_ms": <Unix time in ms, µs precision>, "src": "core", "event": NAME, ...fields}`.
 * The supervisor inherits the variable and writes its own marks (`"src": "supervisor"`, same
 * clock) to the same file, so bench/phases.mjs can order both processes' phases. Unset (the
 * default): nothing is written and a mark costs one comparison.
 */
import { appendFileSync } from "node:fs";

const traceFile = process.env.PYRO_TRACE;

/** Appends a mark; a write failure is ignored (tracing never changes an outcome). */
export function traceMark(event: string, fields: Record<string, string | number> = {}): void {
  if (!traceFile) return;
  const line = { t_ms: performance.timeOrigin + performance.now(), src: "core", event, ...fields };
  try {
    appendFileSync(traceFile, `${JSON.stringify(line)}\n`, { mode: 0o600 });
  } catch {
    // a bench's problem, never the command's
  }
}
