/** `pyro workspace exec`: output streams through; the guest command's exit code becomes pyro's. */
import type { CliContext } from "../../context.js";
import { printResult } from "../../output.js";
import { withCommandIo } from "../../stdin.js";

export interface ExecFlags {
  timeoutSeconds: number;
  secretEnv?: string[];
  interactive?: boolean;
  json: boolean;
}

export async function execWorkspace(ctx: CliContext, workspace: string, command: string[], f: ExecFlags) {
  const r = await withCommandIo(ctx.signal, f, async (io) =>
    (await ctx.pyro()).execWorkspace(
      { workspaceId: workspace, command, timeoutSeconds: f.timeoutSeconds, secretEnv: f.secretEnv ?? [] },
      io,
    ),
  );
  printResult(f.json, r, "workspace-exec", {
    workspace_id: r.workspaceId,
    sequence: r.sequence,
    cwd: r.cwd,
    execution_mode: r.executionMode,
    exit_code: r.exitCode,
    duration_ms: r.durationMs,
  });
  ctx.exitCode = r.exitCode;
}
