/**
 * The supervisor's launch config and its state file / API records. The supervisor is the one
 * host process per running VM (DESIGN.md): `dist/host/pyro-supervisor`, a static Go binary
 * (host/). It owns the VMM child, the agent channel and the TTL, serves a 0600 Unix socket API
 * under `/v1/`, and survives the CLI that started it. Its Go twins are in
 * host/internal/protocol; the golden files in host/testdata/api pin the JSON for both sides
 * (test/unit/supervisor/protocol-golden.test.ts here).
 */
import type { Acceleration, VmConfig } from "../vmm/driver.js";

/** Written by core to `run/sv-config.json`, read once by the supervisor at start. */
export interface SupervisorConfig {
  vm: VmConfig;
  /** The VMM driver: `qemu` (also `auto`, the default) or `firecracker` (not implemented yet). */
  vmm?: "auto" | "qemu" | "firecracker";
  qemuBinary: string;
  /** Idle time after which the VM is stopped, in seconds (0 = never). */
  ttlSeconds: number;
  /** When this pid dies the VM is killed (one-shot runs: the CLI killed with -9); null = none. */
  ownerPid: number | null;
  /** Maximum time from VMM start to the agent answering, in ms. */
  bootTimeoutMs: number;
  socketPath: string;
  pidPath: string;
  statePath: string;
  logPath: string;
}

/**
 * `exited`: stopped on request; `expired`: idle TTL; `failed`: boot failed (error `boot_failed`,
 * `guest_protocol_mismatch`), or the VMM died without a stop request (error `vmm_crashed`, its
 * message says how and quotes the last console lines).
 */
export type SupervisorPhase = "booting" | "ready" | "failed" | "stopping" | "exited" | "expired";

/** The `{code, message}` of an error answer, of `SupervisorState.error` and of the exec trailer. */
export interface SupervisorErrorBody {
  code: string;
  message: string;
}

/** Body of every non-2xx answer except `GET /v1/ready`'s. */
export interface SupervisorErrorResponse {
  error: SupervisorErrorBody;
}

/** The 503 answer of `GET /v1/ready` when boot did not succeed. */
export interface ReadyFailure {
  error: SupervisorErrorBody;
  state: SupervisorState;
}

/**
 * Trailer of a streamed NDJSON answer (exec events) that broke after its status was sent (the
 * VMM died): the answer ends cleanly, without an `exit` event, and this trailer holds the
 * `SupervisorErrorBody` as JSON (code `guest_unreachable`).
 */
export const EXEC_ERROR_TRAILER = "pyro-error";

/** `run/sv.json` and `GET /v1/status`. Times are ISO-8601 UTC; durations in ms. */
export interface SupervisorState {
  vm_id: string;
  state: SupervisorPhase;
  supervisor_pid: number;
  vmm_pid: number | null;
  acceleration: Acceleration;
  execution_mode: string;
  started_at: string;
  ready_at: string | null;
  /** VMM start to agent answering, in ms. */
  boot_ms: number | null;
  last_activity_at: string;
  expires_at: string | null;
  /** Requests being proxied to the guest right now (a running exec counts). */
  in_flight: number;
  /** Host listeners forwarding to guest ports, per service (service start --publish). */
  published_ports: PublishedPort[];
  agent_version: string | null;
  /** How the VMM process ended: exit code, or the signal name (e.g. `SIGKILL`). */
  exit: { code: number | null; signal: string | null; at: string } | null;
  error: SupervisorErrorBody | null;
}

/** One published port: 127.0.0.1:`host_port` on the host forwards to `guest_port` in the guest. */
export interface PublishedPort {
  service: string;
  host: "127.0.0.1";
  host_port: number;
  guest_port: number;
}

/** Body of `POST /v1/ports`: publish `guest_port` of `service`; `host_port` 0 picks a free port. */
export interface PublishRequest {
  service: string;
  guest_port: number;
  host_port: number;
}

/** Answer of `GET /v1/ports`. */
export interface PortsResponse {
  published_ports: PublishedPort[];
}

/** Answer of `DELETE /v1/ports/<service>`: the publications it closed. */
export interface ClosedResponse {
  closed: PublishedPort[];
}

/** Body of `POST /v1/shutdown`. `poweroff` asks the guest to flush and power off first. */
export interface ShutdownRequest {
  mode: "kill" | "poweroff";
  /** How long to wait for a guest power-off before killing, in ms. */
  timeout_ms?: number;
}
