/**
 * MCP tool schemas from the contract: inputs in snake_case derived from the SDK's camelCase
 * zod schemas (`snakeSchema`), outputs from the contract's snake_case record schemas. Each
 * field keeps its zod type, checks, default and `.describe()`.
 */
import { z } from "zod";
import { parseInput } from "../contract/parse-input.js";
import { snakeSchema } from "../contract/schema-case.js";
import { CUT_KEYS, STREAM_LIMIT_BYTES } from "./respond.js";

export { snakeSchema };

/**
 * The schema handed to `registerTool` as `inputSchema`: it advertises `strict`'s JSON Schema
 * (draft-07, input side, as the MCP SDK would emit it) but accepts any object, so that the
 * tool handler validates with {@link parseToolInput} and a bad argument comes back as a
 * structured `invalid_argument` tool error instead of the MCP SDK's plain-text one.
 */
export function advertisedInput(strict: z.ZodType): z.ZodObject {
  const { $schema: _dialect, ...json } = z.toJSONSchema(strict, { io: "input", target: "draft-7" });
  return z.looseObject({}).meta(json);
}

/**
 * Validates tool arguments against a snake_case schema, filling defaults.
 * @throws PyroError invalid_argument naming the first bad field (snake_case) and listing all issues.
 */
export function parseToolInput<S extends z.ZodType>(schema: S, args: unknown): z.output<S> {
  return parseInput(schema, args ?? {});
}

/** The `structuredContent` of a tool error (respond.ts `toolError`). */
export const ToolErrorSchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }).strict(),
  })
  .strict();

/**
 * The `structuredContent` of a successful result of a tool whose SDK record has `record` as
 * its snake_case schema, exactly as respond.ts `toolResult` shapes it: a record that is not an
 * object comes wrapped as `{ result }`, and beside a top-level `stdout`/`stderr` string that
 * was cut stand `stdout_truncated: true` and `stdout_bytes` (its full size).
 */
export function toolOutputSchema(record: z.ZodType): z.ZodObject {
  const object: z.ZodObject = record instanceof z.ZodObject ? record : z.object({ result: record });
  const shape = object.shape as Record<string, z.ZodType>;
  const flags = Object.fromEntries(
    CUT_KEYS.filter((key) => shape[key] instanceof z.ZodString).flatMap((key) => [
      [
        `${key}_truncated`,
        z
          .literal(true)
          .optional()
          .describe(`Present when ${key} was cut to its first ${STREAM_LIMIT_BYTES} bytes`),
      ],
      [
        `${key}_bytes`,
        z.number().int().optional().describe(`Present when ${key} was cut: its full size in bytes`),
      ],
    ]),
  );
  return Object.keys(flags).length > 0 ? object.extend(flags) : object;
}

/**
 * The schema handed to `registerTool` as `outputSchema`: it advertises, as JSON Schema
 * (draft-07, output side), `structuredContent` of either kind a call can return, the record
 * ({@link toolOutputSchema}) or a tool error ({@link ToolErrorSchema}), and accepts any object
 * (the handler checks the record itself). The error branch is there because the MCP SDK's
 * client (1.32) validates `structuredContent` against `outputSchema` also for `isError`
 * results (modelcontextprotocol/typescript-sdk#1943): a record-only schema would turn every
 * tool error into a client-side exception.
 */
export function advertisedOutput(output: z.ZodObject): z.ZodObject {
  const json = (schema: z.ZodType) => {
    const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: "output", target: "draft-7" });
    return rest;
  };
  // `properties` and `additionalProperties` of the loose object are unset: undefined keys
  // vanish when the tool list is sent as JSON.
  return z.looseObject({}).meta({
    type: "object",
    properties: undefined,
    additionalProperties: undefined,
    anyOf: [json(output), json(ToolErrorSchema)],
  });
}
