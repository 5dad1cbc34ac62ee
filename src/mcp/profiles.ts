/**
 * What each MCP profile leaves out of tool inputs (docs/integrations.md: `workspace-core` "narrows
 * schemas"). The full schemas come from the SDK; a profile only removes fields, declared here
 * in one place as snake_case names (what clients see), and a removed field takes its SDK default.
 */
import type { z } from "zod";
import type { McpProfile } from "../contract/choices.js";

/**
 * Fields `workspace-core` hides, by tool. Everyday coding work needs none of them: sizing
 * (`vcpu_count`, `mem_mib`: 1 vCPU, 1024 MiB; `max_pids`: derived from memory;
 * `disk_mib`: 8192 MiB, sparse), lifetime
 * (`ttl_seconds`: 600 s idle; `ttl_action`: pause; `auto_resume`: true), guest network
 * (`network`, `network_policy`: off) and bookkeeping labels, and the `snapshot` of
 * `workspace_reset` (no snapshot tools there: reset restores the baseline). Secrets and network
 * options belong here too (full profile only); `secret_env` of `workspace_exec` stays in core.
 * `vm-run` keeps `vm_run` whole (it is that profile's only tool); `workspace-full` hides nothing.
 */
export const CORE_HIDDEN_FIELDS: Readonly<Record<string, readonly string[]>> = {
  vm_run: ["vcpu_count", "mem_mib", "ttl_seconds", "network", "cold"],
  vm_create: ["vcpu_count", "mem_mib", "ttl_seconds", "network"],
  workspace_create: [
    "vcpu_count",
    "mem_mib",
    "max_pids",
    "disk_mib",
    "ttl_seconds",
    "ttl_action",
    "auto_resume",
    "network_policy",
    "labels",
    "secrets",
    "cold",
  ],
  workspace_update: ["labels", "clear_labels"],
  // workspace-core has no snapshot tools: its reset goes back to the create-time baseline.
  workspace_reset: ["snapshot"],
};

/** Fields each profile hides, by tool name. */
const HIDDEN: Readonly<Record<McpProfile, Readonly<Record<string, readonly string[]>>>> = {
  "vm-run": {},
  "workspace-core": CORE_HIDDEN_FIELDS,
  "workspace-full": {},
};

/**
 * The input schema `tool` advertises and validates under `profile`: `input` (snake_case keys)
 * without the fields {@link CORE_HIDDEN_FIELDS} lists. Strictness is kept, so a client that
 * sends a hidden field gets `invalid_argument` rather than a silently ignored value.
 * @throws Error when a listed field is not in `input` (a stale list fails at registration)
 */
export function profileInput(profile: McpProfile, tool: string, input: z.ZodObject): z.ZodObject {
  const hidden = HIDDEN[profile][tool];
  if (!hidden || hidden.length === 0) return input;
  return input.omit(Object.fromEntries(hidden.map((field) => [field, true])) as Record<string, true>);
}
