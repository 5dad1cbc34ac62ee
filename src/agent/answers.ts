/**
 * Shapes of the agent's JSON answers that core reads (docs/agent-protocol.md). The agent is
 * untrusted: an answer is checked before any field is used, so a wrong type becomes a
 * `guest_protocol_mismatch` naming the route instead of a TypeError deep in core. Unknown
 * fields pass through (a newer agent may add some).
 */
import { z } from "zod";
import { protocolViolation } from "../supervisor/answers.js";

const int = z.number().int();
const nullableInt = int.nullable();

/** `GET /v1/files/list`. */
export const FileListSchema = z.looseObject({
  entries: z.array(
    z.looseObject({
      path: z.string(),
      type: z.enum(["file", "dir", "symlink", "other"]),
      size: int.nonnegative(),
      mode: z.string(),
      mtime: z.string(),
      link_target: z.string().optional(),
    }),
  ),
});

/** `PUT /v1/files/tar`. */
export const TarPutSchema = z.looseObject({ entries: int.nonnegative(), bytes: int.nonnegative() });

/** `PUT /v1/files/write`: the path written, relative to the request's root, and its size. */
export const FileWriteSchema = z.looseObject({ path: z.string(), bytes: int.nonnegative() });

const ReadinessSchema = z.looseObject({
  type: z.enum(["none", "file", "tcp", "http", "command"]),
  target: z.string(),
  timeout_ms: int,
  interval_ms: int,
});

/** A service record (`POST|GET /v1/services...`). */
export const ServiceSchema = z.looseObject({
  service_name: z.string(),
  command: z.array(z.string()),
  cwd: z.string(),
  state: z.enum(["starting", "running", "ready", "failed", "stopped", "exited"]),
  pid: nullableInt,
  started_at: z.string(),
  ready_at: z.string().nullable(),
  ended_at: z.string().nullable(),
  exit_code: nullableInt,
  readiness: ReadinessSchema,
  stop_reason: z.string().nullable(),
});

/** `GET /v1/services`. */
export const ServiceListSchema = z.looseObject({ services: z.array(ServiceSchema) });

/** `GET /v1/services/{name}/logs`. */
export const ServiceLogsSchema = z.looseObject({
  service_name: z.string(),
  stdout: z.string(),
  stderr: z.string(),
  truncated: z.boolean(),
});

/**
 * Checks an answer of the route `path` against `schema`.
 * @throws PyroError guest_protocol_mismatch naming the first wrong field
 */
export function parseAnswer<S extends z.ZodType>(schema: S, value: unknown, path: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.length ? issue.path.join(".") : "the answer";
  throw protocolViolation(path, `has a wrong field (${field}: ${issue?.message ?? "invalid"})`);
}
