/**
 * Checks an agent answer against its schema in answers.ts, loaded on first use: the schemas
 * need zod, and modules on the `workspace exec` path (which loads no zod) import these
 * clients too. @throws PyroError guest_protocol_mismatch naming the route and the bad field
 */
import type { z } from "zod";
import type * as Answers from "./answers.js";

type SchemaName = {
  [K in keyof typeof Answers]: (typeof Answers)[K] extends z.ZodType ? K : never;
}[keyof typeof Answers];

/**
 * `value` (the JSON answer to `path`) checked against the schema `name` of answers.ts.
 * @throws PyroError guest_protocol_mismatch naming the route and the first bad field
 */
export async function checkAnswer<K extends SchemaName>(
  name: K,
  value: unknown,
  path: string,
): Promise<z.infer<(typeof Answers)[K]>> {
  const answers = await import("./answers.js");
  return answers.parseAnswer(answers[name], value, path) as z.infer<(typeof Answers)[K]>;
}
