/**
 * Exec events of the agent protocol (`POST /v1/exec`, NDJSON), parsed on the client side.
 * The stream comes from the guest and is hostile input: lines are bounded and every event is
 * checked against its schema.
 */
import { StringDecoder } from "node:string_decoder";
import { parseJsonAnswer, protocolViolation } from "../supervisor/answers.js";

/**
 * Longest event line accepted, in characters (8 Mi). The agent reads output 32 KiB at a
 * time; JSON escapes (up to 6 characters a byte) and `[REDACTED]` expansion keep a real
 * event far below this.
 */
export const MAX_EVENT_LINE_CHARS = 8 * 1024 * 1024;

const EXEC_ROUTE = "/v1/agent/exec";

/** An exec event as the agent sends it (`signal` defaults to ""). */
export type ExecEvent =
  | { type: "started"; pid: number }
  | { type: "stdout" | "stderr"; data?: string | undefined; data_b64?: string | undefined }
  | { type: "exit"; exit_code: number; signal: string; timed_out: boolean; duration_ms: number };
export type ExecExit = Extract<ExecEvent, { type: "exit" }>;

/**
 * One parsed NDJSON line checked as an event. Plain checks rather than zod: this runs inside
 * every `workspace exec`, whose CLI process would otherwise load zod for four small shapes.
 * Unknown fields are dropped. @throws PyroError guest_protocol_mismatch naming the first bad field
 */
export function parseExecEvent(value: unknown): ExecEvent {
  const e = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  const bad = (field: string): never => {
    throw protocolViolation(EXEC_ROUTE, `has an event of the wrong shape (${field})`);
  };
  const optStr = (k: string) =>
    e[k] === undefined || typeof e[k] === "string" ? (e[k] as string | undefined) : bad(k);
  switch (e.type) {
    case "started":
      return { type: "started", pid: typeof e.pid === "number" ? e.pid : bad("pid") };
    case "stdout":
    case "stderr": {
      const out: ExecEvent = { type: e.type };
      const data = optStr("data");
      const dataB64 = optStr("data_b64");
      if (data !== undefined) out.data = data;
      if (dataB64 !== undefined) out.data_b64 = dataB64;
      return out;
    }
    case "exit":
      return {
        type: "exit",
        exit_code: Number.isInteger(e.exit_code) ? (e.exit_code as number) : bad("exit_code"),
        signal: optStr("signal") ?? "",
        timed_out: typeof e.timed_out === "boolean" ? e.timed_out : bad("timed_out"),
        duration_ms: typeof e.duration_ms === "number" ? e.duration_ms : bad("duration_ms"),
      };
    default:
      return bad("type");
  }
}

/** Bytes carried by an output event (`data` text or `data_b64`). */
export function eventBytes(event: { data?: string | undefined; data_b64?: string | undefined }): Buffer {
  if (event.data !== undefined) return Buffer.from(event.data, "utf8");
  return Buffer.from(event.data_b64 ?? "", "base64");
}

/**
 * Splits an NDJSON byte stream into checked events.
 * @throws PyroError guest_protocol_mismatch for a line that is not an event or is longer than
 *   {@link MAX_EVENT_LINE_CHARS}
 */
export async function* readExecEvents(stream: AsyncIterable<Buffer | string>): AsyncGenerator<ExecEvent> {
  // A multi-byte character may be split across frames: decode as a stream, not per chunk.
  const decoder = new StringDecoder("utf8");
  let pending = "";
  for await (const chunk of stream) {
    // Only the new text can hold the next newline: an endless line costs linear time.
    let nl = pending.length;
    pending += typeof chunk === "string" ? chunk : decoder.write(chunk);
    nl = pending.indexOf("\n", nl);
    while (nl >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line) yield parseExecEvent(parseJsonAnswer(line, EXEC_ROUTE));
      nl = pending.indexOf("\n");
    }
    if (pending.length > MAX_EVENT_LINE_CHARS) {
      throw protocolViolation(EXEC_ROUTE, `has an event line longer than ${MAX_EVENT_LINE_CHARS} characters`);
    }
  }
  pending += decoder.end();
  if (pending.trim()) yield parseExecEvent(parseJsonAnswer(pending, EXEC_ROUTE));
}
