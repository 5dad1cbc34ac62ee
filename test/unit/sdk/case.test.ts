import { describe, expect, it } from "vitest";
import { toCamel, toSnake } from "../../../src/sdk/case.js";

describe("key case conversion", () => {
  it("round-trips nested records", () => {
    const record = {
      vmId: "vm_1",
      exitCode: 0,
      cleanup: { vmId: "vm_1", deleted: true },
      command: ["sh", "-c"],
    };
    const snake = toSnake(record);
    expect(snake).toEqual({
      vm_id: "vm_1",
      exit_code: 0,
      cleanup: { vm_id: "vm_1", deleted: true },
      command: ["sh", "-c"],
    });
    expect(toCamel(snake)).toEqual(record);
  });
});
