/** Turns zod failures into one `invalid_argument` PyroError naming the field. */
import type { z } from "zod";
import { InvalidArgumentError } from "../errors.js";

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
