/**
 * Entry of the per-VM supervisor process: `node dist/supervisor/main.js <sv-config.json>`.
 * Started detached by core (supervisor/launch.ts). Prints exactly one line on stdout,
 * `ok <pid>` once its socket is listening or `error <json>`, then only logs to its file.
 */
import { readFileSync } from "node:fs";
import type { SupervisorConfig } from "./protocol.js";
import { Supervisor } from "./supervisor.js";

async function main(): Promise<void> {
  const configPath = process.argv[2];
  if (!configPath) throw new Error("usage: supervisor <sv-config.json>");
  const config = JSON.parse(readFileSync(configPath, "utf8")) as SupervisorConfig;
  const supervisor = new Supervisor(config);
  await supervisor.listen();
  process.stdout.write(`ok ${process.pid}\n`);
  process.stdout.end();
  await supervisor.run();
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
    process.exit(1);
  },
);
