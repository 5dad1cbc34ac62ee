/**
 * The supervisor's launch config and its state file / API records. The supervisor is the one
 * host process per running VM (DESIGN.md): it owns the VMM child, the agent channel and the
 * TTL, serves a 0600 Unix socket API under `/v1/`, and survives the CLI that started it.
 */
import type { Acceleration, VmConfig } from "../vmm/driver.js";

/** Written by core to `run/sv-config.json`, read once by the supervisor at start. */
export interface SupervisorConfig {
  vm: VmConfig;
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

export type SupervisorPhase = "booting" | "ready" | "failed" | "stopping" | "exited" | "expired";

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
  exit: { code: number | null; signal: string | null; at: string } | null;
  error: { code: string; message: string } | null;
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

/** Body of `POST /v1/shutdown`. `poweroff` asks the guest to flush and power off first. */
export interface ShutdownRequest {
  mode: "kill" | "poweroff";
  /** How long to wait for a guest power-off before killing, in ms. */
  timeout_ms?: number;
}
