/** `env pull` progress: a cli-progress bar on a TTY, `[pull] phase=...` lines otherwise. */
import cliProgress from "cli-progress";
import type { PullProgress } from "../../sdk/index.js";
import { phaseLine } from "../output.js";

export interface ProgressRenderer {
  onProgress(event: PullProgress): void;
  stop(): void;
}

export function pullProgressRenderer(isTty = Boolean(process.stderr.isTTY)): ProgressRenderer {
  if (!isTty) {
    let last = "";
    return {
      onProgress(e) {
        if (e.phase === last) return;
        last = e.phase;
        phaseLine("pull", { phase: e.phase, environment: e.environment, detail: e.detail });
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: "[pull] {environment} {bar} {percentage}% | {phase}",
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onProgress(e) {
      const value = Math.round(e.fraction * 100);
      if (!started) {
        bar.start(100, value, { environment: e.environment, phase: e.phase });
        started = true;
      } else bar.update(value, { environment: e.environment, phase: e.phase });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
