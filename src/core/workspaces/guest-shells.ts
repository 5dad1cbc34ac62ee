/** Client of the agent's shell routes (docs/agent-protocol.md, "Shells"), through the supervisor. */
import type { Readable } from "node:stream";
import type { SupervisorClient } from "../../supervisor/client.js";
import { expectOk, readJson } from "../../supervisor/client.js";

/** Agent shell record (snake_case, as on the wire). */
export interface GuestShell {
  shell_id: string;
  pid: number;
  cwd: string;
  cols: number;
  rows: number;
  state: "running" | "exited";
  started_at: string;
  ended_at: string | null;
  exit_code: number | null;
}

export interface GuestShellOutput {
  cursor: number;
  next_cursor: number;
  output: string;
  truncated: boolean;
  dropped: number;
  state: "running" | "exited";
  exit_code: number | null;
}

const enc = encodeURIComponent;

export class GuestShells {
  constructor(private readonly client: SupervisorClient) {}

  open(options: {
    cwd: string;
    cols: number;
    rows: number;
    env?: Record<string, string>;
    /** `{ENV_VAR: SECRET_NAME}`: secret values in the shell's environment. */
    secret_env?: Record<string, string>;
  }): Promise<GuestShell> {
    return this.client.json("POST", "/v1/agent/shells", options, "shell_not_found");
  }

  async list(): Promise<GuestShell[]> {
    return (await this.client.json<{ shells: GuestShell[] }>("GET", "/v1/agent/shells")).shells;
  }

  get(id: string): Promise<GuestShell> {
    return this.client.json("GET", `/v1/agent/shells/${enc(id)}`, undefined, "shell_not_found");
  }

  /** Raw output from `cursor`; `waitForIdleMs` waits for quiet (at most `timeoutMs`). */
  output(
    id: string,
    q: { cursor: number; maxBytes: number; waitForIdleMs: number; timeoutMs: number },
  ): Promise<GuestShellOutput> {
    const query = new URLSearchParams({
      cursor: String(q.cursor),
      max_bytes: String(q.maxBytes),
      wait_for_idle_ms: String(q.waitForIdleMs),
      timeout_ms: String(q.timeoutMs),
    });
    return this.client.json(
      "GET",
      `/v1/agent/shells/${enc(id)}/output?${query}`,
      undefined,
      "shell_not_found",
    );
  }

  async input(id: string, data: Buffer): Promise<{ bytes: number }> {
    const res = await this.client.request("POST", `/v1/agent/shells/${enc(id)}/input`, {
      headers: { "content-type": "application/octet-stream" },
      body: data,
    });
    return readJson<{ bytes: number }>(res, "shell_not_found");
  }

  signal(id: string, signal: string): Promise<{ signal: string; pgid: number }> {
    return this.client.json("POST", `/v1/agent/shells/${enc(id)}/signal`, { signal }, "shell_not_found");
  }

  resize(id: string, cols: number, rows: number): Promise<GuestShell> {
    return this.client.json("POST", `/v1/agent/shells/${enc(id)}/resize`, { cols, rows }, "shell_not_found");
  }

  /**
   * Streams `input` into the PTY and resolves with the live output stream (from the current
   * end of the buffer) once the agent answers. Ends when the shell exits or `signal` aborts.
   */
  async attach(id: string, input: Readable, signal?: AbortSignal): Promise<Readable> {
    const res = await this.client.request("GET", `/v1/agent/shells/${enc(id)}/attach`, {
      headers: { "content-type": "application/octet-stream", "transfer-encoding": "chunked" },
      body: input,
      ...(signal ? { signal } : {}),
    });
    await expectOk(res, "shell_not_found");
    return res.body;
  }

  close(id: string): Promise<GuestShell> {
    return this.client.json("DELETE", `/v1/agent/shells/${enc(id)}`, undefined, "shell_not_found");
  }
}
