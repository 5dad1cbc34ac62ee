/** MCP `vm_*` tools: the one-shot run and the VM lifecycle, mirroring the SDK's `*Vm` methods. */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import * as records from "../../contract/records/index.js";
import { type Pyro, schemas } from "../../sdk/index.js";
import { defineTool, HINTS, type McpProfile, registerToolTable, type ToolSpec } from "../tool.js";

const ALL: readonly McpProfile[] = ["vm-run", "workspace-core", "workspace-full"];
const WORKSPACE: readonly McpProfile[] = ["workspace-core", "workspace-full"];

/** Input of the tools that take only a VM id (the SDK methods take a bare string). */
const VmIdInput = z.object({ vmId: schemas.VmId }).strict();
/** Input of the tools that take no arguments. */
const NoInput = z.object({}).strict();

const READ = HINTS.read;
/** Start and stop: a change that repeating leaves as it is. */
const SWITCH = { ...HINTS.write, idempotentHint: true };

/** Command output, shown as text blocks after the record's other fields. */
const OUTPUT = ["stdout", "stderr"] as const;

/** The `vm_*` tool table, bound to `pyro`. */
export function vmTools(pyro: Pyro): ToolSpec[] {
  return [
    defineTool({
      name: "vm_run",
      title: "Run a command in a fresh VM",
      description:
        "Run one command in a fresh disposable Linux microVM and return its exit code, stdout and stderr; " +
        "the VM is deleted afterwards. command: a string runs as `sh -lc STRING` (pipes, &&), an argv array " +
        "runs as given. Use for one-off commands; use workspaces for multi-step work.",
      profiles: ALL,
      input: schemas.RunInputSchema,
      output: records.RunResultSchema,
      streams: OUTPUT,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: true,
      },
      call: (input, signal) => pyro.run(input, { signal }),
    }),
    defineTool({
      name: "vm_list_environments",
      title: "List environments",
      description:
        "List the Linux environments a VM can boot (e.g. debian:12) and whether each is installed. " +
        "Use it to choose the `environment` argument of vm_run or vm_create.",
      profiles: WORKSPACE,
      input: NoInput,
      output: records.EnvironmentListSchema,
      annotations: READ,
      call: () => pyro.listEnvironments(),
    }),
    defineTool({
      name: "vm_create",
      title: "Create a VM",
      description:
        "Create a microVM from an installed environment without booting it and return its vm_id. " +
        "Follow with vm_start and vm_exec; for a single command vm_run does all three.",
      profiles: WORKSPACE,
      input: schemas.CreateVmInputSchema,
      output: records.VmSchema,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
      call: (input) => pyro.createVm(input),
    }),
    defineTool({
      name: "vm_start",
      title: "Start a VM",
      description:
        "Boot a created VM and wait until its guest agent answers (state becomes started). " +
        "Starting a VM that already runs does nothing.",
      profiles: WORKSPACE,
      input: VmIdInput,
      output: records.VmSchema,
      annotations: SWITCH,
      call: (input) => pyro.startVm(input.vmId),
    }),
    defineTool({
      name: "vm_exec",
      title: "Run a command in a started VM",
      description:
        "Run one command in a started VM and return its exit code, stdout and stderr (command: a string runs " +
        "as `sh -lc STRING`, an argv array as given). The VM is deleted afterwards (see cleanup in the result), " +
        "so call it once per VM.",
      profiles: WORKSPACE,
      input: schemas.ExecVmInputSchema,
      output: records.VmExecResultSchema,
      streams: OUTPUT,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
      call: (input, signal) => pyro.execVm(input, { signal }),
    }),
    defineTool({
      name: "vm_stop",
      title: "Stop a VM",
      description:
        "Power a VM off; its record stays until vm_delete or its TTL. Stopping a stopped VM does nothing.",
      profiles: WORKSPACE,
      input: VmIdInput,
      output: records.VmSchema,
      annotations: SWITCH,
      call: (input) => pyro.stopVm(input.vmId),
    }),
    defineTool({
      name: "vm_delete",
      title: "Delete a VM",
      description: "Kill a VM if it runs and remove all of its state. Use when you no longer need a VM.",
      profiles: WORKSPACE,
      input: VmIdInput,
      output: records.VmDeleteSchema,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
      call: (input) => pyro.deleteVm(input.vmId),
    }),
    defineTool({
      name: "vm_status",
      title: "VM status",
      description:
        "Return a VM's record: state (created, started, stopped, failed), size, acceleration, " +
        "boot time, expiry and last error. Use it to check a VM before vm_exec.",
      profiles: WORKSPACE,
      input: VmIdInput,
      output: records.VmSchema,
      annotations: READ,
      call: (input) => pyro.statusVm(input.vmId),
    }),
    defineTool({
      name: "vm_network_info",
      title: "VM network info",
      description:
        "Return a VM's network facts: whether networking is enabled and its guest IP, host IP and tap " +
        "device (null when the VM has no network).",
      profiles: WORKSPACE,
      input: VmIdInput,
      output: records.VmNetworkInfoSchema,
      annotations: READ,
      call: (input) => pyro.networkInfoVm(input.vmId),
    }),
    defineTool({
      name: "vm_reap_expired",
      title: "Reap expired VMs",
      description:
        "Delete every VM that has been idle longer than its TTL, pause every such workspace (delete it when it " +
        "was created with ttl_action delete), and return their ids. Use to clean up VMs left behind.",
      profiles: WORKSPACE,
      input: NoInput,
      output: records.ReapResultSchema,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
      call: () => pyro.reapExpired(),
    }),
  ];
}

/** Registers the `vm_*` tools `profile` exposes (`vm-run`: only `vm_run`; the others: all ten). */
export function registerVmTools(server: McpServer, pyro: Pyro, profile: McpProfile): void {
  registerToolTable(server, profile, vmTools(pyro));
}
