/**
 * Turns zod failures into one `invalid_argument` PyroError naming the field. The operation
 * schemas, and zod with them, load on the first {@link validateAs}: ~60 ms of start-up that
 * `workspace exec` (which has its own fast path, exec-input.ts) never pays.
 */
import type { z } from "zod";
import { parseInput } from "../contract/parse-input.js";

type Schemas = typeof import("../contract/index.js");
/** Names of the input schemas exported by src/contract. */
export type SchemaName = { [K in keyof Schemas]: Schemas[K] extends z.ZodType ? K : never }[keyof Schemas];

/**
 * `input` parsed (defaults filled) by the operation schema exported as `name`, loading the
 * schemas first.
 * @throws PyroError invalid_argument naming the first bad field (contract/parse-input.ts)
 */
export async function validateAs<K extends SchemaName>(
  name: K,
  input: unknown,
): Promise<z.output<Schemas[K]>> {
  const schemas: Schemas = await import("../contract/index.js");
  return parseInput(schemas[name] as z.ZodType, input) as z.output<Schemas[K]>;
}
