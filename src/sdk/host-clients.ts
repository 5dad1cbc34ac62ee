/**
 * MCP client onramps (`pyro host ...`): the pyro entry of Claude Code, Codex and OpenCode
 * configs, printed, written, checked and repaired (src/core/host-clients/). Host-side file
 * edits only; no `Pyro` instance, no VM. The implementation, with its TOML and JSONC
 * libraries, loads on first call: `import("pyro-mcp")` does not pay for it.
 */
import type {
  ConfigChange,
  DoctorResult,
  OnrampOptions,
  PrintedConfig,
  RepairResult,
} from "../core/host-clients/onramp.js";

export type { HostContext, ServerEntry } from "../core/host-clients/clients.js";
export {
  HOST_PROBLEM_CODES,
  type HostProblem,
  type HostProblemCode,
  type PyroLauncher,
} from "../core/host-clients/entry-check.js";
export type { ConfigChange, DoctorResult, OnrampOptions, PrintedConfig, RepairResult };

const onramp = () => import("../core/host-clients/onramp.js");

/** The entry `connectClient` would write into an empty config, and a file holding only it. @throws PyroError usage (scope) */
export async function printConfig(options: OnrampOptions): Promise<PrintedConfig> {
  return (await onramp()).printConfig(options);
}

/**
 * Writes (with `dryRun`: shows as a diff) this pyro's entry into the client's config, merged,
 * the old file backed up. @throws PyroError invalid_argument (file does not parse), usage (scope)
 */
export async function connectClient(options: OnrampOptions): Promise<ConfigChange> {
  return (await onramp()).connectClient(options);
}

/** The client's pyro entry and its problems (stable codes, {@link HOST_PROBLEM_CODES}). */
export async function doctorClient(options: OnrampOptions): Promise<DoctorResult> {
  return (await onramp()).doctorClient(options);
}

/** Rewrites an entry with problems as `connectClient` would. @throws PyroError invalid_argument (file does not parse) */
export async function repairClient(options: OnrampOptions): Promise<RepairResult> {
  return (await onramp()).repairClient(options);
}
