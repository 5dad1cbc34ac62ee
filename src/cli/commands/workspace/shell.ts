/** `pyro workspace shell open|read|write|signal|close|list`. */
import { Command } from "commander";
import type { Shell } from "../../../sdk/index.js";
import { type CliContext, intOption } from "../../context.js";
import { phaseLine, printJson } from "../../output.js";

const json = (cmd: Command) => cmd.option("--json", "print one JSON document", false);
const shellLine = (s: Shell) =>
  phaseLine("workspace-shell", {
    workspace_id: s.workspaceId,
    shell_id: s.shellId,
    state: s.state,
    cwd: s.cwd,
    exit_code: s.exitCode,
  });

export function shellCommand(ctx: CliContext): Command {
  const shell = new Command("shell").description("persistent PTY shells in a workspace");
  shell.addCommand(
    json(
      new Command("open")
        .description("open a bash PTY that survives between calls")
        .argument("<workspace>")
        .option("--cwd <path>", "start directory inside /workspace", "/workspace")
        .option("--cols <n>", "terminal columns", intOption("--cols"), 120)
        .option("--rows <n>", "terminal rows", intOption("--rows"), 30)
        .option("--id-only", "print only the shell id", false),
    ).action(async (workspace: string, f) => {
      const s = await ctx
        .pyro()
        .openShell({ workspaceId: workspace, cwd: f.cwd, cols: f.cols, rows: f.rows });
      if (f.json) printJson(s);
      else if (f.idOnly) process.stdout.write(`${s.shellId}\n`);
      else {
        process.stdout.write(`${s.shellId}\n`);
        shellLine(s);
      }
    }),
  );
  shell.addCommand(
    json(
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
    json(
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
    json(
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
    json(
      new Command("close").description("end the shell").argument("<workspace>").argument("<shell>"),
    ).action(async (workspace: string, shellId: string, f) => {
      const s = await ctx.pyro().closeShell({ workspaceId: workspace, shellId });
      if (f.json) printJson(s);
      else shellLine(s);
    }),
  );
  shell.addCommand(
    json(new Command("list").description("the workspace's shells").argument("<workspace>")).action(
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
