/**
 * QEMU microvm driver. QEMU is started through `setpriv --pdeathsig SIGKILL` so that it dies
 * with its parent (the supervisor): no orphaned VMM survives a crashed or killed supervisor.
 */
import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { PyroError } from "../../errors.js";
import type { VmConfig, VmmDriver, VmmExit, VmmHandle } from "../driver.js";
import { qemuArgs } from "./args.js";

export interface QemuDriverOptions {
  /** QEMU binary. @default "qemu-system-x86_64" (PYRO_QEMU_BINARY) */
  binary: string;
  /** Receives QEMU's stderr lines (for the supervisor log). */
  onStderr?: (text: string) => void;
}

function connectOnce(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect(path);
    sock.once("connect", () => {
      sock.removeAllListeners("error");
      resolve(sock);
    });
    sock.once("error", reject);
  });
}

export class QemuDriver implements VmmDriver {
  readonly name = "qemu" as const;
  readonly capabilities = { vsock: false, pauseResume: true };
  readonly executionMode = "guest_virtio_serial";

  constructor(private readonly options: QemuDriverOptions) {}

  async start(config: VmConfig): Promise<VmmHandle> {
    await mkdir(config.tmpDir, { recursive: true, mode: 0o700 });
    const argv = ["--pdeathsig", "SIGKILL", "--", this.options.binary, ...qemuArgs(config)];
    // TMPDIR: where `snapshot=on` puts the throw-away overlay, so it lives and dies with the VM dir.
    const child = spawn("setpriv", argv, {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, TMPDIR: config.tmpDir },
    });
    let stderrTail = "";
    child.stderr.on("data", (d: Buffer) => {
      const text = d.toString();
      stderrTail = (stderrTail + text).slice(-4096);
      this.options.onStderr?.(text);
    });
    const exited = new Promise<VmmExit>((resolve) => {
      child.once("exit", (code, signal) => resolve({ code, signal }));
    });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", (err: NodeJS.ErrnoException) =>
        reject(
          new PyroError("vmm_not_found", `cannot start QEMU via setpriv: ${err.message}`, {
            hint: "install qemu-system-x86 and util-linux (scripts/setup.sh)",
          }),
        ),
      );
    });
    const pid = child.pid as number;
    let exitInfo: VmmExit | undefined;
    void exited.then((e) => {
      exitInfo = e;
    });

    const kill = async () => {
      if (!exitInfo) child.kill("SIGKILL");
      return exited;
    };
    return {
      pid,
      exited,
      kill,
      async waitOrKill(timeoutMs) {
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<"timeout">((r) => {
          timer = setTimeout(() => r("timeout"), timeoutMs);
        });
        const first = await Promise.race([exited, timedOut]);
        clearTimeout(timer);
        return first === "timeout" ? kill() : first;
      },
      async connectAgent(signal?: AbortSignal): Promise<Duplex> {
        // QEMU creates the chardev socket within milliseconds of starting; retry until then.
        for (let attempt = 0; ; attempt++) {
          if (exitInfo) {
            throw new PyroError(
              "vmm_failed",
              `QEMU exited before the agent channel opened: ${stderrTail.trim()}`,
              {
                details: { exit_code: exitInfo.code },
              },
            );
          }
          if (signal?.aborted) throw new PyroError("interrupted", "interrupted while connecting to the VM");
          try {
            return await connectOnce(config.agentSocketPath);
          } catch {
            if (attempt > 1000)
              throw new PyroError("vmm_failed", "QEMU never opened the agent channel socket");
            await new Promise((r) => setTimeout(r, 10));
          }
        }
      },
    };
  }
}
