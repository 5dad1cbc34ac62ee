/**
 * Exec events of the agent protocol (`POST /v1/exec`, NDJSON), parsed on the client side.
 * The stream comes from the guest and is hostile input: lines are bounded and every event is
 * checked against its schema.
 */
import { StringDecoder } from "node:string_decoder";
import { z } from "zod";
import { parseJsonAnswer, protocolViolation } from "../supervisor/answers.js";

/**
 * Longest event line accepted, in characters (8 Mi). The agent reads output 32 KiB at a
 * time; JSON escapes (up to 6 characters a byte) and `[REDACTED]` expansion keep a real
 * event far below this.
 */
export const MAX_EVENT_LINE_CHARS = 8 * 1024 * 1024;

const EXEC_ROUTE = "/v1/agent/exec";

export const ExecEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("started"), pid: z.number() }),
  z.object({ type: z.literal("stdout"), data: z.string().optional(), data_b64: z.string().optional() }),
  z.object({ type: z.literal("stderr"), data: z.string().optional(), data_b64: z.string().optional() }),
  z.object({
    type: z.literal("exit"),
    exit_code: z.number().int(),
    signal: z.string().optional().default(""),
    timed_out: z.boolean(),
    duration_ms: z.number(),
  }),
]);
export type ExecEvent = z.infer<typeof ExecEventSchema>;
export type ExecExit = Extract<ExecEvent, { type: "exit" }>;

/** Bytes carried by an output event (`data` text or `data_b64`). */
export function eventBytes(event: { data?: string | undefined; data_b64?: string | undefined }): Buffer {
  if (event.data !== undefined) return Buffer.from(event.data, "utf8");
  return Buffer.from(event.data_b64 ?? "", "base64");
}

/** One checked event. @throws PyroError guest_protocol_mismatch */
export function parseExecEvent(line: string): ExecEvent {
  const parsed = ExecEventSchema.safeParse(parseJsonAnswer(line, EXEC_ROUTE));
  if (parsed.success) return parsed.data;
  const type = (parsed.error.issues[0]?.path ?? []).join(".") || "event";
  throw protocolViolation(
    EXEC_ROUTE,
    `has an event of the wrong shape (${type}: ${parsed.error.issues[0]?.message})`,
  );
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
      if (line) yield parseExecEvent(line);
      nl = pending.indexOf("\n");
    }
    if (pending.length > MAX_EVENT_LINE_CHARS) {
      throw protocolViolation(EXEC_ROUTE, `has an event line longer than ${MAX_EVENT_LINE_CHARS} characters`);
    }
  }
  pending += decoder.end();
  if (pending.trim()) yield parseExecEvent(pending);
}
