/** `pyro run ENV [flags] -- CMD...`: one-shot microVM. Exits with the guest command's exit code. */
import { Command } from "commander";
import type { RunFlags } from "../actions/run.js";
import { type CliContext, requireGuestCommand } from "../context.js";
import {
  DEFAULT_MEM_MIB,
  DEFAULT_TIMEOUT_SECONDS,
  DEFAULT_TTL_SECONDS,
  DEFAULT_VCPU_COUNT,
} from "../defaults.js";
import { intOption } from "../flags.js";

/** Adds the VM sizing flags shared by `run` and `demo`. */
export function vmFlags(cmd: Command): Command {
  return cmd
    .option("--vcpu-count <n>", "virtual CPUs", intOption("--vcpu-count"), DEFAULT_VCPU_COUNT)
    .option("--mem-mib <n>", "guest memory in MiB", intOption("--mem-mib"), DEFAULT_MEM_MIB)
    .option(
      "--timeout-seconds <n>",
      "command time limit in seconds",
      intOption("--timeout-seconds"),
      DEFAULT_TIMEOUT_SECONDS,
    )
    .option(
      "--ttl-seconds <n>",
      "idle seconds before the VM is reaped",
      intOption("--ttl-seconds"),
      DEFAULT_TTL_SECONDS,
    )
    .option("--network", "give the guest outbound network access", false)
    .option("--cold", "boot the kernel instead of restoring a VM template", false)
    .option("--json", "print one JSON document", false);
}

/** `-i`: pyro's stdin to the command (run only; demo has no command of yours). */
export function interactiveFlag(cmd: Command): Command {
  return cmd.option("-i, --interactive", "pass pyro's stdin to the command, streamed (default: none)", false);
}

export function runCommand(ctx: CliContext): Command {
  return vmFlags(
    interactiveFlag(new Command("run"))
      .description("boot a fresh microVM, run one command in it, delete it")
      .argument("<environment>", 'environment name, e.g. "debian:12"')
      .usage("ENV [options] -- CMD...")
      .addHelpText("after", "\nExample:\n  pyro run debian:12 -- git --version"),
  ).action(async (environment: string, f: RunFlags) => {
    const command = requireGuestCommand(ctx, "pyro run debian:12 -- git --version");
    await (await import("../actions/run.js")).run(ctx, environment, command, f);
  });
}

export function demoCommand(ctx: CliContext): Command {
  return vmFlags(
    new Command("demo").description("prove the create/start/exec/delete lifecycle with `git --version`"),
  ).action(async (f: RunFlags) => (await import("../actions/run.js")).demo(ctx, f));
}
