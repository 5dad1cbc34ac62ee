/**
 * Reading answers that come from the guest agent (through the supervisor's proxy) as hostile
 * input: bodies are read up to a cap, JSON that does not parse is a protocol violation, and
 * every failure is a PyroError with a code, never a parser's TypeError or an unbounded string.
 */
import { PyroError } from "../errors.js";

/**
 * Cap of a JSON answer read whole, in bytes (32 MiB). The largest real ones are a recursive
 * file listing (about 150 bytes an entry) and `service logs --all` (two logs of at most
 * 8 MiB each): an answer over it is a broken or hostile agent, not data.
 */
export const MAX_JSON_ANSWER_BYTES = 32 * 1024 * 1024;

/** The route of a request path, without its query (error messages must stay short). */
export function routeOf(path: string): string {
  return path.split("?")[0] ?? path;
}

/**
 * The error for an answer that breaks the agent protocol (bad JSON, wrong shape, over a cap,
 * a broken tar stream): `guest_protocol_mismatch`, naming the route and what was wrong.
 */
export function protocolViolation(path: string, what: string, cause?: unknown): PyroError {
  return new PyroError(
    "guest_protocol_mismatch",
    `the guest agent's answer to ${routeOf(path)} ${what}; it does not follow the agent protocol`,
    {
      ...(cause === undefined ? {} : { cause }),
      details: { route: routeOf(path) },
      hint: "the guest's agent is not pyro's own (PYRO_AGENT_PATH) or the guest is compromised; delete the workspace",
    },
  );
}

/**
 * Reads a whole body, at most `maxBytes` bytes.
 * @throws PyroError guest_protocol_mismatch (more than `maxBytes`), guest_unreachable (the
 *   body broke off: the supervisor went away, or the call's time limit ended it)
 */
export async function readBoundedBody(
  body: AsyncIterable<Buffer | string>,
  maxBytes: number,
  path: string,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      size += bytes.length;
      if (size > maxBytes) throw protocolViolation(path, `is longer than ${maxBytes} bytes`);
      chunks.push(bytes);
    }
  } catch (err) {
    if (err instanceof PyroError) throw err;
    throw new PyroError(
      "guest_unreachable",
      `the answer to ${routeOf(path)} broke off: ${(err as Error).message}`,
      { cause: err, hint: "see `workspace status` for the VM's state" },
    );
  } finally {
    // Stop the rest of an oversized or broken answer from streaming in.
    (body as { destroy?: () => void }).destroy?.();
  }
  return Buffer.concat(chunks);
}

/** Parses JSON text from the agent. @throws PyroError guest_protocol_mismatch */
export function parseJsonAnswer(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw protocolViolation(path, "is not JSON", err);
  }
}
