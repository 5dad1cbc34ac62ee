/**
 * Host-side types of the guest agent protocol, version 1 (docs/agent-protocol.md is the
 * contract; guest/internal/api holds the Go twin; the golden files in protocol/guest pin the
 * JSON for both, test/unit/agent/protocol-golden.test.ts here). No zod here: `workspace exec`
 * imports this module and loads no zod. Answer schemas are in answers.ts, the exec event
 * check in exec-events.ts.
 */
import { PyroError } from "../errors.js";

export const PROTOCOL_VERSION = 1;

/** `GET /v1/info`. */
export interface AgentInfo {
  agent_version: string;
  protocol_version: number;
  capabilities: string[];
  boot_ms?: number;
  kernel?: string;
}

/** Checks the shape of a `GET /v1/info` answer. @throws PyroError guest_protocol_mismatch */
export function parseAgentInfo(value: unknown): AgentInfo {
  const v = value as Partial<AgentInfo> | undefined;
  if (
    typeof v?.agent_version !== "string" ||
    !Number.isInteger(v.protocol_version) ||
    !Array.isArray(v.capabilities) ||
    !v.capabilities.every((c) => typeof c === "string")
  ) {
    throw new PyroError("guest_protocol_mismatch", "the guest agent answered /v1/info with an unknown shape");
  }
  return v as AgentInfo;
}

/** The `pyro-exec` request header: one line of JSON. */
export interface ExecSpec {
  argv: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** 0 = no limit (the agent also takes it absent). */
  timeout_ms: number;
  stdin?: boolean;
  /** Environment variables set to secret values in the guest: `{ENV_VAR: SECRET_NAME}`. */
  secret_env?: Record<string, string>;
}
