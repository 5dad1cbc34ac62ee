/**
 * One zod schema, two key styles: the SDK's camelCase inputs advertised to MCP in snake_case,
 * and the snake_case records offered to SDK users in camelCase. Each field keeps its zod type,
 * checks, default and `.describe()`; only keys change.
 */
import { z } from "zod";
import { type Camel, camelKey, snakeKey } from "./case.js";

/**
 * Deep-renames object keys of `schema` with `key`. Objects and arrays are cloned with their
 * checks and strictness, optional/nullable/default wrappers are re-applied around renamed
 * contents, and `.describe()`/`.meta()` metadata (but an `id`) is copied. A schema with nothing
 * to rename is returned as the same instance. Records (`labels`, `env`) keep their keys, as
 * {@link toCamel} and {@link toSnake} keep them.
 */
function renameSchema(schema: z.ZodType, key: (k: string) => string): z.ZodType {
  let out: z.ZodType;
  if (schema instanceof z.ZodObject) {
    const entries = Object.entries(schema.shape as Record<string, z.ZodType>);
    const renamed = entries.map(([k, v]) => [key(k), renameSchema(v, key)] as const);
    if (renamed.every(([k, v], i) => k === entries[i]?.[0] && v === entries[i]?.[1])) return schema;
    out = schema.clone({ ...schema.def, shape: Object.fromEntries(renamed) });
  } else if (schema instanceof z.ZodArray) {
    const element = schema.element as z.ZodType;
    const renamed = renameSchema(element, key);
    if (renamed === element) return schema;
    out = schema.clone({ ...schema.def, element: renamed });
  } else if (schema instanceof z.ZodUnion) {
    const options = schema.options as z.ZodType[];
    const renamed = options.map((o) => renameSchema(o, key));
    if (renamed.every((o, i) => o === options[i])) return schema;
    out = z.union(renamed as [z.ZodType, z.ZodType, ...z.ZodType[]]);
  } else if (
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodNullable ||
    schema instanceof z.ZodDefault
  ) {
    const inner = schema.def.innerType as z.ZodType;
    const renamed = renameSchema(inner, key);
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

/** `schema` with snake_case keys (MCP tool inputs from the SDK's camelCase ones). */
export function snakeSchema(schema: z.ZodType): z.ZodType {
  return renameSchema(schema, snakeKey);
}

/** `schema` with camelCase keys: what the SDK returns for a snake_case record. */
export function camelSchema<S extends z.ZodType>(schema: S): z.ZodType<Camel<z.output<S>>> {
  return renameSchema(schema, camelKey) as z.ZodType<Camel<z.output<S>>>;
}
