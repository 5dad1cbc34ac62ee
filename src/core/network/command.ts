/**
 * How the network code runs `ip`, `nft` and `iptables`: a small injectable runner that reports
 * the exit status instead of throwing, so callers can treat "already gone" as success and
 * unit tests can record argv lists with a fake.
 */
import { spawn } from "node:child_process";
import { PyroError } from "../../errors.js";

/** Outcome of one program run. `code` is 127 when the program is not installed. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `argv` (no shell), feeding `input` on stdin when given. Never rejects for a non-zero exit. */
export type CommandRunner = (argv: readonly string[], input?: string) => Promise<CommandResult>;

/** The real runner: `spawn` without a shell, stdout and stderr collected, at most 30 s per call. */
export const runCommand: CommandRunner = (argv, input) => {
  const [cmd, ...args] = argv;
  if (!cmd) return Promise.reject(new PyroError("internal", "runCommand: empty argv"));
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    // Our own kill timer: spawn's `timeout` option is never cleared when the program is missing
    // (ENOENT emits no 'exit'), which kept every CLI run alive for 30 s.
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    timer.unref();
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ code: err.code === "ENOENT" ? 127 : 126, stdout, stderr: `${cmd}: ${err.message}` });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, stdout, stderr: signal ? `${stderr}killed by ${signal}` : stderr });
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(input ?? "");
  });
};

/**
 * Runs `argv` and returns stdout; a non-zero exit throws `network_unavailable` quoting the
 * command and its stderr.
 * @throws PyroError network_unavailable
 */
export async function mustRun(run: CommandRunner, argv: readonly string[], input?: string): Promise<string> {
  const r = await run(argv, input);
  if (r.code === 0) return r.stdout;
  throw new PyroError(
    "network_unavailable",
    `"${argv.join(" ")}" failed (exit ${r.code}): ${r.stderr.trim().split("\n").slice(-4).join(" / ")}`,
    { details: { argv: [...argv], exit_code: r.code } },
  );
}
