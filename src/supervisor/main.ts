/**
 * Entry of the per-VM supervisor process: `node dist/supervisor/main.js <sv-config.json>`.
 * Started detached by core (supervisor/client.ts). Prints exactly one line on stdout,
 * `ok <pid>` once its socket is listening or `error <json>`, then only logs to its file.
 *
 * The VMM is spawned first, before the rest of the supervisor (HTTP/2, the API server) is
 * even loaded: the guest boots on one core while this process finishes starting on the other.
 */
import { readFileSync } from "node:fs";
import { QemuDriver } from "../vmm/qemu/driver.js";
import type { SupervisorConfig } from "./protocol.js";

async function main(): Promise<void> {
  const configPath = process.argv[2];
  if (!configPath) throw new Error("usage: supervisor <sv-config.json>");
  const config = JSON.parse(readFileSync(configPath, "utf8")) as SupervisorConfig;
  let forwardStderr: (text: string) => void = () => undefined;
  const driver = new QemuDriver({ binary: config.qemuBinary, onStderr: (text) => forwardStderr(text) });
  const vmmStartedAt = Date.now();
  const vmm = driver.start(config.vm);
  vmm.catch(() => undefined); // surfaced by supervisor.run()
  const { Supervisor } = await import("./supervisor.js");
  const supervisor = new Supervisor(config);
  forwardStderr = (text) => supervisor.log("error", "vmm_stderr", { text: text.trim() });
  await supervisor.listen();
  process.stdout.write(`ok ${process.pid}\n`);
  process.stdout.end();
  await supervisor.run(vmm, driver.executionMode, vmmStartedAt);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: unknown }).code;
    try {
      process.stdout.write(
        `error ${JSON.stringify({ code: typeof code === "string" ? code : "internal", message })}\n`,
      );
    } catch {
      // the launcher may already be gone
    }
    process.exit(1); // QEMU, if started, dies with us (pdeathsig)
  },
);
