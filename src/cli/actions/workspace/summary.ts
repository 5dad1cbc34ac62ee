/** `pyro workspace summary`: one SDK call, rendered. */
import type { CliContext } from "../../context.js";
import { printJson } from "../../output.js";
import { renderSummary } from "../../render/summary.js";

export async function summarizeWorkspace(ctx: CliContext, workspace: string, f: { json: boolean }) {
  const summary = await (await ctx.pyro()).summarizeWorkspace(workspace);
  if (f.json) printJson(summary);
  else process.stdout.write(renderSummary(summary));
}
