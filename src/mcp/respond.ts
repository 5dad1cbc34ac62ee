/**
 * The one place MCP tool results are shaped: SDK records become snake_case `structuredContent`
 * plus their text content (text.ts), and every thrown error becomes an `isError` result with
 * its code.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { errorBody, errorText, toPyroError, toSnake } from "../sdk/index.js";
import { headBytes, resultText, STREAM_LIMIT_BYTES } from "./text.js";

export { STREAM_LIMIT_BYTES };

/** Top-level record fields cut in `structuredContent` (command output, unbounded otherwise). */
export const CUT_KEYS = ["stdout", "stderr"] as const;

/**
 * A successful tool result: `value` converted to snake_case (wrapped as `{ result }` when it is
 * not an object). In `structuredContent`, a top-level `stdout`/`stderr` longer than
 * {@link STREAM_LIMIT_BYTES} is cut to its first bytes, with `stdout_truncated: true` and
 * `stdout_bytes` (the full size) beside it. The text content is {@link resultText} of the
 * whole record, `streams` shown as delimited blocks.
 */
export function toolResult(value: unknown, streams: readonly string[] = []): CallToolResult {
  const snake = toSnake(value);
  const record: Record<string, unknown> =
    snake !== null && typeof snake === "object" && !Array.isArray(snake)
      ? { ...(snake as Record<string, unknown>) }
      : { result: snake };
  const structured = { ...record };
  for (const key of CUT_KEYS) {
    const text = structured[key];
    if (typeof text !== "string") continue;
    const head = headBytes(text, STREAM_LIMIT_BYTES);
    if (!head.cut) continue;
    structured[key] = head.text;
    structured[`${key}_truncated`] = true;
    structured[`${key}_bytes`] = head.bytes;
  }
  return {
    structuredContent: structured,
    content: [{ type: "text", text: resultText(streams.length > 0 ? record : structured, streams) }],
  };
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
