/**
 * What the VMM drivers say about themselves, asked of the supervisor binary, which owns them
 * (host/internal/vmm): `pyro-supervisor probe` (each driver's binary, version, whether it can
 * run and why not, kvm or tcg and why) and `pyro-supervisor argv` (the exact VMM command line
 * for a launch config). Nothing on this side knows a QEMU flag or how to test KVM.
 */
import { spawn } from "node:child_process";
import { type ErrorCode, PyroError } from "../errors.js";
import { spawnError } from "./client.js";
import type { ProbeReport, SupervisorConfig, SupervisorErrorResponse, VmmCommand } from "./protocol.js";

export interface ProbeOptions {
  /** Driver to select. @default "auto" (QEMU until Firecracker exists) */
  vmm?: "auto" | "qemu" | "firecracker";
  /** QEMU binary, a path or a name looked up on PATH (PYRO_QEMU_BINARY). */
  qemuBinary: string;
  /**
   * Guest kernel to boot under KVM when no verdict is cached (at most 8 s); undefined = no boot
   * test, so with a usable /dev/kvm and nothing cached the acceleration stays undecided.
   */
  kernelPath?: string;
  /** Probe cache file (`cachePaths.accelProbe`); undefined = no cache, every call probes. */
  cachePath?: string;
}

/**
 * Longest a probe may take, in ms: the binary bounds itself at 60 s (waiting for another
 * process's probe of the same cache, then one KVM boot test of at most 8 s).
 */
const PROBE_TIMEOUT_MS = 70_000;
/** Longest `argv` may take, in ms (it reads a config and prints; no VMM runs). */
const ARGV_TIMEOUT_MS = 10_000;

/**
 * Runs `<binary> probe --json`: every driver's report and the selected one. Resolves also when
 * the selected driver is unavailable (the report says why).
 * @throws PyroError host_dependency_missing (the binary is not built), invalid_argument,
 *   vmm_failed (no report).
 */
export async function probeVmms(binary: string, options: ProbeOptions): Promise<ProbeReport> {
  const args = ["probe", "-json", "-vmm", options.vmm ?? "auto", "-qemu", options.qemuBinary];
  if (options.kernelPath) args.push("-kernel", options.kernelPath);
  if (options.cachePath) args.push("-cache", options.cachePath);
  return (await runTool(binary, args, PROBE_TIMEOUT_MS)) as ProbeReport;
}

/**
 * Runs `<binary> argv --json -` with `config` on stdin: the VMM process the supervisor would
 * spawn for it (binary, argv, environment, working directory, kernel command line).
 * @throws PyroError vmm_unavailable (driver or binary), invalid_argument (config refused),
 *   host_dependency_missing, vmm_failed.
 */
export async function vmmCommand(binary: string, config: SupervisorConfig): Promise<VmmCommand> {
  return (await runTool(
    binary,
    ["argv", "-json", "-"],
    ARGV_TIMEOUT_MS,
    JSON.stringify(config),
  )) as VmmCommand;
}

/** Runs a tool subcommand and parses its one JSON object; `{"error"}` objects throw. */
async function runTool(binary: string, args: string[], timeoutMs: number, input?: string): Promise<unknown> {
  const { stdout, stderr, status } = await new Promise<{ stdout: string; stderr: string; status: string }>(
    (resolve, reject) => {
      const child = spawn(binary, args, { stdio: ["pipe", "pipe", "pipe"], timeout: timeoutMs });
      let out = "";
      let err = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on("data", (d: Buffer) => {
        err = (err + d.toString()).slice(-4096);
      });
      child.once("error", (e: NodeJS.ErrnoException) => reject(spawnError(binary, e)));
      child.once("close", (code, signal) =>
        resolve({ stdout: out, stderr: err, status: `${code ?? signal}` }),
      );
      child.stdin.on("error", () => undefined); // a binary that exits early closes its stdin
      child.stdin.end(input ?? "");
    },
  );
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new PyroError(
      "vmm_failed",
      `"${binary} ${args[0]}" printed no report (exit ${status}): ${stderr.trim() || stdout.trim()}`,
    );
  }
  const failure = (parsed as Partial<SupervisorErrorResponse>).error;
  if (failure) {
    const code: ErrorCode =
      failure.code === "vmm_unavailable" || failure.code === "invalid_argument" ? failure.code : "vmm_failed";
    throw new PyroError(code, failure.message, { details: { supervisor_code: failure.code } });
  }
  return parsed;
}
