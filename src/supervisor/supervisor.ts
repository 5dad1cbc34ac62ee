/**
 * The supervisor: boots the VMM, holds the agent channel open for the VM's whole life (a
 * virtio-serial port reads EOF in the guest while no host is connected), enforces the idle
 * TTL, and serves its API. Logs JSON lines (`ts`, `level`, `event`, `vm_id`) to logs/sv.log.
 */
import { appendFileSync, chmodSync, existsSync, rmSync, statSync, truncateSync } from "node:fs";
import http from "node:http";
import { dirname } from "node:path";
import { AgentSession } from "../agent/client.js";
import { PyroError } from "../errors.js";
import type { VmmHandle } from "../vmm/driver.js";
import { handleRequest } from "./api.js";
import { PortPublisher } from "./ports.js";
import type { SupervisorConfig, SupervisorState } from "./protocol.js";
import { readConsoleTail, writeStateSync } from "./state-file.js";

/** The guest console log is cut back to empty past this size, in bytes (8 MiB). */
export const CONSOLE_LOG_CAP_BYTES = 8 * 1024 * 1024;

export class Supervisor {
  state: SupervisorState;
  vmm: VmmHandle | undefined;
  agent: AgentSession | undefined;
  readonly ports: PortPublisher;
  readonly settled: Promise<void>;
  private settle!: () => void;
  private readonly server: http.Server;
  private ttlTimer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private stopping: Promise<void> | undefined;
  /** The owner of a one-shot VM died: nobody is left to delete it, so the supervisor does. */
  private ownerGone = false;

  constructor(readonly config: SupervisorConfig) {
    const now = new Date().toISOString();
    this.state = {
      vm_id: config.vm.vmId,
      state: "booting",
      supervisor_pid: process.pid,
      vmm_pid: null,
      acceleration: config.vm.accel,
      execution_mode: "guest_virtio_serial",
      started_at: now,
      ready_at: null,
      boot_ms: null,
      last_activity_at: now,
      expires_at: null,
      in_flight: 0,
      published_ports: [],
      agent_version: null,
      exit: null,
      error: null,
    };
    this.settled = new Promise((r) => {
      this.settle = r;
    });
    this.ports = new PortPublisher(
      () => (this.state.state === "ready" ? this.agent : undefined),
      (event, fields) => this.log("info", event, fields),
      () => {
        this.state.published_ports = this.ports.list();
        this.persist();
      },
    );
    this.server = http.createServer((req, res) => {
      void handleRequest(this, req, res);
    });
  }

  log(level: "info" | "error", event: string, fields: Record<string, unknown> = {}): void {
    const line = { ts: new Date().toISOString(), level, event, vm_id: this.state.vm_id, ...fields };
    try {
      appendFileSync(this.config.logPath, `${JSON.stringify(line)}\n`, { mode: 0o600 });
    } catch {
      // logging must never take the supervisor down
    }
  }

  private persist(): void {
    writeStateSync(this.config.statePath, this.state);
  }

