/**
 * Checks of golden JSON against the TypeScript side of a wire protocol (protocol/guest,
 * protocol/supervisor): {@link checkShape} against a TS type's keys, which the compiler derives
 * ({@link Shape}), and {@link checkZodKeys} against a zod schema's keys. Both refuse a key the
 * TypeScript side does not know, so a field renamed in Go (and in its golden file) fails here.
 */
import { expect } from "vitest";
import { z } from "zod";

type Kind = "string" | "number" | "boolean" | "null" | "array" | "object";
/** The JSON kinds a TS type allows (distributes over unions; `undefined` allows none). */
type KindOf<V> = V extends string
  ? "string"
  : V extends number
    ? "number"
    : V extends boolean
      ? "boolean"
      : V extends null
        ? "null"
        : V extends readonly unknown[]
          ? "array"
          : V extends object
            ? "object"
            : never;

/**
 * Every key of T (optional ones too), each with the kinds its golden value may have, and for
 * object or array values the shape of what they hold. The compiler refuses a missing or extra
 * key and a kind T does not allow.
 */
export type Shape<T> = {
  [K in keyof Required<T>]: {
    kinds: KindOf<T[K]>[];
    optional?: undefined extends T[K] ? true : never;
    of?: AnyShape;
  };
};
// biome-ignore lint/suspicious/noExplicitAny: a shape of any record, for nesting
export type AnyShape = Shape<any>;

function kindOf(v: unknown): Kind {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v as Kind;
}

/**
 * Checks `value` against `shape`: the same keys (optional ones may be absent), allowed kinds.
 * `partial`: any key may be absent (a request the agent takes with fewer fields than the host
 * sends).
 */
export function checkShape(value: unknown, shape: AnyShape, path: string, partial = false): void {
  expect(kindOf(value), path).toBe("object");
  const record = value as Record<string, unknown>;
  const fields = shape as Record<string, { kinds: Kind[]; optional?: true; of?: AnyShape }>;
  for (const key of Object.keys(record)) expect(Object.keys(fields), `${path}: unknown key`).toContain(key);
  for (const [key, field] of Object.entries(fields)) {
    if (!(key in record)) {
      if (!partial) expect(field.optional, `${path}.${key} is missing`).toBe(true);
      continue;
    }
    const v = record[key];
    expect(field.kinds, `${path}.${key} is ${kindOf(v)}`).toContain(kindOf(v));
    if (field.of && kindOf(v) === "array") {
      for (const [i, x] of (v as unknown[]).entries())
        checkShape(x, field.of, `${path}.${key}[${i}]`, partial);
    } else if (field.of && kindOf(v) === "object") checkShape(v, field.of, `${path}.${key}`, partial);
  }
}

/**
 * Checks that every key of `value`, at every depth, is one `schema` names. The host's answer
 * schemas are loose (a newer agent may add fields), so parsing alone would let a renamed
 * optional field pass unnoticed.
 */
export function checkZodKeys(schema: z.ZodType, value: unknown, path: string): void {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) {
    if (value !== undefined && value !== null) checkZodKeys(schema.unwrap() as z.ZodType, value, path);
  } else if (schema instanceof z.ZodArray) {
    for (const [i, x] of (value as unknown[]).entries())
      checkZodKeys(schema.element as z.ZodType, x, `${path}[${i}]`);
  } else if (schema instanceof z.ZodObject) {
    const shape = schema.shape as Record<string, z.ZodType>;
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      expect(Object.keys(shape), `${path}: unknown key`).toContain(key);
      checkZodKeys(shape[key] as z.ZodType, v, `${path}.${key}`);
    }
  }
}
