/** Flag helpers for the command declarations; they load nothing beyond commander. */
import type { Command } from "commander";
import { UsageError } from "./errors.js";

/** Adds the `--json` flag every command has. */
export function withJson(cmd: Command): Command {
  return cmd.option("--json", "print one JSON document", false);
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
