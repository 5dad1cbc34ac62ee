/**
 * Holds a zod-free fast path to its schema: for every sample and every single-field mutation of
 * it, the fast path either declines (undefined) or returns exactly what the schema returns,
 * and it never accepts what the schema refuses.
 */
import { expect } from "vitest";
import type { z } from "zod";

/** Values put in place of each field: wrong types, edge numbers, nulls, absence. */
const REPLACEMENTS: unknown[] = [
  undefined,
  null,
  0,
  -1,
  1.5,
  1e9,
  "",
  "x",
  true,
  [],
  [1],
  {},
  { a: 1 },
  ["x"],
];

/** Every sample plus every one-field change of it (top level and one level down). */
export function mutations(sample: Record<string, unknown>): unknown[] {
  const out: unknown[] = [sample];
  for (const key of [...Object.keys(sample), "unknown_key"]) {
    const { [key]: _, ...without } = sample;
    out.push(without);
    for (const v of REPLACEMENTS) out.push({ ...sample, [key]: v });
    const inner = sample[key];
    if (inner && typeof inner === "object" && !Array.isArray(inner)) {
      for (const m of mutations(inner as Record<string, unknown>).slice(1)) out.push({ ...sample, [key]: m });
    }
  }
  return out;
}

/** Asserts soundness over `inputs`; returns how many the fast path took (so a test can require some). */
export function expectSound(schema: z.ZodType, fast: (input: unknown) => unknown, inputs: unknown[]): number {
  let taken = 0;
  for (const input of inputs) {
    const quick = fast(structuredClone(input));
    if (quick === undefined) continue;
    taken++;
    const parsed = schema.safeParse(structuredClone(input));
    expect({ input, success: parsed.success }).toEqual({ input, success: true });
    expect(quick).toEqual(parsed.data);
  }
  return taken;
}
