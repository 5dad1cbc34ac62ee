/**
 * MCP client onramps (`pyro host ...`): the pyro entry of Claude Code, Codex and OpenCode
 * configs, printed, written, checked and repaired. Host-side file edits only; no `Pyro`
 * instance, no VM. The logic is in src/core/host-clients/.
 */
export {
  HOST_CLIENTS,
  HOST_SCOPES,
  type HostClient,
  type HostContext,
  type HostScope,
  type ServerEntry,
} from "../core/host-clients/clients.js";
export {
  HOST_PROBLEM_CODES,
  type HostProblem,
  type HostProblemCode,
  type PyroLauncher,
} from "../core/host-clients/entry-check.js";
export {
  type ConfigChange,
  connectClient,
  type DoctorResult,
  doctorClient,
  type OnrampOptions,
  type PrintedConfig,
  printConfig,
  type RepairResult,
  repairClient,
} from "../core/host-clients/onramp.js";
