/**
 * The supervisor API is written once: Go types in host/internal/protocol, TS types in
 * src/supervisor/protocol.ts, and the golden files in protocol/supervisor that both sides'
 * tests read. Here every golden file is checked key by key against a shape whose keys and
 * value kinds the TypeScript compiler derives from the client's types, and the answers go
 * through the client's own reading (readJson, errorFromBody), so a field or code renamed on
 * either side fails a test (Go: host/internal/protocol/golden_test.go,
 * host/internal/api/server_test.go).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, PyroError, WIRE_CODES } from "../../../src/errors.js";
import { errorFromBody, type RawResponse, readJson } from "../../../src/supervisor/client.js";
import type {
  ClosedResponse,
  DriverProbe,
  IdentityConfig,
  KvmDevice,
  PortsResponse,
  ProbeReport,
  PublishedPort,
  PublishRequest,
  ReadyFailure,
  ShutdownRequest,
  SupervisorConfig,
  SupervisorErrorBody,
  SupervisorErrorResponse,
  SupervisorPhase,
  SupervisorState,
  VmConfig,
  VmmCapabilities,
  VmmCommand,
  VmNetwork,
} from "../../../src/supervisor/protocol.js";
import { EXEC_ERROR_TRAILER } from "../../../src/supervisor/protocol.js";
import { type AnyShape, checkShape, type Shape } from "../../support/json-shape.js";

const goldenDir = resolve(import.meta.dirname, "..", "..", "..", "protocol", "supervisor");
const golden = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(goldenDir, file), "utf8")) as Record<string, unknown>;

const errorBody: Shape<SupervisorErrorBody> = { code: { kinds: ["string"] }, message: { kinds: ["string"] } };
const publishedPort: Shape<PublishedPort> = {
  service: { kinds: ["string"] },
  host: { kinds: ["string"] },
  host_port: { kinds: ["number"] },
  guest_port: { kinds: ["number"] },
};
const exitShape: Shape<NonNullable<SupervisorState["exit"]>> = {
  code: { kinds: ["number", "null"] },
  signal: { kinds: ["string", "null"] },
  at: { kinds: ["string"] },
};
const state: Shape<SupervisorState> = {
  vm_id: { kinds: ["string"] },
  state: { kinds: ["string"] },
  supervisor_pid: { kinds: ["number"] },
  vmm_pid: { kinds: ["number", "null"] },
  acceleration: { kinds: ["string"] },
  execution_mode: { kinds: ["string"] },
  started_at: { kinds: ["string"] },
  ready_at: { kinds: ["string", "null"] },
  boot_ms: { kinds: ["number", "null"] },
  last_activity_at: { kinds: ["string"] },
  expires_at: { kinds: ["string", "null"] },
  in_flight: { kinds: ["number"] },
  published_ports: { kinds: ["array"], of: publishedPort },
  agent_version: { kinds: ["string", "null"] },
  exit: { kinds: ["object", "null"], of: exitShape },
  error: { kinds: ["object", "null"], of: errorBody },
};
const network: Shape<VmNetwork> = {
  tapName: { kinds: ["string"] },
  mac: { kinds: ["string"] },
  kernelParam: { kinds: ["string"] },
};
const vm: Shape<VmConfig> = {
  vmId: { kinds: ["string"] },
  kernelPath: { kinds: ["string"] },
  initrdPath: { kinds: ["string"] },
  deviceDiscovery: { kinds: ["string"] },
  rootfsPath: { kinds: ["string"] },
  diskMode: { kinds: ["string"] },
  vcpuCount: { kinds: ["number"] },
  memMib: { kinds: ["number"] },
  accel: { kinds: ["string"] },
  tscKhz: { kinds: ["number"], optional: true },
  runDir: { kinds: ["string"] },
  agentSocketPath: { kinds: ["string"] },
  consoleLogPath: { kinds: ["string"] },
  tmpDir: { kinds: ["string"] },
  network: { kinds: ["object"], optional: true, of: network },
  diskFormat: { kinds: ["string"], optional: true },
  memoryPath: { kinds: ["string"], optional: true },
  memoryShared: { kinds: ["boolean"], optional: true },
  memoryAnonymous: { kinds: ["boolean"], optional: true },
  restoreStatePath: { kinds: ["string"], optional: true },
};
const identity: Shape<IdentityConfig> = {
  hostname: { kinds: ["string"] },
  machineId: { kinds: ["string"] },
};
const config: Shape<SupervisorConfig> = {
  vm: { kinds: ["object"], of: vm },
  vmm: { kinds: ["string"], optional: true },
  qemuBinary: { kinds: ["string"] },
  ttlSeconds: { kinds: ["number"] },
  ownerPid: { kinds: ["number", "null"] },
  bootTimeoutMs: { kinds: ["number"] },
  restoreTimeoutMs: { kinds: ["number"], optional: true },
  identity: { kinds: ["object"], optional: true, of: identity },
  socketPath: { kinds: ["string"] },
  pidPath: { kinds: ["string"] },
  statePath: { kinds: ["string"] },
  logPath: { kinds: ["string"] },
};
const capabilities: Shape<VmmCapabilities> = {
  pause_resume: { kinds: ["boolean"] },
  save_restore: { kinds: ["boolean"] },
  vsock: { kinds: ["boolean"] },
  hotplug: { kinds: ["boolean"] },
};
const driverProbe: Shape<DriverProbe> = {
  driver: { kinds: ["string"] },
  available: { kinds: ["boolean"] },
  reason: { kinds: ["string"] },
  hint: { kinds: ["string"] },
  binary: { kinds: ["string"] },
  version: { kinds: ["string"] },
  acceleration: { kinds: ["string"] },
  acceleration_reason: { kinds: ["string"] },
  kvm_guest_boots: { kinds: ["boolean", "null"] },
  cached: { kinds: ["boolean"] },
  cache_error: { kinds: ["string"] },
  execution_mode: { kinds: ["string"] },
  capabilities: { kinds: ["object"], of: capabilities },
  duration_ms: { kinds: ["number"] },
};
const kvmDevice: Shape<KvmDevice> = {
  path: { kinds: ["string"] },
  exists: { kinds: ["boolean"] },
  readable: { kinds: ["boolean"] },
  writable: { kinds: ["boolean"] },
};

const shapes: Record<string, AnyShape> = {
  "state_ready.json": state,
  "state_booting.json": state,
  "state_crashed.json": state,
  "state_exited.json": state,
  "shutdown_request.json": {
    mode: { kinds: ["string"] },
    timeout_ms: { kinds: ["number"], optional: true },
  } satisfies Shape<ShutdownRequest>,
  "shutdown_request_kill.json": {
    mode: { kinds: ["string"] },
    timeout_ms: { kinds: ["number"], optional: true },
  } satisfies Shape<ShutdownRequest>,
  "publish_request.json": {
    service: { kinds: ["string"] },
    guest_port: { kinds: ["number"] },
    host_port: { kinds: ["number"] },
  } satisfies Shape<PublishRequest>,
  "published_port.json": publishedPort,
  "ports_response.json": {
    published_ports: { kinds: ["array"], of: publishedPort },
  } satisfies Shape<PortsResponse>,
  "closed_response.json": { closed: { kinds: ["array"], of: publishedPort } } satisfies Shape<ClosedResponse>,
  "error_vm_not_running.json": {
    error: { kinds: ["object"], of: errorBody },
  } satisfies Shape<SupervisorErrorResponse>,
  "error_guest_unreachable.json": {
    error: { kinds: ["object"], of: errorBody },
  } satisfies Shape<SupervisorErrorResponse>,
  "error_port_in_use.json": {
    error: { kinds: ["object"], of: errorBody },
  } satisfies Shape<SupervisorErrorResponse>,
  "error_no_route.json": {
    error: { kinds: ["object"], of: errorBody },
  } satisfies Shape<SupervisorErrorResponse>,
  "error_codes.json": {
    codes: { kinds: ["array"], of: { code: { kinds: ["string"] }, status: { kinds: ["number"] } } },
  } satisfies Shape<WireCodeList>,
  "ready_failure.json": {
    error: { kinds: ["object"], of: errorBody },
    state: { kinds: ["object"], of: state },
  } satisfies Shape<ReadyFailure>,
  "exec_error_trailer.json": errorBody,
  "sv_config.json": config,
  "sv_config_oneshot.json": config,
  "probe_report.json": {
    selected: { kinds: ["string"] },
    kvm: { kinds: ["object"], of: kvmDevice },
    drivers: { kinds: ["array"], of: driverProbe },
  } satisfies Shape<ProbeReport>,
  "vmm_command.json": {
    driver: { kinds: ["string"] },
    binary: { kinds: ["string"] },
    args: { kinds: ["array"] },
    env: { kinds: ["object"] },
    dir: { kinds: ["string"] },
    kernel_cmdline: { kinds: ["string"] },
  } satisfies Shape<VmmCommand>,
};

/** error_codes.json: every code the supervisor answers with, and its HTTP status. */
interface WireCodeList {
  codes: { code: string; status: number }[];
}

