/**
 * The one place MCP tool results are shaped: SDK records become snake_case `structuredContent`
 * plus one line of text, and every thrown error becomes an `isError` result with its code.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { errorBody, errorText, toPyroError, toSnake } from "../sdk/index.js";

/** Most bytes of `stdout` or `stderr` a tool result carries (each). @default 65536 (bytes) */
export const STREAM_LIMIT_BYTES = 65_536;

const STREAM_KEYS = ["stdout", "stderr"] as const;

/** The first `limit` bytes of `text`, never splitting a UTF-8 sequence; undefined when it fits. */
function headBytes(text: string, limit: number): string | undefined {
  const buf = Buffer.from(text, "utf8");
  if (buf.length <= limit) return undefined;
  let end = limit;
  // Back off to the start of a UTF-8 sequence (continuation bytes are 0b10xxxxxx).
  while (end > 0 && ((buf[end] ?? 0) & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString("utf8");
}

/**
 * A successful tool result: `value` converted to snake_case (wrapped as `{ result }` when it is
 * not an object), with top-level `stdout`/`stderr` cut to {@link STREAM_LIMIT_BYTES} and a
 * `stdout_truncated: true` / `stderr_truncated: true` flag beside each one that was cut.
 * `summary` is the one-line text; a note is appended when output was cut.
 */
export function toolResult(value: unknown, summary: string): CallToolResult {
  const snake = toSnake(value);
  const structured: Record<string, unknown> =
    snake !== null && typeof snake === "object" && !Array.isArray(snake)
      ? { ...(snake as Record<string, unknown>) }
      : { result: snake };
  const cut: string[] = [];
  for (const key of STREAM_KEYS) {
    const text = structured[key];
    if (typeof text !== "string") continue;
    const head = headBytes(text, STREAM_LIMIT_BYTES);
    if (head === undefined) continue;
    structured[key] = head;
    structured[`${key}_truncated`] = true;
    cut.push(key);
  }
  const note =
    cut.length > 0 ? ` [${cut.join(" and ")} truncated to the first ${STREAM_LIMIT_BYTES} bytes]` : "";
  return { structuredContent: structured, content: [{ type: "text", text: `${summary}${note}` }] };
}

/**
 * A tool error result: `error[CODE]: message` as text (plus `hint: ...` on a second line when
 * the error has one) and `{ error: { code, message, hint? } }` as structured content. Errors
 * that are not a {@link PyroError} get code `internal`. Stacks and `details` are never sent.
 */
export function toolError(err: unknown): CallToolResult {
  const body = errorBody(toPyroError(err));
  return {
    isError: true,
    content: [{ type: "text", text: errorText(body) }],
    structuredContent: { error: body },
  };
}
