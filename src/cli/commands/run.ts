/** `pyro run ENV [flags] -- CMD...`: one-shot microVM. Exits with the guest command's exit code. */
import { Command } from "commander";
import {
  DEFAULT_MEM_MIB,
  DEFAULT_TIMEOUT_SECONDS,
  DEFAULT_TTL_SECONDS,
  DEFAULT_VCPU_COUNT,
  type RunHooks,
} from "../../sdk/index.js";
import { type CliContext, intOption, requireGuestCommand } from "../context.js";
import { phaseLine, printJson } from "../output.js";

interface RunFlags {
  vcpuCount: number;
  memMib: number;
  timeoutSeconds: number;
  ttlSeconds: number;
  network: boolean;
  json: boolean;
}

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
    .option("--json", "print one JSON document", false);
}

/** Runs `command` in a fresh VM and reports like `pyro run` does. Shared with `demo`. */
export async function runAndReport(ctx: CliContext, environment: string, command: string[], flags: RunFlags) {
  const hooks: RunHooks = { signal: ctx.signal };
  if (!flags.json) {
    hooks.onPhase = (phase, fields) => phaseLine("run", { phase, ...fields });
    hooks.onStdout = (chunk) => process.stdout.write(chunk);
    hooks.onStderr = (chunk) => process.stderr.write(chunk);
  }
  const result = await ctx.pyro().run(
    {
      environment,
      command,
      vcpuCount: flags.vcpuCount,
      memMib: flags.memMib,
      timeoutSeconds: flags.timeoutSeconds,
      ttlSeconds: flags.ttlSeconds,
      network: flags.network,
    },
    hooks,
  );
  if (flags.json) printJson(result);
  else {
    phaseLine("run", {
      environment: result.environment,
      execution_mode: result.executionMode,
      acceleration: result.acceleration,
      exit_code: result.exitCode,
      duration_ms: result.durationMs,
    });
  }
  ctx.exitCode = result.exitCode;
}

export function runCommand(ctx: CliContext): Command {
  return vmFlags(
    new Command("run")
      .description("boot a fresh microVM, run one command in it, delete it")
      .argument("<environment>", 'environment name, e.g. "debian:12"')
      .usage("ENV [options] -- CMD...")
      .addHelpText("after", "\nExample:\n  pyro run debian:12 -- git --version"),
  ).action(async (environment: string, flags: RunFlags) => {
    const command = requireGuestCommand(ctx, "pyro run debian:12 -- git --version");
    await runAndReport(ctx, environment, command, flags);
  });
}

export function demoCommand(ctx: CliContext): Command {
  return vmFlags(
    new Command("demo").description("prove the create/start/exec/delete lifecycle with `git --version`"),
  ).action(async (flags: RunFlags) => {
    await runAndReport(ctx, "debian:12", ["git", "--version"], flags);
  });
}
