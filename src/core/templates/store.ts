/**
 * VM templates on disk (cachePaths.templateDir): each template directory holds builds
 * (`build-<id>/`: manifest.json, state, memory, disk) and a `current` symlink to the usable
 * one, swapped atomically by a rebuild; a restore resolves `current` once and then uses that
 * build's files only. A template is usable when its manifest names the same inputs and every
 * file still matches it (the state file and a qcow2 disk by sha256, which is cheap: tens to
 * hundreds of KiB; the sparse memory file and a raw disk by size and mtime).
 */

import { readdir, readFile, readlink, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { sha256File } from "../fs-atomic.js";
import { cachePaths } from "../paths.js";
import { type TemplateInputs, templateKey } from "./inputs.js";

const MIB = 1024 * 1024;

/** manifest.json of one build. */
export interface TemplateManifest {
  layout_version: number;
  key: string;
  build_id: string;
  created_at: string;
  inputs: TemplateInputs;
  /** The saved device state (QMP migration stream, RAM left out). */
  state: { sha256: string; size_bytes: number };
  /** Guest RAM (sparse file of mem_mib MiB). */
  memory: { size_bytes: number; mtime_ms: number };
  /** Root disk as the guest left it when saved: qcow2 overlay (run) or raw image (workspace). */
  disk: { format: "qcow2" | "raw"; size_bytes: number; mtime_ms: number; sha256: string | null };
  /** Cold boot to a ready agent, and the save, in ms. */
  boot_ms: number;
  save_ms: number;
}

/** The files of a usable template build. */
export interface UsableTemplate {
  key: string;
  dir: string;
  buildDir: string;
  manifest: TemplateManifest;
  state: string;
  memory: string;
  disk: string;
}

export type TemplateLookup =
  | { status: "usable"; template: UsableTemplate }
  | { status: "missing"; dir: string; key: string }
  | { status: "broken"; dir: string; key: string; reason: string };

/** The link that names the usable build. */
export const CURRENT = "current";

/** Finds the template for `inputs` and checks it. Never throws: a damaged one is `broken`. */
export async function findTemplate(cacheDir: string, inputs: TemplateInputs): Promise<TemplateLookup> {
  const key = templateKey(inputs);
  const dir = cachePaths.templateDir(cacheDir, inputs.environment, key);
  const build = await readlink(join(dir, CURRENT)).catch(() => undefined);
  if (!build) return { status: "missing", dir, key };
  const buildDir = join(dir, build);
  const files = cachePaths.templateBuild(buildDir);
  try {
    const manifest = JSON.parse(await readFile(files.manifest, "utf8")) as TemplateManifest;
    const problem = await checkBuild(manifest, key, inputs, buildDir);
    if (problem) return { status: "broken", dir, key, reason: problem };
    return {
      status: "usable",
      template: {
        key,
        dir,
        buildDir,
        manifest,
        state: files.state,
        memory: files.memory,
        disk: files.disk(manifest.disk.format),
      },
    };
  } catch (err) {
    return { status: "broken", dir, key, reason: `manifest unreadable: ${(err as Error).message}` };
  }
}

/** What is wrong with a build, or undefined when it matches its manifest and the inputs. */
async function checkBuild(
  m: TemplateManifest,
  key: string,
  inputs: TemplateInputs,
  buildDir: string,
): Promise<string | undefined> {
  if (m.key !== key || !isDeepStrictEqual(m.inputs, inputs)) return "its manifest names other inputs";
  const files = cachePaths.templateBuild(buildDir);
  const state = await stat(files.state).catch(() => undefined);
  if (!state) return "state file missing";
  if (state.size !== m.state.size_bytes)
    return `state file is ${state.size} bytes, its manifest says ${m.state.size_bytes}`;
  if ((await sha256File(files.state)) !== m.state.sha256) return "state file does not match its sha256";
  const memory = await stat(files.memory).catch(() => undefined);
  if (memory?.size !== inputs.mem_mib * MIB || Math.trunc(memory.mtimeMs) !== m.memory.mtime_ms)
    return "memory file missing or changed";
  const diskPath = files.disk(m.disk.format);
  const disk = await stat(diskPath).catch(() => undefined);
  if (disk?.size !== m.disk.size_bytes || Math.trunc(disk.mtimeMs) !== m.disk.mtime_ms)
    return "disk missing or changed";
  if (m.disk.sha256 !== null && (await sha256File(diskPath)) !== m.disk.sha256)
    return "disk does not match its sha256";
  return undefined;
}

/**
 * Drops a template's usable build (a restore from it failed, or it is broken): the next
 * template build starts afresh. A clone still running from it keeps its open files.
 */
export async function discardTemplate(dir: string): Promise<void> {
  await rm(join(dir, CURRENT), { force: true });
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (name.startsWith("build-")) await rm(join(dir, name), { recursive: true, force: true });
  }
}
