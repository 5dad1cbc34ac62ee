/** Flag helpers for the command declarations; they load nothing beyond commander. */
import { type Command, Option } from "commander";
import { UsageError } from "./errors.js";

/** Adds the `--json` flag every command has. */
export function withJson(cmd: Command): Command {
  return cmd.option("--json", "print one JSON document", false);
}

/**
 * A flag that trims the human output to one part (`--id-only`, `--content-only`). `--json`
 * prints the whole record instead, so giving both is a usage error while parsing.
 */
export function plainOnlyOption(flags: string, description: string): Option {
  return new Option(flags, description).default(false).conflicts("json");
}

/**
 * A flag taking one value of a closed set (`choices`, from src/contract/choices.ts). Commander
 * checks it while parsing: anything else is a usage error listing the choices, before any
 * action or the SDK loads. `--help` shows the choices and the default.
 */
export function choiceOption(
  flags: string,
  description: string,
  choices: readonly string[],
  defaultValue: string,
): Option {
  return new Option(flags, description).choices(choices).default(defaultValue);
}

/** Commander option parser for integer flags: a non-number is a usage error naming the flag. */
export function intOption(flag: string) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value.trim())) {
      throw new UsageError(`${flag} expects a whole number, got "${value}"`);
    }
    return Number(value);
  };
}
