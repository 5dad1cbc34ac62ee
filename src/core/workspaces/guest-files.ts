/**
 * Client of the agent's file routes (docs/agent-protocol.md, "Files"), through the
 * supervisor. Paths are relative to a confinement root the agent enforces with
 * RESOLVE_BENEATH; callers normalise them with `guestPath` first.
 */
import { posix } from "node:path";
import type { Readable } from "node:stream";
import { checkAnswer } from "../../agent/check-answer.js";
import { PyroError } from "../../errors.js";
import { protocolViolation, readBoundedBody } from "../../supervisor/answers.js";
import { expectOk, readJson, type SupervisorClient } from "../../supervisor/client.js";

/** Time a small file call may take before the guest counts as unreachable, in ms. */
const CALL_TIMEOUT_MS = 60_000;

/**
 * Longest silence in a file transfer (tar push or export, list, read) before the guest counts
 * as unreachable, in ms: a transfer may take long, but a stalled guest must not hang it.
 */
export const FILES_IDLE_TIMEOUT_MS = 120_000;

/** The directory every workspace path is confined to. */
export const WORKSPACE_ROOT = "/workspace";

/** One entry of a guest listing. `path` is relative to /workspace; `mode` is octal text. */
export interface GuestEntry {
  path: string;
  type: "file" | "dir" | "symlink" | "other";
  size: number;
  mode: string;
  mtime: string;
  link_target?: string;
}

/**
 * Turns a user path (relative to /workspace, or absolute inside it) into a normalised
 * relative path (`.` for the root). @throws PyroError path_outside_workspace
 */
export function guestPath(input: string): string {
  const abs = posix.normalize(input.startsWith("/") ? input : posix.join(WORKSPACE_ROOT, input));
  if (abs === WORKSPACE_ROOT || abs === `${WORKSPACE_ROOT}/`) return ".";
  if (!abs.startsWith(`${WORKSPACE_ROOT}/`)) {
    throw new PyroError("path_outside_workspace", `"${input}" is outside /workspace`, {
      details: { path: input },
    });
  }
  return abs.slice(WORKSPACE_ROOT.length + 1).replace(/\/$/, "");
}

/** The absolute guest path of a normalised relative one (`.` is /workspace itself). */
export function absoluteGuestPath(rel: string): string {
  return rel === "." ? WORKSPACE_ROOT : `${WORKSPACE_ROOT}/${rel}`;
}

function query(path: string, extra: Record<string, string> = {}): string {
  return new URLSearchParams({ root: WORKSPACE_ROOT, path, ...extra }).toString();
}

export class GuestFiles {
  constructor(private readonly client: SupervisorClient) {}

  /**
   * Extracts a tar stream under /workspace/`path`. `anySymlinkTarget` is for restoring the
   * guest's own snapshots, whose links may point anywhere (the agent still never follows them).
   */
  async putTar(
    path: string,
    tarStream: Readable,
    anySymlinkTarget = false,
  ): Promise<{ entries: number; bytes: number }> {
    const extra: Record<string, string> = anySymlinkTarget ? { symlinks: "any" } : {};
    const res = await this.client.request("PUT", `/v1/agent/files/tar?${query(path, extra)}`, {
      headers: { "content-type": "application/x-tar" },
      body: tarStream,
      idleTimeoutMs: FILES_IDLE_TIMEOUT_MS,
    });
    return await checkAnswer("TarPutSchema", await readJson(res), res.path);
  }

  /** A tar stream of /workspace/`path` (entries relative to it). */
  async getTar(path: string): Promise<Readable> {
    const res = await this.client.request("GET", `/v1/agent/files/tar?${query(path)}`, {
      idleTimeoutMs: FILES_IDLE_TIMEOUT_MS,
    });
    await expectOk(res);
    return res.body;
  }

  async list(path: string, recursive: boolean): Promise<GuestEntry[]> {
    const res = await this.client.request(
      "GET",
      `/v1/agent/files/list?${query(path, { recursive: recursive ? "1" : "0" })}`,
      { idleTimeoutMs: FILES_IDLE_TIMEOUT_MS },
    );
    return (await checkAnswer("FileListSchema", await readJson(res), res.path)).entries;
  }

  /**
   * The first `maxBytes` bytes of a regular file, its full size, and whether it was cut.
   * @throws PyroError guest_protocol_mismatch when the agent sends more than `maxBytes` or no
   *   size, file_not_found, path_outside_workspace, guest_unreachable
   */
  async read(path: string, maxBytes: number): Promise<{ content: Buffer; size: number; truncated: boolean }> {
    const res = await this.client.request(
      "GET",
      `/v1/agent/files/read?${query(path, { max_bytes: String(maxBytes) })}`,
      { idleTimeoutMs: FILES_IDLE_TIMEOUT_MS },
    );
    await expectOk(res);
    const size = Number(res.body.headers["pyro-size"]);
    if (!Number.isSafeInteger(size) || size < 0) {
      res.body.destroy();
      throw protocolViolation(res.path, "has no valid pyro-size header");
    }
    const truncated = res.body.headers["pyro-truncated"] === "true";
    return { content: await readBoundedBody(res.body, maxBytes, res.path), size, truncated };
  }

  /** Replaces a file atomically (at most 1 MiB). */
  async write(path: string, content: Buffer, mode?: string): Promise<{ bytes: number }> {
    const res = await this.client.request(
      "PUT",
      `/v1/agent/files/write?${query(path, mode ? { mode } : {})}`,
      {
        headers: { "content-type": "application/octet-stream" },
        body: content,
      },
    );
    return await checkAnswer("FileWriteSchema", await readJson(res), res.path);
  }

  async remove(path: string): Promise<void> {
    await readJson(
      await this.client.request("POST", `/v1/agent/files/remove?${query(path)}`, {
        timeoutMs: CALL_TIMEOUT_MS,
      }),
    );
  }
}
