/** `pyro prepare [ENV]`: build an environment's VM templates ahead of the first run. */
import { Command } from "commander";
import type { PrepareFlags } from "../actions/prepare.js";
import type { CliContext } from "../context.js";
import { DEFAULT_MEM_MIB, DEFAULT_VCPU_COUNT } from "../defaults.js";
import { intOption } from "../flags.js";

export function prepareCommand(ctx: CliContext): Command {
  return new Command("prepare")
    .description("build an environment's VM templates now, so runs and workspaces restore instead of booting")
    .argument("[environment]", 'environment name, e.g. "debian:12"', "debian:12")
    .option(
      "--vcpu-count <n>",
      "virtual CPUs of the guests to prepare for",
      intOption("--vcpu-count"),
      DEFAULT_VCPU_COUNT,
    )
    .option("--mem-mib <n>", "guest memory in MiB", intOption("--mem-mib"), DEFAULT_MEM_MIB)
    .option(
      "--disk-mib <n>",
      "workspace disk size in MiB, at least the environment image's (default 8192)",
      intOption("--disk-mib"),
    )
    .option("--json", "print one JSON document", false)
    .addHelpText("after", "\nExample:\n  pyro prepare debian:12")
    .action(async (environment: string, f: PrepareFlags) =>
      (await import("../actions/prepare.js")).prepare(ctx, environment, f),
    );
}
