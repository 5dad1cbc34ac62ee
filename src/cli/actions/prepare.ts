/** `pyro prepare [ENV]`: one SDK call, one line per template. */
import type { CliContext } from "../context.js";
import { phaseLine, printJson } from "../output.js";

export interface PrepareFlags {
  vcpuCount: number;
  memMib: number;
  diskMib?: number;
  json: boolean;
}

export async function prepare(ctx: CliContext, environment: string, f: PrepareFlags): Promise<void> {
  const result = await (await ctx.pyro()).prepare({
    environment,
    vcpuCount: f.vcpuCount,
    memMib: f.memMib,
    ...(f.diskMib !== undefined ? { diskMib: f.diskMib } : {}),
  });
  if (f.json) printJson(result);
  else
    for (const t of result.templates)
      phaseLine("prepare", {
        environment,
        purpose: t.purpose,
        template: t.key,
        built: t.built,
        boot_ms: t.bootMs,
        save_ms: t.saveMs,
      });
}
