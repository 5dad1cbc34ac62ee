/** `pyro workspace file list|read|write`. */
import { Command } from "commander";
import type { ListFlags, ReadFlags, WriteFlags } from "../../actions/workspace/file.js";
import type { CliContext } from "../../context.js";
import { intOption, plainOnlyOption, withJson } from "../../flags.js";

const actions = () => import("../../actions/workspace/file.js");

export function fileCommand(ctx: CliContext): Command {
  const file = new Command("file").description("list, read and write files in /workspace");
  file.addCommand(
    withJson(
      new Command("list")
        .description("list a directory of /workspace (or one file)")
        .argument("<workspace>")
        .argument("[path]", "inside /workspace", "/workspace")
        .option("--recursive", "descend into directories", false),
    ).action(async (workspace: string, path: string, f: ListFlags) =>
      (await actions()).listWorkspaceFiles(ctx, workspace, path, f),
    ),
  );
  file.addCommand(
    withJson(
      new Command("read")
        .description("print a file of /workspace")
        .argument("<workspace>")
        .argument("<path>")
        .option("--max-bytes <n>", "bytes to read at most", intOption("--max-bytes"), 65536)
        .addOption(plainOnlyOption("--content-only", "print only the content, no summary line")),
    ).action(async (workspace: string, path: string, f: ReadFlags) =>
      (await actions()).readWorkspaceFile(ctx, workspace, path, f),
    ),
  );
  file.addCommand(
    withJson(
      new Command("write")
        .description("write a text file in /workspace (at most 1 MiB, atomic)")
        .argument("<workspace>")
        .argument("<path>")
        .option("--text <text>", "the new content")
        .option("--text-file <path>", "a host file holding the new content"),
    ).action(async (workspace: string, path: string, f: WriteFlags) =>
      (await actions()).writeWorkspaceFile(ctx, workspace, path, f),
    ),
  );
  return file;
}
