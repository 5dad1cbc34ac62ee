/** MCP `shell_*` and `service_*` tools (workspace-full profile). */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import * as records from "../../contract/records/index.js";
import { type Pyro, schemas } from "../../sdk/index.js";
import { defineTool, HINTS, type McpProfile, registerToolTable, type ToolSpec } from "../tool.js";

const FULL: readonly McpProfile[] = ["workspace-full"];
const RefInput = z.object({ workspaceId: schemas.WorkspaceRef }).strict();
const READ = HINTS.read;
const WRITE = HINTS.write;
const DESTROY = HINTS.destroy;

export function runtimeTools(pyro: Pyro): ToolSpec[] {
  return [
    defineTool({
      name: "shell_open",
      title: "Open a shell",
      description:
        "Open a persistent interactive bash PTY in a workspace. Use it for stateful terminal work (cd, export, " +
        "interactive tools) across calls; use workspace_exec for one-off commands.",
      profiles: FULL,
      input: schemas.OpenShellInputSchema,
      output: records.ShellSchema,
      annotations: WRITE,
      call: (input) => pyro.openShell(input),
    }),
    defineTool({
      name: "shell_read",
      title: "Read shell output",
      description:
        "Read a shell's output from a cursor (pass next_cursor from the last read). Use plain=true for clean " +
        "text and wait_for_idle_ms to wait until the command has finished printing.",
      profiles: FULL,
      input: schemas.ReadShellInputSchema,
      output: records.ShellReadSchema,
      streams: ["output"],
      annotations: READ,
      call: (input) => pyro.readShell(input),
    }),
    defineTool({
      name: "shell_write",
      title: "Type into a shell",
      description: "Type text into a shell; Enter is pressed afterwards unless newline=false.",
      profiles: FULL,
      input: schemas.WriteShellInputSchema,
      output: records.ShellWriteSchema,
      annotations: WRITE,
      call: (input) => pyro.writeShell(input),
    }),
    defineTool({
      name: "shell_signal",
      title: "Signal a shell",
      description: "Send a signal (INT like Ctrl-C, TERM, HUP, KILL) to the shell's foreground process.",
      profiles: FULL,
      input: schemas.SignalShellInputSchema,
      output: records.ShellSignalSchema,
      annotations: WRITE,
      call: (input) => pyro.signalShell(input),
    }),
    defineTool({
      name: "shell_close",
      title: "Close a shell",
      description: "End a shell and everything it started.",
      profiles: FULL,
      input: schemas.ShellRefInputSchema,
      output: records.ShellSchema,
      annotations: DESTROY,
      call: (input) => pyro.closeShell(input),
    }),
    defineTool({
      name: "service_start",
      title: "Start a service",
      description:
        "Start a long-running process (dev server, database; command: a string runs as `sh -lc STRING`, an " +
        "argv array as given) and wait until its readiness probe passes " +
        "(ready_http, ready_tcp, ready_file or ready_command). A service that is not ready in time comes back " +
        "with state failed and stop_reason.",
      profiles: FULL,
      input: schemas.StartServiceInputSchema,
      output: records.ServiceSchema,
      annotations: WRITE,
      call: (input) => pyro.startService(input),
    }),
    defineTool({
      name: "service_list",
      title: "List services",
      description: "List a workspace's services with their states and counts.",
      profiles: FULL,
      input: RefInput,
      output: records.ServiceListSchema,
      annotations: READ,
      call: (input) => pyro.listServices(input.workspaceId),
    }),
    defineTool({
      name: "service_status",
      title: "Service status",
      description: "Show one service's state, pid, readiness and exit details.",
      profiles: FULL,
      input: schemas.ServiceRefInputSchema,
      output: records.ServiceSchema,
      annotations: READ,
      call: (input) => pyro.statusService(input),
    }),
    defineTool({
      name: "service_logs",
      title: "Service logs",
      description: "Read the last lines (tail_lines, default 100) or all kept stdout/stderr of a service.",
      profiles: FULL,
      input: schemas.LogsServiceInputSchema,
      output: records.ServiceLogsSchema,
      streams: ["stdout", "stderr"],
      annotations: READ,
      call: (input) => pyro.logsService(input),
    }),
    defineTool({
      name: "service_stop",
      title: "Stop a service",
      description: "Stop a service: TERM to its whole process group, KILL after 5 s.",
      profiles: FULL,
      input: schemas.ServiceRefInputSchema,
      output: records.ServiceSchema,
      annotations: DESTROY,
      call: (input) => pyro.stopService(input),
    }),
  ];
}

export function registerRuntimeTools(server: McpServer, pyro: Pyro, profile: McpProfile): void {
  registerToolTable(server, profile, runtimeTools(pyro));
}
