#!/usr/bin/env node
/**
 * The `pyro` CLI. Commands parse flags, make one SDK call and render; this file owns the one
 * catch that prints `error[CODE]: message` and sets the exit status (usage errors 2).
 *
 * Start-up is paid on every agent's shell call, so this file imports only version.ts up
 * front: `--version` is answered from package.json alone, the command tree (commander plus flag
 * declarations) is loaded next, and each action loads the SDK and whatever else it needs when
 * it runs.
 */
import { cliVersion } from "./version.js";

export async function main(argv: string[]): Promise<number> {
  // The same line commander prints for it, without loading commander and the tree.
  if (argv.length === 1 && argv[0] === "--version") {
    process.stdout.write(`${cliVersion()}\n`);
    return 0;
  }
  // The bundle's source maps lead to src/ (scripts/bundle-cli.mjs). Reading them costs start-up,
  // so only when stacks may be printed; modules loaded from here on are mapped.
  if (argv.includes("--verbose")) process.setSourceMapsEnabled(true);
  const [
    { CommanderError },
    { buildProgram, splitArgv },
    { createContext },
    { printError, printParseError },
  ] = await Promise.all([
    import("commander"),
    import("./program.js"),
    import("./context.js"),
    import("./errors.js"),
  ]);
  // Everything after the first `--` is the guest command, untouched by option parsing.
  const { cliArgv, guestArgv } = splitArgv(argv);
  const abort = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130); // second Ctrl-C: leave now, cleanup already started
    abort.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  // `pyro run ... | head`: the reader went away. Stop (deleting the VM) and leave quietly
  // with the status a SIGPIPE'd process has, instead of an EPIPE stack trace.
  let stdoutClosed = false;
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") throw err;
    stdoutClosed = true;
    abort.abort();
  });
  const ctx = createContext(guestArgv, abort.signal);
  const json = cliArgv.includes("--json");
  const verbose = cliArgv.includes("--verbose");

  const program = buildProgram(ctx);
  try {
    await program.parseAsync(cliArgv, { from: "user" });
    return stdoutClosed ? 141 : ctx.exitCode;
  } catch (err) {
    if (stdoutClosed) return 141;
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.exitCode === 0)
        return 0;
      if (err.code === "commander.help") return 0;
      return await printParseError(err, json, verbose);
    }
    return await printError(err, json, verbose);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
