/** Client of the agent's service routes (docs/agent-protocol.md, "Services"), through the supervisor. */
import { checkAnswer } from "../../agent/check-answer.js";
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

/** Service states that count as running. */
export const RUNNING_SERVICE_STATES: readonly string[] = ["starting", "running", "ready"];

/** How many services there are and how many of them run: [all, running]. */
export function countServices(services: readonly { state: string }[]): [number, number] {
  return [services.length, services.filter((s) => RUNNING_SERVICE_STATES.includes(s.state)).length];
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
  async start(spec: {
    name: string;
    argv: string[];
    cwd: string;
    env?: Record<string, string>;
    readiness: Readiness;
    /** `{ENV_VAR: SECRET_NAME}`: secret values in the service's environment. */
    secret_env?: Record<string, string>;
  }): Promise<GuestService> {
    // Answers after readiness (or its timeout) plus up to ~2 s of TERM-then-KILL.
    const path = "/v1/agent/services";
    const answer = await this.client.json(
      "POST",
      path,
      spec,
      "service_not_found",
      spec.readiness.timeout_ms + 30_000,
    );
    return await checkAnswer("ServiceSchema", answer, path);
  }

  /** `timeoutMs`: listings shown beside other workspaces use a short limit, so one hung guest cannot stall them. */
  async list(timeoutMs?: number): Promise<GuestService[]> {
    const path = "/v1/agent/services";
    const answer = await this.client.json("GET", path, undefined, undefined, timeoutMs);
    return (await checkAnswer("ServiceListSchema", answer, path)).services;
  }

  async get(name: string): Promise<GuestService> {
    const path = `/v1/agent/services/${enc(name)}`;
    return await checkAnswer(
      "ServiceSchema",
      await this.client.json("GET", path, undefined, "service_not_found"),
      path,
    );
  }

  async logs(name: string, tailLines: number, all: boolean): Promise<GuestServiceLogs> {
    const q = new URLSearchParams({ tail_lines: String(tailLines), all: all ? "1" : "0" });
    const path = `/v1/agent/services/${enc(name)}/logs?${q}`;
    return await checkAnswer(
      "ServiceLogsSchema",
      await this.client.json("GET", path, undefined, "service_not_found"),
      path,
    );
  }

  async stop(name: string, graceMs: number): Promise<GuestService> {
    const path = `/v1/agent/services/${enc(name)}/stop`;
    const answer = await this.client.json("POST", path, { grace_ms: graceMs }, "service_not_found");
    return await checkAnswer("ServiceSchema", answer, path);
  }
}