  async listen(): Promise<void> {
    rmSync(this.config.socketPath, { force: true }); // stale socket of a crashed predecessor
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.config.socketPath, resolve);
    });
    chmodSync(this.config.socketPath, 0o600);
    appendFileSync(this.config.pidPath, "", { mode: 0o600 });
    writeStateSync(this.config.pidPath, process.pid);
    this.persist();
    process.on("SIGTERM", () => void this.shutdown({ mode: "kill" }));
    process.on("SIGINT", () => void this.shutdown({ mode: "kill" }));
  }

  /**
   * Waits for the VMM `starting` (spawned by main.ts) and its guest agent, then returns once
   * the VMM has exited and the final state is recorded. `started` is the spawn time in ms.
   */
  async run(starting: Promise<VmmHandle>, executionMode: string, started: number): Promise<void> {
    this.state.execution_mode = executionMode;
    try {
      this.vmm = await starting;
      this.state.vmm_pid = this.vmm.pid;
      this.log("info", "vmm_started", { vmm_pid: this.vmm.pid, accel: this.config.vm.accel });
      this.persist();
      const channel = await this.vmm.connectAgent();
      this.agent = new AgentSession(channel);
      const info = await this.waitForAgent();
      this.state.agent_version = info.agent_version;
      this.state.boot_ms = Date.now() - started;
      this.state.ready_at = new Date().toISOString();
      this.state.state = "ready";
      this.log("info", "ready", { boot_ms: this.state.boot_ms, agent_version: info.agent_version });
      this.touch();
      this.startWatchdog();
    } catch (err) {
      if (!this.stopping) {
        const e = err instanceof PyroError ? err : new PyroError("boot_failed", String(err));
        this.state.state = "failed";
        this.state.error = { code: e.code, message: e.message };
        this.log("error", "boot_failed", { code: e.code, message: e.message });
      }
      this.persist();
      this.settle();
      await this.vmm?.kill();
    }
    this.persist();
    this.settle();
    const exit = this.vmm ? await this.vmm.exited : { code: null, signal: null };
    await this.finish(exit.code, exit.signal);
  }

  private async waitForAgent() {
    const vmm = this.vmm as VmmHandle;
    const agent = this.agent as AgentSession;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new PyroError("boot_failed", `guest agent did not answer within ${this.config.bootTimeoutMs} ms`),
          ),
        this.config.bootTimeoutMs,
      );
    });
    const died = vmm.exited.then((exit) => {
      const tail = readConsoleTail(this.config.vm.consoleLogPath);
      throw new PyroError(
        "boot_failed",
        `VMM exited during boot (code ${exit.code ?? exit.signal})${tail ? `; console: ${tail}` : ""}`,
      );
    });
    try {
      return await Promise.race([agent.info(), timeout, died]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Once a second: kill the VM when its owner process is gone, and cap the guest console log
   * (a guest can write to its serial port without limit) at CONSOLE_LOG_CAP_BYTES.
   */
  private startWatchdog(): void {
    const timer = setInterval(() => {
      const owner = this.config.ownerPid;
      if (owner && !existsSync(`/proc/${owner}`)) {
        this.log("info", "owner_gone", { owner_pid: owner });
        this.ownerGone = true;
        clearInterval(timer);
        void this.shutdown({ mode: "kill" });
        return;
      }
      try {
        if (statSync(this.config.vm.consoleLogPath).size > CONSOLE_LOG_CAP_BYTES) {
          truncateSync(this.config.vm.consoleLogPath, 0);
          appendFileSync(
            this.config.vm.consoleLogPath,
            `[pyro: console log truncated at ${new Date().toISOString()}]\n`,
          );
        }
      } catch {
        // no console log yet
      }
    }, 1000);
    timer.unref();
  }

  /** Marks activity and re-arms the idle TTL. */
  touch(): void {
    const now = Date.now();
    this.state.last_activity_at = new Date(now).toISOString();
    if (this.config.ttlSeconds > 0) {
      this.state.expires_at = new Date(now + this.config.ttlSeconds * 1000).toISOString();
      clearTimeout(this.ttlTimer);
      // setTimeout holds at most 2^31-1 ms (~24.8 days); longer TTLs re-check when it fires.
      this.ttlTimer = setTimeout(() => this.expire(), Math.min(this.config.ttlSeconds * 1000, 2 ** 31 - 1));
      this.ttlTimer.unref();
    }
    this.persist();
  }

  /** Re-arms the TTL timer for the remaining time without moving the activity mark. */
  private touchTimerOnly(): void {
    const left = Date.parse(this.state.expires_at ?? "") - Date.now();
    clearTimeout(this.ttlTimer);
    this.ttlTimer = setTimeout(() => this.expire(), Math.max(0, Math.min(left, 2 ** 31 - 1)));
    this.ttlTimer.unref();
  }

  /** Brackets a proxied request: a VM is never idle while a command runs in it. */
  beginRequest(): () => void {
    this.inFlight++;
    this.state.in_flight = this.inFlight;
    this.touch();
    return () => {
      this.inFlight--;
      this.state.in_flight = this.inFlight;
      if (this.state.state === "ready") this.touch();
    };
  }

  private expire(): void {
    if (this.state.expires_at && Date.parse(this.state.expires_at) > Date.now() + 1000) {
      this.touchTimerOnly();
      return;
    }
    if (this.inFlight > 0) {
      this.touch();
      return;
    }
    this.log("info", "ttl_expired", { ttl_seconds: this.config.ttlSeconds });
    this.state.state = "expired";
    void this.shutdown({ mode: "kill" });
  }

  /** Stops the VM; `poweroff` lets the guest flush its disk first. Idempotent. */
  shutdown(request: { mode: "kill" | "poweroff"; timeout_ms?: number }): Promise<void> {
    this.stopping ??= (async () => {
      if (this.state.state !== "expired") this.state.state = "stopping";
      this.persist();
      this.log("info", "shutdown", { mode: request.mode });
      if (!this.vmm) return;
      if (request.mode === "poweroff" && this.agent) {
        await this.agent.json("POST", "/v1/poweroff").catch(() => undefined);
        await this.vmm.waitOrKill(request.timeout_ms ?? 10_000);
      } else {
        await this.vmm.kill();
      }
    })();
    return this.stopping;
  }

  private async finish(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    clearTimeout(this.ttlTimer);
    this.ports.closeAll();
    this.agent?.close();
    if (this.state.state !== "expired" && this.state.state !== "failed") this.state.state = "exited";
    this.state.exit = { code, signal, at: new Date().toISOString() };
    this.log("info", "vmm_exited", { code, signal });
    this.persist();
    rmSync(this.config.pidPath, { force: true });
    // Let in-flight answers (e.g. the shutdown reply) drain, but never hang on a stuck client.
    await new Promise<void>((resolve) => {
      const cap = setTimeout(resolve, 2000);
      this.server.close(() => {
        clearTimeout(cap);
        resolve();
      });
      this.server.closeIdleConnections();
    });
    rmSync(this.config.socketPath, { force: true });
    if (this.ownerGone) rmSync(dirname(this.config.vm.runDir), { recursive: true, force: true });
  }
}
