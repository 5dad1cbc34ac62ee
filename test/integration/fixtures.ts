/**
 * Helpers of the guest-backed tests: whether a guest can boot here, the CLI runner, and the
 * process table the leak checks read. The per-file PYRO_HOME and the machines' lifecycle are
 * the workspace-test fixture's (workspace-test.ts). Environments come from the shared cache
 * that scripts/setup.sh fills.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { resolveConfig } from "../../src/core/config.js";
import { cachePaths, packagePaths } from "../../src/core/paths.js";

export const repoRoot = resolve(import.meta.dirname, "..", "..");
export const cliPath = join(repoRoot, "dist", "cli", "main.js");

/** Why guest tests cannot run here, or undefined when they can. */
export function guestUnavailableReason(environment = "debian:12"): string | undefined {
  if (!existsSync(cliPath)) return "dist/ is not built (npm run build)";
  if (!existsSync(packagePaths.agentBinary)) return "guest agent not built (npm run build:agent)";
  if (!existsSync(packagePaths.supervisorEntry)) return "supervisor not built (npm run build:host)";
  const { cacheDir } = resolveConfig();
  const dir = cachePaths.environmentDir(cacheDir, environment, "1.0.0");
  if (!existsSync(cachePaths.manifest(dir)))
    return `environment ${environment} not installed (scripts/setup.sh)`;
  return undefined;
}

/**
 * Call at the top of a guest test file. Guest tests are never skipped: when no guest can boot
 * here the file fails, naming what is missing (`bash scripts/setup.sh` installs it all).
 */
export function requireGuest(environment = "debian:12"): void {
  const reason = guestUnavailableReason(environment);
  if (reason) throw new Error(`guest tests need a bootable guest, but ${reason}`);
}

/** Every process but this one: pid, command name and its NUL-joined-with-spaces command line. */
export function processTable(): { pid: number; command: string; cmdline: string }[] {
  const table: { pid: number; command: string; cmdline: string }[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const args = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
      table.push({ pid: Number(name), command: basename(args[0] ?? ""), cmdline: args.join(" ") });
    } catch {
      // the process ended while we looked
    }
  }
  return table;
}

/** Pids whose command line mentions `needle` (our VMMs and supervisors name their VM dir). */
export function processesMentioning(needle: string): number[] {
  return processTable()
    .filter((p) => p.cmdline.includes(needle))
    .map((p) => p.pid);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Runs the built CLI; `onStderr` sees stderr as it arrives (to time a Ctrl-C). */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  options: {
    onSpawn?: (pid: number) => void;
    onStderr?: (text: string, pid: number) => void;
    /** Written to the CLI's stdin, which is then closed; `"open"` keeps an empty stdin open. */
    stdin?: string | "open";
  } = {},
): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolveResult, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      env,
      stdio: [options.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    if (typeof options.stdin === "string" && options.stdin !== "open") child.stdin?.end(options.stdin);
    child.on("close", () => child.stdin?.destroy()); // an "open" stdin lives until the CLI exits
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
      options.onStderr?.(stderr, child.pid as number);
    });
    child.on("error", reject);
    child.on("spawn", () => options.onSpawn?.(child.pid as number));
    child.on("close", (code) => resolveResult({ code, stdout, stderr, durationMs: Date.now() - started }));
  });
}

/** VM directories left under a PYRO_HOME (each run must delete its own). */
export function vmDirs(home: string): string[] {
  const dir = join(home, "vms");
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith("vm_") && !n.endsWith(".lock")) : [];
}
