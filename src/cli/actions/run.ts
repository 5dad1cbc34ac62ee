/** `pyro run` and `pyro demo`: one fresh VM, one command, deleted afterwards. */
import type { RunHooks } from "../../sdk/index.js";
import type { CliContext } from "../context.js";
import { phaseLine, printResult } from "../output.js";
import { withCommandIo } from "../stdin.js";

export interface RunFlags {
  vcpuCount: number;
  memMib: number;
  timeoutSeconds: number;
  ttlSeconds: number;
  network: boolean;
  interactive?: boolean;
  json: boolean;
}

/** Runs `command` in a fresh VM and reports it (phase lines and output, or one JSON document). */
export async function run(ctx: CliContext, environment: string, command: string[], flags: RunFlags) {
  const result = await withCommandIo(ctx.signal, flags, async (io) => {
    const hooks: RunHooks = flags.json
      ? io
      : { ...io, onPhase: (phase, f) => phaseLine("run", { phase, ...f }) };
    return (await ctx.pyro()).run(
      {
        environment,
        command,
        vcpuCount: flags.vcpuCount,
        memMib: flags.memMib,
        timeoutSeconds: flags.timeoutSeconds,
        ttlSeconds: flags.ttlSeconds,
        network: flags.network,
      },
      hooks,
    );
  });
  printResult(flags.json, result, "run", {
    environment: result.environment,
    execution_mode: result.executionMode,
    acceleration: result.acceleration,
    exit_code: result.exitCode,
    duration_ms: result.durationMs,
  });
  ctx.exitCode = result.exitCode;
}

/** `pyro demo`: `git --version` in a fresh debian:12 VM. */
export async function demo(ctx: CliContext, flags: RunFlags) {
  await run(ctx, "debian:12", ["git", "--version"], flags);
}
