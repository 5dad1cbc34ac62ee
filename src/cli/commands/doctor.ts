/** `pyro doctor`: what this host can do, and why. Exit 1 when the runtime cannot boot guests. */
import { Command } from "commander";
import type { CliContext } from "../context.js";

export function doctorCommand(ctx: CliContext): Command {
  return new Command("doctor")
    .description("check KVM, the VMMs, acceleration (kvm or tcg) and installed environments")
    .option("--json", "print one JSON document", false)
    .action(async (flags: { json: boolean }) => (await import("../actions/doctor.js")).doctor(ctx, flags));
}
