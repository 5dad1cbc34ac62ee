/** Client of the agent's service routes (docs/agent-protocol.md, "Services"), through the supervisor. */
import type { SupervisorClient } from "../../supervisor/client.js";

export interface Readiness {
  type: "none" | "file" | "tcp" | "http" | "command";
  target: string;
  timeout_ms: number;
  interval_ms: number;
}

/** Agent service record (snake_case, as on the wire). */
export interface GuestService {
  service_name: string;
  command: string[];
  cwd: string;
  state: "starting" | "running" | "ready" | "failed" | "stopped" | "exited";
  pid: number | null;
  started_at: string;
  ready_at: string | null;
  ended_at: string | null;
  exit_code: number | null;
  readiness: Readiness;
  stop_reason: string | null;
}

export interface GuestServiceLogs {
  service_name: string;
  stdout: string;
  stderr: string;
  truncated: boolean;
}

const enc = encodeURIComponent;

export class GuestServices {
  constructor(private readonly client: SupervisorClient) {}

  /** Starts a service; answers once it is ready or has failed (the record says which). */
  start(spec: {
    name: string;
    argv: string[];
    cwd: string;
    env?: Record<string, string>;
    readiness: Readiness;
    /** `{ENV_VAR: SECRET_NAME}`: secret values in the service's environment. */
    secret_env?: Record<string, string>;
  }): Promise<GuestService> {
    // Answers after readiness (or its timeout) plus up to ~2 s of TERM-then-KILL.
    return this.client.json(
      "POST",
      "/v1/agent/services",
      spec,
      "service_not_found",
      spec.readiness.timeout_ms + 30_000,
    );
  }

  /** `timeoutMs`: listings shown beside other workspaces use a short limit, so one hung guest cannot stall them. */
  async list(timeoutMs?: number): Promise<GuestService[]> {
    return (
      await this.client.json<{ services: GuestService[] }>(
        "GET",
        "/v1/agent/services",
        undefined,
        undefined,
        timeoutMs,
      )
    ).services;
  }

  get(name: string): Promise<GuestService> {
    return this.client.json("GET", `/v1/agent/services/${enc(name)}`, undefined, "service_not_found");
  }

  logs(name: string, tailLines: number, all: boolean): Promise<GuestServiceLogs> {
    const q = new URLSearchParams({ tail_lines: String(tailLines), all: all ? "1" : "0" });
    return this.client.json(
      "GET",
      `/v1/agent/services/${enc(name)}/logs?${q}`,
      undefined,
      "service_not_found",
    );
  }

  stop(name: string, graceMs: number): Promise<GuestService> {
    return this.client.json(
      "POST",
      `/v1/agent/services/${enc(name)}/stop`,
      { grace_ms: graceMs },
      "service_not_found",
    );
  }
}
