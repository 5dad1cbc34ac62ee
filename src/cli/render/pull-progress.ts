/** `env pull` progress: a cli-progress bar on a TTY, `[pull] phase=...` lines otherwise. */
import cliProgress from "cli-progress";
import type { PullProgress } from "../../sdk/index.js";
import { phaseLine } from "../output.js";

export interface ProgressRenderer {
  onProgress(event: PullProgress): void;
  stop(): void;
}

/** `tag` names the command in the lines and the bar: `pull`, `build` or `push`. */
export function pullProgressRenderer(isTty = Boolean(process.stderr.isTTY), tag = "pull"): ProgressRenderer {
  if (!isTty) {
    let last = "";
    return {
      onProgress(e) {
        if (e.phase === last) return;
        last = e.phase;
        phaseLine(tag, { phase: e.phase, environment: e.environment, detail: e.detail });
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `[${tag}] {environment} {bar} {percentage}% | {phase}{detail}`,
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
        bar.start(100, value, {
          environment: e.environment,
          phase: e.phase,
          detail: e.detail ? ` ${e.detail}` : "",
        });
        started = true;
      } else
        bar.update(value, {
          environment: e.environment,
          phase: e.phase,
          detail: e.detail ? ` ${e.detail}` : "",
        });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
