/**
 * `workspace patch apply`: a unified diff (as `diff` prints, or git's `a/` `b/` style) is
 * parsed and applied in memory to every file it touches first; only when every hunk of every
 * file applies is anything written. All-or-nothing up to the guest writes themselves.
 */
import { PyroError } from "../../errors.js";
import { guestPath } from "./guest-files.js";
import type { WorkspaceManager } from "./manager.js";
import { guestFiles } from "./transfer.js";

/** Largest file a patch may produce, in bytes (the guest write cap). */
export const PATCH_MAX_FILE_BYTES = 1024 * 1024;

export interface PatchFileResult {
  path: string;
  status: "added" | "modified" | "deleted";
}

export interface PatchResult {
  applied: boolean;
  files: PatchFileResult[];
}

type Step = { path: string; status: PatchFileResult["status"]; content?: Buffer; removeAlso?: string };

function stripPrefix(name: string | undefined): string | null {
  if (!name || name === "/dev/null") return null;
  const clean = name.replace(/\t.*$/, "").trim();
  return /^[ab]\//.test(clean) ? clean.slice(2) : clean;
}

const failed = (message: string, path: string) =>
  new PyroError("patch_failed", `${message}; nothing was changed`, { details: { path } });

async function currentText(ws: WorkspaceManager, id: string, rel: string): Promise<string> {
  try {
    const r = await guestFiles(ws, id).read(rel, PATCH_MAX_FILE_BYTES + 1);
    if (r.truncated) throw failed(`"${rel}" is larger than ${PATCH_MAX_FILE_BYTES} bytes`, rel);
    return r.content.toString("utf8");
  } catch (err) {
    if (err instanceof PyroError && err.code === "file_not_found")
      throw failed(`"${rel}" does not exist`, rel);
    throw err;
  }
}

async function exists(ws: WorkspaceManager, id: string, rel: string): Promise<boolean> {
  try {
    await guestFiles(ws, id).list(rel, false);
    return true;
  } catch (err) {
    if (err instanceof PyroError && err.code === "file_not_found") return false;
    throw err;
  }
}

/** @throws PyroError invalid_argument (no changes), path_outside_workspace, patch_failed */
export async function applyWorkspacePatch(
  ws: WorkspaceManager,
  id: string,
  text: string,
): Promise<PatchResult> {
  // Loaded on first use: ~25 ms of start-up that every command but patch would pay.
  const { applyPatch, parsePatch } = await import("diff");
  const files = parsePatch(text).filter((f) => f.hunks.length > 0 || f.oldFileName || f.newFileName);
  if (files.length === 0 || files.every((f) => f.hunks.length === 0)) {
    throw new PyroError("invalid_argument", "the patch contains no file changes (expected a unified diff)");
  }
  const plan: Step[] = [];
  for (const f of files) {
    const oldName = stripPrefix(f.oldFileName);
    const newName = stripPrefix(f.newFileName);
    const oldRel = oldName ? guestPath(oldName) : null;
    const newRel = newName ? guestPath(newName) : null;
    if (!oldRel && !newRel) throw new PyroError("invalid_argument", "a patch file section names no file");
    const base = oldRel ? await currentText(ws, id, oldRel) : "";
    if (!oldRel && newRel && (await exists(ws, id, newRel)))
      throw failed(`"${newRel}" already exists`, newRel);
    const result = applyPatch(base, f);
    const where = (newRel ?? oldRel) as string;
    if (result === false) throw failed(`a hunk of the patch for "${where}" does not apply`, where);
    if (!newRel) {
      if (result !== "") throw failed(`deleting "${where}" does not match its content`, where);
      plan.push({ path: oldRel as string, status: "deleted" });
      continue;
    }
    const content = Buffer.from(result, "utf8");
    if (content.length > PATCH_MAX_FILE_BYTES) throw failed(`the patched "${newRel}" exceeds 1 MiB`, newRel);
    plan.push({
      path: newRel,
      status: oldRel ? "modified" : "added",
      content,
      ...(oldRel && oldRel !== newRel ? { removeAlso: oldRel } : {}),
    });
  }
  const files$ = guestFiles(ws, id);
  for (const step of plan) {
    if (step.content) await files$.write(step.path, step.content);
    else await files$.remove(step.path);
    if (step.removeAlso) await files$.remove(step.removeAlso);
  }
  return { applied: true, files: plan.map((s) => ({ path: s.path, status: s.status })) };
}