/** `body` as the supervisor's answer to `path` with `status`, read by the client. */
function answer(status: number, body: unknown, path = "/v1/ports"): Promise<unknown> {
  const res: RawResponse = {
    status,
    body: Readable.from([Buffer.from(JSON.stringify(body))]) as RawResponse["body"],
    path,
  };
  return readJson(res);
}

/** Every phase, as the compiler knows them: a phase added on one side only fails here. */
const PHASES: Record<SupervisorPhase, true> = {
  booting: true,
  ready: true,
  failed: true,
  stopping: true,
  exited: true,
  expired: true,
};

describe("supervisor protocol golden files", () => {
  it("has a shape for every golden file (and a golden file for every shape)", () => {
    const files = readdirSync(goldenDir).filter((f) => f.endsWith(".json"));
    expect(files.sort()).toEqual(Object.keys(shapes).sort());
  });

  it.each(Object.entries(shapes))("%s matches the client's types", (file, shape) => {
    checkShape(golden(file), shape, file);
  });

  it("uses known phases, modes and discovery values", () => {
    for (const file of [
      "state_ready.json",
      "state_booting.json",
      "state_crashed.json",
      "state_exited.json",
    ]) {
      expect(Object.keys(PHASES)).toContain(golden(file).state);
    }
    expect(["kill", "poweroff"]).toContain(golden("shutdown_request.json").mode);
    const vmConfig = golden("sv_config.json").vm as VmConfig;
    expect(["acpi", "cmdline"]).toContain(vmConfig.deviceDiscovery);
    const probe = golden("probe_report.json") as unknown as ProbeReport;
    expect(["qemu", "firecracker"]).toContain(probe.selected);
    for (const d of probe.drivers) {
      expect(["qemu", "firecracker"]).toContain(d.driver);
      expect(["kvm", "tcg", ""]).toContain(d.acceleration);
    }
  });

  it("turns the error answers into the PyroErrors core branches on", async () => {
    const code = (file: string, status: number) =>
      answer(status, golden(file)).then(
        () => "resolved",
        (err: unknown) => (err instanceof PyroError ? err.code : String(err)),
      );
    expect(await code("error_vm_not_running.json", 409)).toBe("vm_not_running");
    expect(await code("error_guest_unreachable.json", 502)).toBe("guest_unreachable");
    expect(await code("error_port_in_use.json", 409)).toBe("port_in_use");
    expect(await code("error_no_route.json", 404)).toBe("guest_protocol_mismatch");
    expect(errorFromBody(golden("ready_failure.json"), 503).code).toBe("boot_failed");
    const crashed = golden("state_crashed.json") as unknown as SupervisorState;
    expect(crashed).toMatchObject({ state: "failed", error: { code: "vmm_crashed" } });
  });

  it("reads the 2xx answers as they are", async () => {
    for (const file of ["state_ready.json", "ports_response.json", "closed_response.json"]) {
      expect(await answer(200, golden(file))).toEqual(golden(file));
    }
  });

  it("maps every code the supervisor answers with to a pyro code (error_codes.json)", () => {
    const { codes } = golden("error_codes.json") as unknown as WireCodeList;
    for (const { code, status } of codes) {
      expect(Object.keys(WIRE_CODES), `${code} is not in WIRE_CODES`).toContain(code);
      const mapped = errorFromBody({ error: { code, message: "m" } }, status).code;
      expect(ERROR_CODES).toContain(mapped);
      if (code !== "internal") expect(mapped, code).not.toBe("internal");
    }
  });

  it("names the exec error trailer in lower case, as Node reads trailers", () => {
    expect(EXEC_ERROR_TRAILER).toBe("pyro-error");
  });
});
