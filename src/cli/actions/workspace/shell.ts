/** `pyro workspace shell open|read|write|signal|attach|close|list`. */
import { PassThrough } from "node:stream";
import { PyroError, type Shell, type SignalShellInput } from "../../../sdk/index.js";
import type { CliContext } from "../../context.js";
import { phaseLine, printJson } from "../../output.js";

type Flags = { json: boolean };

export interface OpenFlags extends Flags {
  cwd: string;
  cols: number;
  rows: number;
  secretEnv?: string[];
  idOnly: boolean;
}

export interface ReadFlags extends Flags {
  cursor: number;
  maxChars: number;
  plain: boolean;
  waitForIdleMs: number;
}

export interface WriteFlags extends Flags {
  input: string;
  newline: boolean;
}

export interface SignalFlags extends Flags {
  signal: SignalShellInput["signal"];
}

const shellLine = (s: Shell) =>
  phaseLine("workspace-shell", {
    workspace_id: s.workspaceId,
    shell_id: s.shellId,
    state: s.state,
    cwd: s.cwd,
    exit_code: s.exitCode,
  });

/** The detach key: Ctrl-] (as telnet and docker attach). */
const DETACH = 0x1d;

export async function attachShell(ctx: CliContext, workspace: string, shellId: string): Promise<void> {
  const stdin = process.stdin;
  if (!stdin.isTTY || !process.stdout.isTTY) {
    throw new PyroError("usage", "shell attach needs an interactive terminal; use shell write/read instead");
  }
  const pyro = await ctx.pyro();
  const detach = new AbortController();
  const input = new PassThrough();
  const resize = () =>
    void pyro
      .resizeShell({
        workspaceId: workspace,
        shellId,
        cols: process.stdout.columns,
        rows: process.stdout.rows,
      })
      .catch(() => undefined);
  const onData = (chunk: Buffer) => {
    const at = chunk.indexOf(DETACH);
    if (at >= 0) {
      if (at > 0) input.write(chunk.subarray(0, at));
      detach.abort();
      input.end();
    } else input.write(chunk);
  };
  ctx.signal.addEventListener("abort", () => detach.abort(), { once: true });
  stdin.setRawMode(true);
  stdin.on("data", onData);
  process.stdout.on("resize", resize);
  resize();
  process.stderr.write(`[workspace-shell-attach] shell_id=${shellId} detach=Ctrl-]\r\n`);
  try {
    const s = await pyro.attachShell(
      { workspaceId: workspace, shellId },
      { input, onOutput: (c) => process.stdout.write(c), signal: detach.signal },
    );
    process.stderr.write(`\r\n[workspace-shell-attach] shell_id=${shellId} state=${s.state}\r\n`);
  } finally {
    stdin.off("data", onData);
    process.stdout.off("resize", resize);
    stdin.setRawMode(false);
    stdin.pause();
  }
}

export async function openShell(ctx: CliContext, workspace: string, f: OpenFlags) {
  const s = await (await ctx.pyro()).openShell({
    workspaceId: workspace,
    cwd: f.cwd,
    cols: f.cols,
    rows: f.rows,
    secretEnv: f.secretEnv ?? [],
  });
  if (f.json) printJson(s);
  else if (f.idOnly) process.stdout.write(`${s.shellId}\n`);
  else {
    process.stdout.write(`${s.shellId}\n`);
    shellLine(s);
  }
}

export async function readShell(ctx: CliContext, workspace: string, shellId: string, f: ReadFlags) {
  const r = await (await ctx.pyro()).readShell({
    workspaceId: workspace,
    shellId,
    cursor: f.cursor,
    maxChars: f.maxChars,
    plain: f.plain,
    waitForIdleMs: f.waitForIdleMs,
  });
  if (f.json) return printJson(r);
  process.stdout.write(f.plain && r.output ? `${r.output}\n` : r.output);
  phaseLine("workspace-shell-read", {
    shell_id: r.shellId,
    cursor: r.cursor,
    next_cursor: r.nextCursor,
    truncated: r.truncated,
    state: r.state,
  });
}

export async function writeShell(ctx: CliContext, workspace: string, shellId: string, f: WriteFlags) {
  const r = await (await ctx.pyro()).writeShell({
    workspaceId: workspace,
    shellId,
    input: f.input,
    newline: f.newline,
  });
  if (f.json) printJson(r);
  else phaseLine("workspace-shell-write", { shell_id: r.shellId, bytes: r.bytes });
}

export async function signalShell(ctx: CliContext, workspace: string, shellId: string, f: SignalFlags) {
  const r = await (await ctx.pyro()).signalShell({ workspaceId: workspace, shellId, signal: f.signal });
  if (f.json) printJson(r);
  else phaseLine("workspace-shell-signal", { shell_id: r.shellId, signal: r.signal });
}

export async function closeShell(ctx: CliContext, workspace: string, shellId: string, f: Flags) {
  const s = await (await ctx.pyro()).closeShell({ workspaceId: workspace, shellId });
  if (f.json) printJson(s);
  else shellLine(s);
}

export async function listShells(ctx: CliContext, workspace: string, f: Flags) {
  const r = await (await ctx.pyro()).listShells(workspace);
  if (f.json) return printJson(r);
  for (const s of r.shells) process.stdout.write(`${s.shellId}\t${s.state}\t${s.cwd}\t${s.startedAt}\n`);
}
