/** Exec events of the agent protocol (`POST /v1/exec`, NDJSON), parsed on the client side. */
import { StringDecoder } from "node:string_decoder";
import { z } from "zod";

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
      if (line) yield ExecEventSchema.parse(JSON.parse(line));
      nl = pending.indexOf("\n");
    }
  }
  pending += decoder.end();
  if (pending.trim()) yield ExecEventSchema.parse(JSON.parse(pending));
}
