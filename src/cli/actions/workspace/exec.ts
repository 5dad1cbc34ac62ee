/** `pyro workspace exec`: output streams through; the guest command's exit code becomes pyro's. */
import type { CliContext } from "../../context.js";
import { phaseLine, printJson } from "../../output.js";
import { interactiveStdin, releaseStdin } from "../../stdin.js";

export interface ExecFlags {
  timeoutSeconds: number;
  secretEnv?: string[];
  interactive?: boolean;
  json: boolean;
}

export async function execWorkspace(ctx: CliContext, workspace: string, command: string[], f: ExecFlags) {
  const stdin = interactiveStdin(f.interactive);
  const r = await (await ctx.pyro())
    .execWorkspace(
      { workspaceId: workspace, command, timeoutSeconds: f.timeoutSeconds, secretEnv: f.secretEnv ?? [] },
      {
        signal: ctx.signal,
        ...(stdin ? { stdin } : {}),
        ...(f.json
          ? {}
          : {
              onStdout: (c: Buffer) => process.stdout.write(c),
              onStderr: (c: Buffer) => process.stderr.write(c),
            }),
      },
    )
    .finally(() => releaseStdin(stdin));
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
