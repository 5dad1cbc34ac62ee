/** `pyro workspace exec`: output streams through; the guest command's exit code becomes pyro's. */
import type { CliContext } from "../../context.js";
import { phaseLine, printJson } from "../../output.js";

export interface ExecFlags {
  timeoutSeconds: number;
  secretEnv?: string[];
  json: boolean;
}

export async function execWorkspace(ctx: CliContext, workspace: string, command: string[], f: ExecFlags) {
  const r = await (await ctx.pyro()).execWorkspace(
    { workspaceId: workspace, command, timeoutSeconds: f.timeoutSeconds, secretEnv: f.secretEnv ?? [] },
    f.json
      ? { signal: ctx.signal }
      : {
          signal: ctx.signal,
          onStdout: (c) => process.stdout.write(c),
          onStderr: (c) => process.stderr.write(c),
        },
  );
  if (f.json) printJson(r);
  else {
    phaseLine("workspace-exec", {
      workspace_id: r.workspaceId,
      sequence: r.sequence,
      cwd: r.cwd,
      execution_mode: r.executionMode,
      exit_code: r.exitCode,
      duration_ms: r.durationMs,
    });
  }
  ctx.exitCode = r.exitCode;
}
