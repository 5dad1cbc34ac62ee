/** Deriving one object schema from another without restating its fields. */
import { z } from "zod";

type Intersect<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/** The fields of every group of `A`, as one shape. */
type Added<A> = { [K in keyof Intersect<A[keyof A]>]: Intersect<A[keyof A]>[K] };
/** `S` with `N`'s fields added (replacing any of the same name). */
type ExtendedObject<S, N> = Extended<S, N> extends infer E extends z.ZodRawShape ? z.ZodObject<E> : never;
type Extended<S, N> = {
  [K in keyof S | keyof N]: K extends keyof N ? N[K] : K extends keyof S ? S[K] : never;
};

/**
 * `base` extended with new fields, each group placed right after the existing key it is filed
 * under (`{ created_at: { expires_at } }` puts `expires_at` after `created_at`): the key order
 * of a record is its order in JSON output. An added key that `base` already has replaces it
 * in place.
 * @throws Error when an anchor is not a key of `base` (a stale anchor fails at load)
 */
export function extendAfter<S extends z.ZodRawShape, A extends Record<string, z.ZodRawShape>>(
  base: z.ZodObject<S>,
  after: A,
): ExtendedObject<S, Added<A>> {
  for (const anchor of Object.keys(after)) {
    if (!Object.hasOwn(base.shape, anchor)) throw new Error(`extendAfter: no field "${anchor}" to follow`);
  }
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(base.shape as unknown as Record<string, z.ZodType>)) {
    shape[key] = field;
    Object.assign(shape, after[key] ?? {});
  }
  return z.object(shape) as unknown as ExtendedObject<S, Added<A>>;
}

/**
 * `value`'s fields in the order `schema` declares them, without the ones it does not declare
 * (what a parse would return, minus the checks): records are built from spreads, and their
 * key order is what `--json` prints.
 */
export function inSchemaOrder<T>(schema: z.ZodObject, value: Record<string, unknown>): T {
  return Object.fromEntries(Object.keys(schema.shape).map((key) => [key, value[key]])) as T;
}
