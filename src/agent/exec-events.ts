/** Exec events of the agent protocol (`POST /v1/exec`, NDJSON), parsed on the client side. */
import { StringDecoder } from "node:string_decoder";
/** An exec event as the agent sends it (`signal` defaults to ""). */
export type ExecEvent =
  | { type: "started"; pid: number }
  | { type: "stdout" | "stderr"; data?: string | undefined; data_b64?: string | undefined }
  | { type: "exit"; exit_code: number; signal: string; timed_out: boolean; duration_ms: number };
export type ExecExit = Extract<ExecEvent, { type: "exit" }>;

/**
 * One parsed NDJSON line checked as an event. Plain checks rather than zod: this runs inside
 * every `workspace exec`, whose CLI process would otherwise load zod for four small shapes.
 * Unknown fields are dropped. @throws Error naming the first bad field
 */
export function parseExecEvent(value: unknown): ExecEvent {
  const e = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  const bad = (field: string): never => {
    throw new Error(`malformed exec event from the agent: ${field} in ${JSON.stringify(value)}`);
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

/** Splits an NDJSON byte stream into parsed events. */
export async function* readExecEvents(stream: AsyncIterable<Buffer | string>): AsyncGenerator<ExecEvent> {
  // A multi-byte character may be split across frames: decode as a stream, not per chunk.
  const decoder = new StringDecoder("utf8");
  let pending = "";
  for await (const chunk of stream) {
    pending += typeof chunk === "string" ? chunk : decoder.write(chunk);
    let nl = pending.indexOf("\n");
    while (nl >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line) yield parseExecEvent(JSON.parse(line));
      nl = pending.indexOf("\n");
    }
  }
  pending += decoder.end();
  if (pending.trim()) yield parseExecEvent(JSON.parse(pending));
}
