/**
 * Inter-process locks (proper-lockfile: mkdir-based, with a heartbeat so a crashed holder's
 * lock goes stale after `staleMs`). Every mutation of shared state runs under one.
 */
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { PyroError } from "../errors.js";

export interface LockOptions {
  /** How long to keep retrying before giving up, in ms. @default 30000 */
  waitMs?: number;
  /** A lock not refreshed for this long is considered abandoned, in ms. @default 10000 */
  staleMs?: number;
}

/**
 * proper-lockfile, loaded on first use: ~20 ms (with graceful-fs, retry, signal-exit) that a
 * command would otherwise pay before its first request; `workspace exec` locks only after it.
 */
async function loadLockfile(): Promise<typeof import("proper-lockfile")> {
  return (await import("proper-lockfile")).default;
}

/** Whether a live holder has the lock named by `path`. */
export async function isLocked(path: string): Promise<boolean> {
  return (await loadLockfile()).check(path, { realpath: false });
}

/** Runs `fn` while holding the lock named by `path` (the lock lives at `${path}.lock`). */
export async function withLock<T>(path: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const waitMs = options.waitMs ?? 30_000;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  let release: () => Promise<void>;
  try {
    release = await (await loadLockfile()).lock(path, {
      realpath: false,
      stale: options.staleMs ?? 10_000,
      retries: {
        retries: Math.max(1, Math.ceil(waitMs / 250)),
        minTimeout: 50,
        maxTimeout: 250,
        factor: 1.5,
      },
    });
  } catch (err) {
    throw new PyroError(
      "timeout",
      `could not lock "${path}" within ${waitMs} ms: another pyro process holds it`,
      {
        cause: err,
        details: { lock_path: path },
      },
    );
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
