/**
 * The text content of a tool result: what a model reads when its host shows it only the text
 * (many do). The MCP specification asks a tool that returns structured content to also return
 * it serialized as JSON in a text block; pyro does, bounded, and for the fields that hold
 * command output or file text (a tool's `streams`) it shows them as delimited blocks instead
 * of JSON-escaped strings, each bounded and saying when it is cut.
 */

/** Most bytes of one stream (stdout, stderr, output, content, patch) a result carries. @default 65536 (bytes) */
export const STREAM_LIMIT_BYTES = 65_536;
/** Most bytes of a record's JSON in the text content. @default 65536 (bytes) */
export const RECORD_LIMIT_BYTES = 65_536;

/** `text` cut to its first `limit` bytes, never splitting a UTF-8 sequence. */
export interface Head {
  /** The first bytes (all of `text` when it fits). */
  text: string;
  /** Size of the whole `text` in UTF-8 bytes. */
  bytes: number;
  /** True when `text` is shorter than the original. */
  cut: boolean;
}

/** The first `limit` UTF-8 bytes of `text`, backing off to a character boundary. */
export function headBytes(text: string, limit: number): Head {
  const buf = Buffer.from(text, "utf8");
  if (buf.length <= limit) return { text, bytes: buf.length, cut: false };
  let end = limit;
  // Back off to the start of a UTF-8 sequence (continuation bytes are 0b10xxxxxx).
  while (end > 0 && ((buf[end] ?? 0) & 0xc0) === 0x80) end--;
  return { text: buf.subarray(0, end).toString("utf8"), bytes: buf.length, cut: true };
}

/** The marker that follows a cut: `[... NAME cut: TOTAL bytes, first SHOWN shown]`. */
export function cutMarker(name: string, head: Head): string {
  return `[... ${name} cut: ${head.bytes} bytes, first ${Buffer.byteLength(head.text)} shown]`;
}

/** `value` as compact JSON, cut to {@link RECORD_LIMIT_BYTES} with a marker line. */
function boundedJson(value: unknown): string {
  const head = headBytes(JSON.stringify(value), RECORD_LIMIT_BYTES);
  return head.cut
    ? `${head.text}\n${cutMarker("record", head)} (structuredContent holds it whole)`
    : head.text;
}

/**
 * The text content of a successful result whose snake_case record is `record`:
 * - without `streams`: the record as JSON (what the spec asks for), bounded;
 * - with `streams` (keys of `record` holding output or file text): the other fields as JSON on
 *   the first line, then each stream that is a string as a block headed
 *   `--- NAME (N bytes) ---`, its text cut to {@link STREAM_LIMIT_BYTES} and followed by
 *   {@link cutMarker} when cut. A block's text ends with a newline added when it lacked one
 *   (the byte count tells).
 */
export function resultText(record: Record<string, unknown>, streams: readonly string[] = []): string {
  const shown = streams.filter((key) => typeof record[key] === "string");
  if (shown.length === 0) return boundedJson(record);
  const rest = Object.fromEntries(Object.entries(record).filter(([key]) => !shown.includes(key)));
  const blocks = shown.map((key) => {
    const head = headBytes(record[key] as string, STREAM_LIMIT_BYTES);
    const body = head.text === "" || head.text.endsWith("\n") ? head.text : `${head.text}\n`;
    return `--- ${key} (${head.bytes} bytes) ---\n${body}${head.cut ? `${cutMarker(key, head)}\n` : ""}`;
  });
  return `${boundedJson(rest)}\n${blocks.join("")}`;
}
