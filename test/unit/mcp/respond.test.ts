import { describe, expect, it } from "vitest";
import { toolError, toolResult } from "../../../src/mcp/respond.js";
import { PyroError } from "../../../src/sdk/index.js";

describe("toolResult", () => {
  it("returns the record in snake_case with the summary as text", () => {
    const r = toolResult({ vmId: "vm_1", exitCode: 0, cleanup: { vmId: "vm_1" } }, "exit_code=0");
    expect(r).toEqual({
      structuredContent: { vm_id: "vm_1", exit_code: 0, cleanup: { vm_id: "vm_1" } },
      content: [{ type: "text", text: "exit_code=0" }],
    });
  });

  it("wraps a value that is not an object", () => {
    expect(toolResult(["a"], "one").structuredContent).toEqual({ result: ["a"] });
  });

  it("cuts stdout and stderr to 64 KiB each, flags it and says so", () => {
    const r = toolResult({ stdout: "x".repeat(70_000), stderr: "ok" }, "exit_code=0");
    const s = r.structuredContent as Record<string, unknown>;
    expect((s.stdout as string).length).toBe(65_536);
    expect(s.stdout_truncated).toBe(true);
    expect(s.stderr).toBe("ok");
    expect(s).not.toHaveProperty("stderr_truncated");
    expect(r.content).toEqual([
      { type: "text", text: "exit_code=0 [stdout truncated to the first 65536 bytes]" },
    ]);
  });

  it("never splits a UTF-8 sequence", () => {
    const r = toolResult({ stderr: `${"a".repeat(65_535)}é` }, "x");
    const s = r.structuredContent as Record<string, unknown>;
    expect(s.stderr).toBe("a".repeat(65_535));
    expect(s.stderr_truncated).toBe(true);
  });
});

describe("toolError", () => {
  it("carries the code, message and hint of a PyroError", () => {
    const err = new PyroError("vm_not_found", 'VM "vm_1" not found', { hint: "list VMs", details: { a: 1 } });
    expect(toolError(err)).toEqual({
      isError: true,
      content: [{ type: "text", text: 'error[vm_not_found]: VM "vm_1" not found\nhint: list VMs' }],
      structuredContent: {
        error: { code: "vm_not_found", message: 'VM "vm_1" not found', hint: "list VMs" },
      },
    });
  });

  it("reports anything else as internal, without a stack", () => {
    const r = toolError(new TypeError("boom"));
    expect(r.structuredContent).toEqual({ error: { code: "internal", message: "boom" } });
    expect(JSON.stringify(r)).not.toContain("at ");
  });
});
