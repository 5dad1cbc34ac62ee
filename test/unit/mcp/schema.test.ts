import { describe, expect, it } from "vitest";
import { z } from "zod";
import { advertisedInput, parseToolInput, snakeSchema } from "../../../src/mcp/schema.js";
import { schemas } from "../../../src/sdk/index.js";

describe("snakeSchema", () => {
  it("renames keys deeply and keeps types, checks, defaults, strictness and descriptions", () => {
    const camel = z
      .object({
        memMib: z.number().int().min(128).default(1024).describe("MiB"),
        inner: z.object({ vmId: z.string() }).describe("nested"),
        items: z.array(z.object({ sizeBytes: z.number() })).min(1),
        maybe: z.object({ guestIp: z.string() }).nullable().optional(),
      })
      .strict();
    const snake = snakeSchema(camel);
    expect(snake.parse({ inner: { vm_id: "a" }, items: [{ size_bytes: 1 }] })).toEqual({
      mem_mib: 1024,
      inner: { vm_id: "a" },
      items: [{ size_bytes: 1 }],
    });
    expect(snake.safeParse({ inner: { vm_id: "a" }, items: [] }).success).toBe(false);
    expect(snake.safeParse({ inner: { vm_id: "a" }, items: [{ size_bytes: 1 }], memMib: 1 }).success).toBe(
      false,
    );
    const json = z.toJSONSchema(snake, { io: "input" }) as {
      properties: Record<string, { description?: string }>;
    };
    expect(json.properties.mem_mib?.description).toBe("MiB");
    expect(json.properties.inner?.description).toBe("nested");
  });

  it("returns a schema with nothing to rename as the same instance", () => {
    expect(snakeSchema(schemas.Command)).toBe(schemas.Command);
  });
});

describe("advertisedInput and parseToolInput", () => {
  const snake = snakeSchema(schemas.ExecVmInputSchema);

  it("advertises the strict JSON Schema but accepts anything for the handler to check", () => {
    const loose = advertisedInput(snake);
    const json = z.toJSONSchema(loose, { io: "input", target: "draft-7" }) as Record<string, unknown>;
    expect(json).toMatchObject({ required: ["vm_id", "command"], additionalProperties: false });
    expect(loose.safeParse({ vm_id: 1 }).success).toBe(true);
  });

  it("fills defaults and names the bad snake_case field", () => {
    expect(parseToolInput(snake, { vm_id: "vm_1", command: ["true"] })).toEqual({
      vm_id: "vm_1",
      command: ["true"],
      timeout_seconds: 30,
    });
    expect(() => parseToolInput(snake, { vm_id: "vm_1", command: [], timeout_seconds: 0 })).toThrow(
      /^command: /,
    );
    const thrown = (() => {
      try {
        return parseToolInput(snake, { vm_id: "vm_1", command: ["x"], timeout_seconds: 0 });
      } catch (err) {
        return err;
      }
    })();
    expect(thrown).toMatchObject({ code: "invalid_argument", details: { field: "timeout_seconds" } });
  });
});
