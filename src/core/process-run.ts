/** Runs host helper programs (build scripts, e2fsprogs) with line-wise progress and clear errors. */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { type ErrorCode, PyroError } from "../errors.js";

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called for each stdout line (build scripts print `[kernel] phase=...`). */
  onLine?: (line: string) => void;
  /** Error code used when the program fails. */
  errorCode?: ErrorCode;
  /** Exit codes that count as success besides 0 (e2fsck's 1: "errors corrected"). Default none. */
  okExitCodes?: readonly number[];
  signal?: AbortSignal;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs `argv` to completion. A missing program is `host_dependency_missing`; a non-zero exit
 * throws `errorCode` (default `internal`) with the last stderr lines in the message.
 */
export function runProgram(argv: string[], options: RunOptions = {}): Promise<RunResult> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new PyroError("internal", "runProgram: empty argv");
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe"],
      signal: options.signal,
    });
    let stdout = "";
    let stderr = "";
    createInterface({ input: child.stdout }).on("line", (line) => {
      stdout += `${line}\n`;
      options.onLine?.(line);
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-16_384);
    });
    child.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") {
        reject(
          new PyroError("host_dependency_missing", `"${cmd}" is not installed`, {
            hint: "run scripts/setup.sh (or install the host packages listed in docs/install.md)",
            cause: err,
          }),
        );
      } else reject(err);
    });
    child.on("close", (code, signal) => {
      if (code === 0 || (code !== null && options.okExitCodes?.includes(code)))
        return resolve({ stdout, stderr });
      const tail = stderr.trim().split("\n").slice(-8).join("\n");
      reject(
        new PyroError(
          options.errorCode ?? "internal",
          `${cmd} ${args.slice(0, 2).join(" ")} failed (${signal ? `signal ${signal}` : `exit ${code}`})${tail ? `:\n${tail}` : ""}`,
          { details: { exit_code: code, signal } },
        ),
      );
    });
  });
}
