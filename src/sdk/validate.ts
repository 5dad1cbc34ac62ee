/**
 * Turns zod failures into one `invalid_argument` PyroError naming the field. The operation
 * schemas, and zod with them, load on the first {@link validateAs}: ~60 ms of start-up that
 * `workspace exec` (which has its own fast path, exec-input.ts) never pays.
 */
import type { z } from "zod";
import { InvalidArgumentError } from "../errors.js";

type Schemas = typeof import("../contract/index.js");
/** Names of the input schemas exported by src/contract. */
export type SchemaName = { [K in keyof Schemas]: Schemas[K] extends z.ZodType ? K : never }[keyof Schemas];

/** `input` parsed by `schema` (defaults filled). @throws PyroError invalid_argument naming the first bad field */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
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

/** {@link validate} against the operation schema exported as `name`, loading the schemas first. */
export async function validateAs<K extends SchemaName>(
  name: K,
  input: unknown,
): Promise<z.output<Schemas[K]>> {
  const schemas: Schemas = await import("../contract/index.js");
  return validate(schemas[name] as z.ZodType, input) as z.output<Schemas[K]>;
}
