/** `pyro workspace shell open|read|write|signal|close|list`. */

import { PassThrough } from "node:stream";
import { Command } from "commander";
import { PyroError, type Shell } from "../../../sdk/index.js";
import { type CliContext, intOption } from "../../context.js";
import { phaseLine, printJson, withJson } from "../../output.js";
import { collect } from "./options.js";

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

async function attach(ctx: CliContext, workspace: string, shellId: string): Promise<void> {
  const stdin = process.stdin;
  if (!stdin.isTTY || !process.stdout.isTTY) {
    throw new PyroError("usage", "shell attach needs an interactive terminal; use shell write/read instead");
  }
  const pyro = ctx.pyro();
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

export function shellCommand(ctx: CliContext): Command {
  const shell = new Command("shell").description("persistent PTY shells in a workspace");
  shell.addCommand(
    withJson(
      new Command("open")
        .description("open a bash PTY that survives between calls")
        .argument("<workspace>")
        .option("--cwd <path>", "start directory inside /workspace", "/workspace")
        .option("--cols <n>", "terminal columns", intOption("--cols"), 120)
        .option("--rows <n>", "terminal rows", intOption("--rows"), 30)
        .option(
          "--secret-env <name[=env_var]>",
          "expose a workspace secret as an environment variable (repeatable)",
          collect,
        )
        .option("--id-only", "print only the shell id", false),
    ).action(async (workspace: string, f) => {
      const s = await ctx.pyro().openShell({
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
    }),
  );
  shell.addCommand(
    withJson(
      new Command("read")
        .description("read shell output from a cursor")
        .argument("<workspace>")
        .argument("<shell>")
        .option("--cursor <n>", "byte offset (next_cursor of the previous read)", intOption("--cursor"), 0)
        .option("--max-chars <n>", "most output to return", intOption("--max-chars"), 65536)
        .option("--plain", "render as plain text, without terminal control sequences", false)
        .option(
          "--wait-for-idle-ms <n>",
          "wait until output has been quiet this long",
          intOption("--wait-for-idle-ms"),
          0,
        ),
    ).action(async (workspace: string, shellId: string, f) => {
      const r = await ctx.pyro().readShell({
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
    }),
  );
  shell.addCommand(
    withJson(
      new Command("write")
        .description("type input into the shell (Enter appended unless --no-newline)")
        .argument("<workspace>")
        .argument("<shell>")
        .requiredOption("--input <text>", "text to type")
        .option("--no-newline", "do not press Enter after the input"),
    ).action(async (workspace: string, shellId: string, f) => {
      const r = await ctx
        .pyro()
        .writeShell({ workspaceId: workspace, shellId, input: f.input, newline: f.newline });
      if (f.json) printJson(r);
      else phaseLine("workspace-shell-write", { shell_id: r.shellId, bytes: r.bytes });
    }),
  );
  shell.addCommand(
    withJson(
      new Command("signal")
        .description("signal the shell's foreground process group")
        .argument("<workspace>")
        .argument("<shell>")
        .option("--signal <name>", "HUP | INT | TERM | KILL", "INT"),
    ).action(async (workspace: string, shellId: string, f) => {
      const r = await ctx.pyro().signalShell({ workspaceId: workspace, shellId, signal: f.signal });
      if (f.json) printJson(r);
      else phaseLine("workspace-shell-signal", { shell_id: r.shellId, signal: r.signal });
    }),
  );
  shell.addCommand(
    new Command("attach")
      .description("a live terminal on the shell (Ctrl-] detaches; the shell keeps running)")
      .argument("<workspace>")
      .argument("<shell>")
      .action(async (workspace: string, shellId: string) => attach(ctx, workspace, shellId)),
  );
  shell.addCommand(
    withJson(
      new Command("close").description("end the shell").argument("<workspace>").argument("<shell>"),
    ).action(async (workspace: string, shellId: string, f) => {
      const s = await ctx.pyro().closeShell({ workspaceId: workspace, shellId });
      if (f.json) printJson(s);
      else shellLine(s);
    }),
  );
  shell.addCommand(
    withJson(new Command("list").description("the workspace's shells").argument("<workspace>")).action(
      async (workspace: string, f) => {
        const r = await ctx.pyro().listShells(workspace);
        if (f.json) return printJson(r);
        for (const s of r.shells)
          process.stdout.write(`${s.shellId}\t${s.state}\t${s.cwd}\t${s.startedAt}\n`);
      },
    ),
  );
  return shell;
}
