/**
 * Shells of a workspace as the SDK offers them: persistent PTYs in the guest, opened, typed
 * into, read (raw or rendered plain), signalled, resized and closed, each answering with its
 * contract record (snake_case). Output is redacted of the workspace's secret values.
 */
import type { Readable } from "node:stream";
import type { z } from "zod";
import type * as R from "../../contract/records/runtime.js";
import type {
  OpenShellInputSchema,
  ReadShellInputSchema,
  ResizeShellInputSchema,
  ShellRefInputSchema,
  SignalShellInputSchema,
  WriteShellInputSchema,
} from "../../contract/runtime.js";
import { guestPath, absoluteGuestPath as shown } from "./guest-files.js";
import type { GuestShell } from "./guest-shells.js";
import type { WorkspaceManager } from "./manager.js";
import { runningWorkspace, secretEnvFor } from "./running-workspace.js";
import { renderPlain } from "./terminal-text.js";

function shellRecord(id: string, s: GuestShell): R.Shell {
  return {
    workspace_id: id,
    shell_id: s.shell_id,
    cwd: s.cwd,
    cols: s.cols,
    rows: s.rows,
    state: s.state,
    started_at: s.started_at,
    ended_at: s.ended_at,
    exit_code: s.exit_code,
  };
}

/** Opens a bash PTY in `cwd` (inside /workspace). @throws PyroError workspace_not_running, secret_not_found */
export async function openShell(
  ws: WorkspaceManager,
  args: z.output<typeof OpenShellInputSchema>,
): Promise<R.Shell> {
  const cwd = shown(guestPath(args.cwd));
  const { id, shells } = await runningWorkspace(ws, args.workspaceId);
  const secretEnv = await secretEnvFor(ws, id, args.secretEnv);
  // HISTFILE empty: bash keeps history in memory only, so typed input never reaches the disk.
  return shellRecord(
    id,
    await shells.open({
      cwd,
      cols: args.cols,
      rows: args.rows,
      env: { HISTFILE: "" },
      ...(secretEnv ? { secret_env: secretEnv } : {}),
    }),
  );
}

/** Output from `cursor`, optionally after the shell went quiet and rendered plain. @throws PyroError shell_not_found */
export async function readShell(
  ws: WorkspaceManager,
  args: z.output<typeof ReadShellInputSchema>,
): Promise<R.ShellRead> {
  const { id, shells } = await runningWorkspace(ws, args.workspaceId);
  const out = await shells.output(args.shellId, {
    cursor: args.cursor,
    maxBytes: args.maxChars,
    waitForIdleMs: args.waitForIdleMs,
    timeoutMs: Math.max(10_000, args.waitForIdleMs * 4),
  });
  const shell = await shells.get(args.shellId);
  return {
    ...shellRecord(id, shell),
    cursor: out.cursor,
    next_cursor: out.next_cursor,
    output: (await ws.redactor(id)).text(args.plain ? await renderPlain(out.output, shell.cols) : out.output),
    truncated: out.truncated || out.dropped > 0,
    dropped_bytes: out.dropped,
  };
}

/** Types `input` (plus Enter when `newline`). @throws PyroError shell_not_running */
export async function writeShell(
  ws: WorkspaceManager,
  args: z.output<typeof WriteShellInputSchema>,
): Promise<R.ShellWrite> {
  const { id, shells } = await runningWorkspace(ws, args.workspaceId);
  const data = Buffer.from(args.newline ? `${args.input}\n` : args.input, "utf8");
  const r = await shells.input(args.shellId, data);
  return { workspace_id: id, shell_id: args.shellId, bytes: r.bytes };
}

/** Signals the shell's foreground process group. */
export async function signalShell(
  ws: WorkspaceManager,
  args: z.output<typeof SignalShellInputSchema>,
): Promise<R.ShellSignal> {
  const { id, shells } = await runningWorkspace(ws, args.workspaceId);
  await shells.signal(args.shellId, args.signal);
  return { workspace_id: id, shell_id: args.shellId, signal: args.signal };
}

/** Live attach: `input` goes to the PTY, output to `onOutput`, until the shell exits or `signal` aborts. */
export async function attachShell(
  ws: WorkspaceManager,
  args: z.output<typeof ShellRefInputSchema>,
  io: { input: Readable; onOutput: (chunk: Buffer) => void; signal?: AbortSignal },
): Promise<R.Shell> {
  const { id, shells } = await runningWorkspace(ws, args.workspaceId);
  try {
    const output = await shells.attach(args.shellId, io.input, io.signal);
    for await (const chunk of output) io.onOutput(chunk as Buffer);
  } catch (err) {
    if (!io.signal?.aborted) throw err;
  }
  return shellRecord(id, await shells.get(args.shellId));
}

/** Resizes the terminal. */
export async function resizeShell(
  ws: WorkspaceManager,
  args: z.output<typeof ResizeShellInputSchema>,
): Promise<R.Shell> {
  const { id, shells } = await runningWorkspace(ws, args.workspaceId);
  return shellRecord(id, await shells.resize(args.shellId, args.cols, args.rows));
}

/** Ends the shell and everything it started. */
export async function closeShell(
  ws: WorkspaceManager,
  args: z.output<typeof ShellRefInputSchema>,
): Promise<R.Shell> {
  const { id, shells } = await runningWorkspace(ws, args.workspaceId);
  return shellRecord(id, await shells.close(args.shellId));
}

/** The workspace's shells. */
export async function listShells(ws: WorkspaceManager, ref: string): Promise<R.ShellList> {
  const { id, shells } = await runningWorkspace(ws, ref);
  return { workspace_id: id, shells: (await shells.list()).map((s) => shellRecord(id, s)) };
}
