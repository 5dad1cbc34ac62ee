/**
 * Numbers every benchmark reports: percentiles of samples, and a process's resident memory.
 */
import { readFileSync } from "node:fs";

/** The p-th percentile (nearest rank) of `xs`; `xs` is left unsorted. */
export function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/** Resident memory of process `pid` now, in MiB (VmRSS of /proc/PID/status). */
export function rssMib(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) / 1024;
}
