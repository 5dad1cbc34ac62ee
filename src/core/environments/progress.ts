/**
 * Progress events of `env pull|build|push`: the CLI renders them as a bar (TTY) or
 * `[pull] phase=...` lines. `download` and `upload` carry bytes done in their fraction.
 */
export type PullPhase =
  | "resolve"
  | "kernel"
  | "kernel-download"
  | "kernel-extract"
  | "kernel-modules"
  | "kernel-configure"
  | "kernel-compile"
  | "kernel-strip"
  | "bootstrap"
  | "customize"
  | "image"
  | "check"
  | "verify"
  | "download"
  | "upload"
  | "unpack"
  | "install"
  | "done";

export interface PullProgress {
  phase: PullPhase;
  environment: string;
  /** 0..1 over the whole pull, for a progress bar. */
  fraction: number;
  detail?: string;
}

export type PullProgressListener = (event: PullProgress) => void;

const ORDER: PullPhase[] = [
  "resolve",
  "kernel",
  "kernel-download",
  "kernel-extract",
  "kernel-modules",
  "kernel-configure",
  "kernel-compile",
  "kernel-strip",
  "bootstrap",
  "customize",
  "image",
  "check",
  "verify",
  "download",
  "upload",
  "unpack",
  "install",
  "done",
];

/**
 * Rough share of total time at which each phase starts: the rootfs bootstrap dominates a pull
 * with Debian's prebuilt kernel; a custom kernel's compile (PYRO_KERNEL=custom) takes longer.
 */
export function phaseFraction(phase: PullPhase): number {
  const weights: Partial<Record<PullPhase, number>> = { "kernel-compile": 6, bootstrap: 6, image: 1 };
  let total = 0;
  let before = 0;
  for (const p of ORDER) {
    if (p === phase) before = total;
    total += weights[p] ?? 0.2;
  }
  return phase === "done" ? 1 : before / total;
}

/** Maps a build-script line such as `[kernel] phase=compile` to a pull phase. */
export function phaseFromScriptLine(line: string): PullPhase | undefined {
  const m = /^\[(kernel|rootfs)\] phase=([a-z-]+)/.exec(line);
  if (!m) return undefined;
  const phase = (m[1] === "kernel" ? `kernel-${m[2]}` : m[2]) as PullPhase;
  return ORDER.includes(phase) && phase !== "done" ? phase : undefined;
}
