/** `pyro prepare [ENV]`: one SDK call, one line per template. */
import type { PrepareFlags } from "../commands/prepare.js";
import type { CliContext } from "../context.js";
import { phaseLine, printJson } from "../output.js";

export async function prepare(ctx: CliContext, environment: string, f: PrepareFlags): Promise<void> {
  const templates = await (await ctx.pyro()).prepare({
    environment,
    vcpuCount: f.vcpuCount,
    memMib: f.memMib,
    ...(f.diskMib !== undefined ? { diskMib: f.diskMib } : {}),
  });
  if (f.json) printJson({ environment, templates });
  else
    for (const t of templates)
      phaseLine("prepare", {
        environment,
        purpose: t.purpose,
        template: t.key,
        built: t.built,
        boot_ms: t.bootMs,
        save_ms: t.saveMs,
      });
}
