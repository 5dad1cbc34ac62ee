/** `pyro workspace shell open|read|write|signal|attach|close|list`. */
import { Command } from "commander";
import { SHELL_SIGNALS } from "../../../contract/choices.js";
import type { OpenFlags, ReadFlags, SignalFlags, WriteFlags } from "../../actions/workspace/shell.js";
import type { CliContext } from "../../context.js";
import { choiceOption, intOption, plainOnlyOption, withJson } from "../../flags.js";
import { collect } from "./options.js";

type Flags = { json: boolean };
const actions = () => import("../../actions/workspace/shell.js");

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
        .addOption(plainOnlyOption("--id-only", "print only the shell id")),
    ).action(async (workspace: string, f: OpenFlags) => (await actions()).openShell(ctx, workspace, f)),
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
    ).action(async (workspace: string, shellId: string, f: ReadFlags) =>
      (await actions()).readShell(ctx, workspace, shellId, f),
    ),
  );
  shell.addCommand(
    withJson(
      new Command("write")
        .description("type input into the shell (Enter appended unless --no-newline)")
        .argument("<workspace>")
        .argument("<shell>")
        .requiredOption("--input <text>", "text to type")
        .option("--no-newline", "do not press Enter after the input"),
    ).action(async (workspace: string, shellId: string, f: WriteFlags) =>
      (await actions()).writeShell(ctx, workspace, shellId, f),
    ),
  );
  shell.addCommand(
    withJson(
      new Command("signal")
        .description("signal the shell's foreground process group")
        .argument("<workspace>")
        .argument("<shell>")
        .addOption(choiceOption("--signal <name>", "signal to send", SHELL_SIGNALS, "INT")),
    ).action(async (workspace: string, shellId: string, f: SignalFlags) =>
      (await actions()).signalShell(ctx, workspace, shellId, f),
    ),
  );
  shell.addCommand(
    new Command("attach")
      .description("a live terminal on the shell (Ctrl-] detaches; the shell keeps running)")
      .argument("<workspace>")
      .argument("<shell>")
      .action(async (workspace: string, shellId: string) =>
        (await actions()).attachShell(ctx, workspace, shellId),
      ),
  );
  shell.addCommand(
    withJson(
      new Command("close").description("end the shell").argument("<workspace>").argument("<shell>"),
    ).action(async (workspace: string, shellId: string, f: Flags) =>
      (await actions()).closeShell(ctx, workspace, shellId, f),
    ),
  );
  shell.addCommand(
    withJson(new Command("list").description("the workspace's shells").argument("<workspace>")).action(
      async (workspace: string, f: Flags) => (await actions()).listShells(ctx, workspace, f),
    ),
  );
  return shell;
}
