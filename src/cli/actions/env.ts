/** `pyro env list|pull|build|push|inspect|prune`: one SDK call each, rendered as text or JSON. */
import type { Environment } from "../../sdk/index.js";
import type { CliContext } from "../context.js";
import { phaseLine, printJson } from "../output.js";
import { pullProgressRenderer } from "../render/pull-progress.js";

type Flags = { json: boolean };

function renderEnvironment(e: Environment): string {
  const lines = [
    `Environment: ${e.name}`,
    `Version: ${e.version}`,
    `Description: ${e.description}`,
    `Kind: ${e.local ? "local" : "catalog"}`,
    `Installed: ${e.installed ? "yes" : "no"}${e.problem ? ` (${e.problem})` : ""}`,
    `Install dir: ${e.installDir}`,
  ];
  if (e.installedAt)
    lines.push(
      `Installed at: ${e.installedAt}`,
      `Source: ${e.source}`,
      `Kernel: ${e.kernelRelease}${e.kernel ? ` (${e.kernel.package} ${e.kernel.version}, ${e.kernel.flavor})` : ""}`,
    );
  for (const a of e.artifacts)
    lines.push(`Artifact ${a.role}: ${a.path} sha256=${a.sha256} size_bytes=${a.sizeBytes}`);
  return `${lines.join("\n")}\n`;
}

export async function listEnvironments(ctx: CliContext, f: Flags): Promise<void> {
  const list = await (await ctx.pyro()).listEnvironments();
  if (f.json) return printJson(list);
  const out = [`Catalog version: ${list.catalogVersion}`];
  for (const e of list.environments) {
    const state = e.installed ? "installed" : "not installed";
    out.push(`${e.name} [${e.local ? `local, ${state}` : state}] ${e.description}`);
  }
  process.stdout.write(`${out.join("\n")}\n`);
}

export async function pullEnvironment(ctx: CliContext, name: string, f: Flags): Promise<void> {
  const pyro = await ctx.pyro();
  const progress = pullProgressRenderer();
  try {
    const result = await pyro.pullEnvironment(name, {
      onProgress: (e) => progress.onProgress(e),
      signal: ctx.signal,
    });
    progress.stop();
    if (f.json) return printJson(result);
    phaseLine("pull", {
      environment: result.environment.name,
      status: result.status,
      digest: result.digest ?? undefined,
      reason: result.repairReason ? JSON.stringify(result.repairReason) : undefined,
      duration_ms: result.durationMs,
    });
    process.stdout.write(renderEnvironment(result.environment));
  } finally {
    progress.stop();
  }
}

export async function inspectEnvironment(ctx: CliContext, name: string, f: Flags): Promise<void> {
  const e = await (await ctx.pyro()).inspectEnvironment(name);
  if (f.json) printJson(e);
  else process.stdout.write(renderEnvironment(e));
}

export async function buildEnvironment(
  ctx: CliContext,
  name: string,
  f: Flags & { from: string; packages?: string; recipe?: string },
): Promise<void> {
  const pyro = await ctx.pyro();
  const progress = pullProgressRenderer(undefined, "build");
  try {
    const result = await pyro.buildEnvironment(
      {
        name,
        from: f.from,
        packages: (f.packages ?? "").split(/[\s,]+/).filter(Boolean),
        ...(f.recipe ? { recipe: f.recipe } : {}),
      },
      { onProgress: (e) => progress.onProgress(e), signal: ctx.signal },
    );
    progress.stop();
    if (f.json) return printJson(result);
    phaseLine("build", { environment: name, status: result.status, duration_ms: result.durationMs });
    process.stdout.write(renderEnvironment(result.environment));
  } finally {
    progress.stop();
  }
}

export async function pruneEnvironments(ctx: CliContext, name: string | undefined, f: Flags): Promise<void> {
  const r = await (await ctx.pyro()).pruneEnvironments(name);
  if (f.json) return printJson(r);
  for (const p of r.removed) process.stdout.write(`removed ${p}\n`);
  process.stdout.write(`Freed ${r.bytesFreed} bytes (${r.removed.length} entries)\n`);
}

export async function pushEnvironment(
  ctx: CliContext,
  name: string,
  reference: string,
  f: Flags,
): Promise<void> {
  const pyro = await ctx.pyro();
  const progress = pullProgressRenderer(undefined, "push");
  try {
    const r = await pyro.pushEnvironment(
      { name, reference },
      { onProgress: (e) => progress.onProgress(e), signal: ctx.signal },
    );
    progress.stop();
    if (f.json) return printJson(r);
    phaseLine("push", { environment: name, reference, digest: r.digest, duration_ms: r.durationMs });
    for (const l of r.layers)
      process.stdout.write(
        `Layer ${l.role}: ${l.digest} ${l.mediaType} size_bytes=${l.size} uploaded_bytes=${l.uploadedBytes}\n`,
      );
    const at = reference.lastIndexOf(":");
    process.stdout.write(`Pull with: pyro env pull ${reference.slice(0, at)}@${r.digest}\n`);
  } finally {
    progress.stop();
  }
}
