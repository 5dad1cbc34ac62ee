/** `pyro workspace service start|list|status|logs|stop`. */
import { Command } from "commander";
import type { ServiceLogsFlags, StartServiceFlags } from "../../actions/workspace/service.js";
import { type CliContext, requireGuestCommand } from "../../context.js";
import { intOption, withJson } from "../../flags.js";
import { collect } from "./options.js";

type Flags = { json: boolean };
const actions = () => import("../../actions/workspace/service.js");

export function serviceCommand(ctx: CliContext): Command {
  const service = new Command("service").description("long-running processes with readiness probes");
  service.addCommand(
    withJson(
      new Command("start")
        .description("start NAME and wait until it is ready (exit 1 when it fails)")
        .argument("<workspace>")
        .argument("<name>")
        .usage("WORKSPACE NAME [options] -- CMD...")
        .option("--cwd <path>", "working directory inside /workspace", "/workspace")
        .option("--ready-file <path>", "ready once this file exists")
        .option("--ready-tcp <host:port>", "ready once this accepts connections")
        .option("--ready-http <url>", "ready once this answers below 500")
        .option("--ready-command <cmd>", "ready once `sh -c CMD` exits 0")
        .option(
          "--ready-timeout-seconds <n>",
          "seconds to become ready",
          intOption("--ready-timeout-seconds"),
          30,
        )
        .option("--ready-interval-ms <n>", "probe interval", intOption("--ready-interval-ms"), 500)
        .option(
          "--secret-env <name[=env_var]>",
          "expose a workspace secret as an environment variable (repeatable)",
          collect,
        )
        .option(
          "--publish <[host_port:]guest_port>",
          "forward 127.0.0.1:HOST_PORT on the host to the guest port while the service runs (repeatable; policy egress+published-ports)",
          collect,
        ),
    ).action(async (workspace: string, name: string, f: StartServiceFlags) => {
      const command = requireGuestCommand(
        ctx,
        "pyro workspace service start WS web -- python3 -m http.server 8080",
      );
      await (await actions()).startService(ctx, workspace, name, command, f);
    }),
  );
  service.addCommand(
    withJson(new Command("list").description("services with counts").argument("<workspace>")).action(
      async (workspace: string, f: Flags) => (await actions()).listServices(ctx, workspace, f),
    ),
  );
  service.addCommand(
    withJson(
      new Command("status").description("one service's record").argument("<workspace>").argument("<name>"),
    ).action(async (workspace: string, name: string, f: Flags) =>
      (await actions()).statusService(ctx, workspace, name, f),
    ),
  );
  service.addCommand(
    withJson(
      new Command("logs")
        .description("stdout and stderr of a service (kept outside /workspace)")
        .argument("<workspace>")
        .argument("<name>")
        .option("--tail-lines <n>", "last lines of each stream", intOption("--tail-lines"), 100)
        .option("--all", "everything kept", false),
    ).action(async (workspace: string, name: string, f: ServiceLogsFlags) =>
      (await actions()).logsService(ctx, workspace, name, f),
    ),
  );
  service.addCommand(
    withJson(
      new Command("stop").description("TERM, then KILL after 5 s").argument("<workspace>").argument("<name>"),
    ).action(async (workspace: string, name: string, f: Flags) =>
      (await actions()).stopService(ctx, workspace, name, f),
    ),
  );
  return service;
}
