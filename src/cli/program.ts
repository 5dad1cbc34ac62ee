/**
 * The `pyro` commander tree, built without running anything: `main.ts` parses argv with it,
 * and tests walk it (the contract doc check) or parse documented command lines against it.
 * Building it loads commander and the flag declarations only; each action imports its
 * implementation (`actions/`), and with it the SDK, when it runs.
 */
import { Command } from "commander";
import { doctorCommand } from "./commands/doctor.js";
import { envCommand } from "./commands/env/index.js";
import { hostCommand } from "./commands/host.js";
import { mcpCommand } from "./commands/mcp.js";
import { demoCommand, runCommand } from "./commands/run.js";
import { workspaceCommand } from "./commands/workspace/index.js";
import type { CliContext } from "./context.js";
import { cliVersion } from "./version.js";

/**
 * The whole command tree bound to `ctx`. Every command throws a `CommanderError` instead of
 * exiting and prints no error itself (`main.ts` owns the one error line); actions run only
 * when a caller parses argv with it.
 */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command("pyro")
    .description("disposable Linux microVMs for coding agents")
    .version(cliVersion(), "--version")
    .option("--verbose", "print error details and stacks")
    .showHelpAfterError(false);
  for (const cmd of [
    runCommand(ctx),
    demoCommand(ctx),
    doctorCommand(ctx),
    envCommand(ctx),
    workspaceCommand(ctx),
    mcpCommand(ctx),
    hostCommand(ctx),
  ]) {
    program.addCommand(cmd);
  }
  const quiet = (cmd: Command): void => {
    cmd.exitOverride().configureOutput({ outputError: () => undefined });
    for (const sub of cmd.commands) quiet(sub);
  };
  quiet(program);
  return program;
}

/** `argv` split at its first `--`: pyro's own arguments, and the guest command after it (undefined without `--`). */
export function splitArgv(argv: readonly string[]): { cliArgv: string[]; guestArgv: string[] | undefined } {
  const dd = argv.indexOf("--");
  return dd >= 0
    ? { cliArgv: argv.slice(0, dd), guestArgv: argv.slice(dd + 1) }
    : { cliArgv: [...argv], guestArgv: undefined };
}
