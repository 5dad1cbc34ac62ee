/** `pyro workspace ...`: persistent microVMs with a /workspace (docs/workspaces.md). */
import { Command } from "commander";
import type { CliContext } from "../../context.js";
import { diskCommand, forkCommand, pauseCommand, resumeCommand, startCommand, stopCommand } from "./disk.js";
import { execCommand } from "./exec.js";
import { fileCommand } from "./file.js";
import {
  createCommand,
  deleteCommand,
  listCommand,
  logsCommand,
  statusCommand,
  updateCommand,
} from "./lifecycle.js";
import { serviceCommand } from "./service.js";
import { shellCommand } from "./shell.js";
import { resetCommand, snapshotCommand } from "./snapshot.js";
import { summaryCommand } from "./summary.js";
import { diffCommand, exportCommand, patchCommand, syncCommand } from "./work.js";

export function workspaceCommand(ctx: CliContext): Command {
  const ws = new Command("workspace").description(
    "persistent workspaces: a microVM with /workspace, over many calls",
  );
  for (const make of [
    createCommand,
    listCommand,
    updateCommand,
    statusCommand,
    logsCommand,
    summaryCommand,
    deleteCommand,
    execCommand,
    syncCommand,
    exportCommand,
    diffCommand,
    fileCommand,
    patchCommand,
    snapshotCommand,
    resetCommand,
    shellCommand,
    serviceCommand,
    stopCommand,
    startCommand,
    pauseCommand,
    resumeCommand,
    forkCommand,
    diskCommand,
  ]) {
    ws.addCommand(make(ctx));
  }
  return ws;
}
