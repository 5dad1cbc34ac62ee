/** `pyro workspace service start|list|status|logs|stop`. */
import { Command } from "commander";
import type { Service } from "../../../sdk/index.js";
import { type CliContext, intOption, requireGuestCommand } from "../../context.js";
import { phaseLine, printJson, withJson } from "../../output.js";
import { collect } from "./options.js";

function serviceLine(s: Service): void {
  phaseLine("workspace-service", {
    workspace_id: s.workspaceId,
    service: s.serviceName,
    state: s.state,
    pid: s.pid,
    readiness: s.readiness.type,
    stop_reason: s.stopReason,
    exit_code: s.exitCode,
    published: s.publishedPorts.map((p) => `${p.host}:${p.hostPort}->${p.guestPort}`).join(",") || null,
  });
}

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
    ).action(async (workspace: string, name: string, f) => {
      const command = requireGuestCommand(
        ctx,
        "pyro workspace service start WS web -- python3 -m http.server 8080",
      );
      const s = await ctx.pyro().startService({
        workspaceId: workspace,
        serviceName: name,
        command,
        cwd: f.cwd,
        ...(f.readyFile ? { readyFile: f.readyFile } : {}),
        ...(f.readyTcp ? { readyTcp: f.readyTcp } : {}),
        ...(f.readyHttp ? { readyHttp: f.readyHttp } : {}),
        ...(f.readyCommand ? { readyCommand: f.readyCommand } : {}),
        readyTimeoutSeconds: f.readyTimeoutSeconds,
        readyIntervalMs: f.readyIntervalMs,
        secretEnv: f.secretEnv ?? [],
        publish: f.publish ?? [],
      });
      if (f.json) printJson(s);
      else serviceLine(s);
      if (s.state === "failed") {
        if (!f.json)
          process.stderr.write(`error[service_failed]: service "${name}" failed: ${s.stopReason}\n`);
        ctx.exitCode = 1;
      }
    }),
  );
  service.addCommand(
    withJson(new Command("list").description("services with counts").argument("<workspace>")).action(
      async (workspace: string, f) => {
        const r = await ctx.pyro().listServices(workspace);
        if (f.json) return printJson(r);
        for (const s of r.services) {
          process.stdout.write(
            `${s.serviceName}\t${s.state}\t${s.pid ?? "-"}\t${JSON.stringify(s.command)}\n`,
          );
        }
        phaseLine("workspace-service-list", { count: r.count, running_count: r.runningCount });
      },
    ),
  );
  service.addCommand(
    withJson(
      new Command("status").description("one service's record").argument("<workspace>").argument("<name>"),
    ).action(async (workspace: string, name: string, f) => {
      const s = await ctx.pyro().statusService({ workspaceId: workspace, serviceName: name });
      if (f.json) printJson(s);
      else serviceLine(s);
    }),
  );
  service.addCommand(
    withJson(
      new Command("logs")
        .description("stdout and stderr of a service (kept outside /workspace)")
        .argument("<workspace>")
        .argument("<name>")
        .option("--tail-lines <n>", "last lines of each stream", intOption("--tail-lines"), 100)
        .option("--all", "everything kept", false),
    ).action(async (workspace: string, name: string, f) => {
      const r = await ctx
        .pyro()
        .logsService({ workspaceId: workspace, serviceName: name, tailLines: f.tailLines, all: f.all });
      if (f.json) return printJson(r);
      process.stdout.write(r.stdout);
      process.stderr.write(r.stderr);
    }),
  );
  service.addCommand(
    withJson(
      new Command("stop").description("TERM, then KILL after 5 s").argument("<workspace>").argument("<name>"),
    ).action(async (workspace: string, name: string, f) => {
      const s = await ctx.pyro().stopService({ workspaceId: workspace, serviceName: name });
      if (f.json) printJson(s);
      else serviceLine(s);
    }),
  );
  return service;
}
