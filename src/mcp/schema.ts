/**
 * MCP tool inputs in snake_case, derived from the SDK's camelCase zod schemas (one contract
 * source). Each field keeps its zod type, checks, default and `.describe()`; only keys change.
 */
import { z } from "zod";
import { InvalidArgumentError, snakeKey } from "../sdk/index.js";

/**
 * Deep-renames object keys of `schema` to snake_case. Objects and arrays are cloned with their
 * checks and strictness, optional/nullable/default wrappers are re-applied around renamed
 * contents, and `.describe()`/`.meta()` metadata (but an `id`) is copied. A schema with nothing
 * to rename is returned as the same instance.
 */
export function snakeSchema(schema: z.ZodType): z.ZodType {
  let out: z.ZodType;
  if (schema instanceof z.ZodObject) {
    const entries = Object.entries(schema.shape as Record<string, z.ZodType>);
    const renamed = entries.map(([k, v]) => [snakeKey(k), snakeSchema(v)] as const);
    if (renamed.every(([k, v], i) => k === entries[i]?.[0] && v === entries[i]?.[1])) return schema;
    out = schema.clone({ ...schema.def, shape: Object.fromEntries(renamed) });
  } else if (schema instanceof z.ZodArray) {
    const element = schema.element as z.ZodType;
    const renamed = snakeSchema(element);
    if (renamed === element) return schema;
    out = schema.clone({ ...schema.def, element: renamed });
  } else if (schema instanceof z.ZodUnion) {
    const options = schema.options as z.ZodType[];
    const renamed = options.map(snakeSchema);
    if (renamed.every((o, i) => o === options[i])) return schema;
    out = z.union(renamed as [z.ZodType, z.ZodType, ...z.ZodType[]]);
  } else if (
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodNullable ||
    schema instanceof z.ZodDefault
  ) {
    const inner = schema.def.innerType as z.ZodType;
    const renamed = snakeSchema(inner);
    if (renamed === inner) return schema;
    if (schema instanceof z.ZodOptional) out = renamed.optional();
    else if (schema instanceof z.ZodNullable) out = renamed.nullable();
    else out = renamed.default(schema.def.defaultValue);
  } else {
    return schema;
  }
  const { id: _id, ...meta } = z.globalRegistry.get(schema) ?? {};
  if (Object.keys(meta).length > 0) z.globalRegistry.add(out, meta);
  return out;
}

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
  const parsed = schema.safeParse(args ?? {});
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
