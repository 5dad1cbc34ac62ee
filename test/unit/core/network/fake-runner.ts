/** A recording {@link CommandRunner} for firewall tests: answers from a table, records every argv. */
import type { CommandResult, CommandRunner } from "../../../../src/core/network/command.js";

export interface FakeRunner {
  run: CommandRunner;
  /** Every call as one space-joined line (stdin after ` <<< ` when given). */
  calls: string[];
}

/** `answer` returns the result for a call, or undefined for `{ code: 0 }` with empty output. */
export function fakeRunner(
  answer: (line: string) => Partial<CommandResult> | undefined = () => undefined,
): FakeRunner {
  const calls: string[] = [];
  const run: CommandRunner = async (argv, input) => {
    const line = argv.join(" ");
    calls.push(input === undefined ? line : `${line} <<< ${input}`);
    return { code: 0, stdout: "", stderr: "", ...answer(line) };
  };
  return { run, calls };
}
