/**
 * Workspace names: unique among the workspaces of one state directory, so that a name always
 * selects exactly one workspace (the CLI, SDK and MCP take an id or a name everywhere).
 *
 * The check and the write that makes a name visible must not interleave with another
 * process's: each name has a lock of its own (`names/NAME.lock` in the state directory), taken
 * before the check and held until the claimant's record carries the name (create, rename) or
 * for the whole call (fork: its records are written under the parent's lock, after its
 * checkpoint began). Two calls asking for one name are serialised; the second finds it taken.
 * Lock order: name locks come before any workspace lock, sorted when there are several, except
 * in create, which takes its one name lock inside the lock of its own fresh id (no one else can
 * hold or wait for that lock, so no cycle can form).
 */
import { join } from "node:path";
import { PyroError } from "../../errors.js";
import { withLock } from "../lock.js";
import { listWorkspaceIds, readWorkspaceHead } from "./record.js";

/** How long a claim waits for another one of the same name (a fork holds it throughout), in ms. */
const NAME_LOCK_WAIT_MS = 300_000;

/** Each workspace's id and name (null without one; unreadable records are skipped), in id order. */
async function* workspaceNames(stateDir: string): AsyncGenerator<{ id: string; name: string | null }> {
  for (const id of await listWorkspaceIds(stateDir)) {
    const r = await readWorkspaceHead(stateDir, id).catch(() => undefined);
    if (r) yield { id, name: r.head.name };
  }
}

/** Ids of the workspaces named `name`, in id order (one, once names are unique; more from older pyro). */
export async function workspacesNamed(stateDir: string, name: string): Promise<string[]> {
  const hits: string[] = [];
  for await (const w of workspaceNames(stateDir)) if (w.name === name) hits.push(w.id);
  return hits;
}

/**
 * Runs `fn` holding the lock of each name in `names` (null and undefined stand for no name),
 * once none of them is taken by a workspace other than `self` (a rename to its own name).
 * `fn` must make the names visible (write the records that carry them) before it returns.
 * @throws PyroError name_taken (nothing written), timeout (another claim of the name held on)
 */
export async function withNamesClaimed<T>(
  stateDir: string,
  names: readonly (string | null | undefined)[],
  fn: () => Promise<T>,
  self?: string,
): Promise<T> {
  const wanted = [...new Set(names.filter((n): n is string => Boolean(n)))].sort();
  const claim = (i: number): Promise<T> => {
    const name = wanted[i];
    if (name === undefined) return checkFree(stateDir, wanted, self).then(fn);
    return withLock(join(stateDir, "names", name), () => claim(i + 1), { waitMs: NAME_LOCK_WAIT_MS });
  };
  return claim(0);
}

/** @throws PyroError name_taken when a workspace other than `self` carries one of `names` */
async function checkFree(
  stateDir: string,
  names: readonly string[],
  self: string | undefined,
): Promise<void> {
  if (names.length === 0) return;
  for await (const { id, name } of workspaceNames(stateDir)) {
    if (id === self || name === null || !names.includes(name)) continue;
    throw new PyroError("name_taken", `name "${name}" is taken by workspace "${id}"`, {
      details: { name, workspace_id: id },
      hint: `pick another name, or rename or delete ${id} (pyro workspace update ${id} --name NEW)`,
    });
  }
}
