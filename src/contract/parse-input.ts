/**
 * The one way a caller's input is checked against a contract schema, shared by the SDK
 * (camelCase arguments) and MCP (snake_case tool arguments). zod is imported as a type only,
 * so loading this module costs nothing until a schema is used.
 */
import type { z } from "zod";
import { InvalidArgumentError } from "../errors.js";

/**
 * `input` parsed by `schema` (defaults filled).
 * @throws PyroError invalid_argument: the message is `field: problem` for the first bad field
 *   (dotted path, or `input` for the whole value); `details` carries `field` and every issue as
 *   `{ path, message }`.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.length ? issue.path.join(".") : "input";
  throw new InvalidArgumentError(`${field}: ${issue?.message ?? "invalid value"}`, {
    details: {
      field,
      issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    },
  });
}
