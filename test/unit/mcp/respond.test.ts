import { describe, expect, it } from "vitest";
import { z } from "zod";
import { toolError, toolResult } from "../../../src/mcp/respond.js";
import { cutMarker, headBytes, resultText } from "../../../src/mcp/text.js";
import { runtimeTools } from "../../../src/mcp/tools/runtime.js";
import { vmTools } from "../../../src/mcp/tools/vm.js";
import { workspaceTools } from "../../../src/mcp/tools/workspace.js";
import { Pyro, PyroError } from "../../../src/sdk/index.js";

const text = (r: ReturnType<typeof toolResult>) => (r.content[0] as { text: string }).text;

describe("toolResult", () => {
  it("returns the record in snake_case, serialized as the text content", () => {
    const r = toolResult({ vmId: "vm_1", exitCode: 0, cleanup: { vmId: "vm_1" } });
    expect(r).toEqual({
      structuredContent: { vm_id: "vm_1", exit_code: 0, cleanup: { vm_id: "vm_1" } },
      content: [{ type: "text", text: '{"vm_id":"vm_1","exit_code":0,"cleanup":{"vm_id":"vm_1"}}' }],
    });
  });

  it("wraps a value that is not an object", () => {
    expect(toolResult(["a"]).structuredContent).toEqual({ result: ["a"] });
    expect(text(toolResult(["a"]))).toBe('{"result":["a"]}');
  });

  it("shows streams as delimited blocks after the other fields' JSON", () => {
    const r = toolResult({ exitCode: 2, stdout: "out\n", stderr: "no newline" }, ["stdout", "stderr"]);
    expect(text(r)).toBe(
      '{"exit_code":2}\n--- stdout (4 bytes) ---\nout\n--- stderr (10 bytes) ---\nno newline\n',
    );
    expect(text(toolResult({ exitCode: 0, stdout: "", stderr: "" }, ["stdout", "stderr"]))).toBe(
      '{"exit_code":0}\n--- stdout (0 bytes) ---\n--- stderr (0 bytes) ---\n',
    );
  });

  it("cuts stdout and stderr to 64 KiB each in both contents, states the cut and the full size", () => {
    const r = toolResult({ exitCode: 0, stdout: "x".repeat(1_048_576), stderr: "ok" }, ["stdout", "stderr"]);
    const s = r.structuredContent as Record<string, unknown>;
    expect((s.stdout as string).length).toBe(65_536);
    expect(s.stdout_truncated).toBe(true);
    expect(s.stdout_bytes).toBe(1_048_576);
    expect(s.stderr).toBe("ok");
    expect(s).not.toHaveProperty("stderr_truncated");
    expect(s).not.toHaveProperty("stderr_bytes");
    expect(text(r)).toBe(
      `{"exit_code":0}\n--- stdout (1048576 bytes) ---\n${"x".repeat(65_536)}\n` +
        "[... stdout cut: 1048576 bytes, first 65536 shown]\n--- stderr (2 bytes) ---\nok\n",
    );
  });

  it("never splits a UTF-8 sequence", () => {
    const r = toolResult({ stderr: `${"a".repeat(65_535)}é` }, ["stderr"]);
    const s = r.structuredContent as Record<string, unknown>;
    expect(s.stderr).toBe("a".repeat(65_535));
    expect(s.stderr_truncated).toBe(true);
    expect(s.stderr_bytes).toBe(65_537);
    expect(text(r)).toContain("[... stderr cut: 65537 bytes, first 65535 shown]");
  });

  it("keeps other stream fields whole in structuredContent but bounds them in text", () => {
    const content = "y".repeat(100_000);
    const r = toolResult({ path: "/workspace/a", content }, ["content"]);
    expect((r.structuredContent as { content: string }).content).toBe(content);
    expect(text(r)).toContain("[... content cut: 100000 bytes, first 65536 shown]");
    expect(Buffer.byteLength(text(r))).toBeLessThan(66_000);
  });

  it("bounds a large record's JSON and says so", () => {
    const entries = Array.from({ length: 2000 }, (_, i) => ({ path: `f${i}`, output: "z".repeat(100) }));
    const r = toolResult({ entries });
    expect((r.structuredContent as { entries: unknown[] }).entries).toHaveLength(2000);
    expect(text(r)).toMatch(
      /\n\[\.\.\. record cut: \d+ bytes, first 65536 shown\] \(structuredContent holds it whole\)$/,
    );
    expect(Buffer.byteLength(text(r))).toBeLessThan(65_700);
  });
});

describe("tool tables", () => {
  it("show every field holding command output or file text as a stream block", () => {
    const pyro = new Pyro({ stateDir: "/nonexistent/pyro-respond-test" });
    const textFields = ["stdout", "stderr", "output", "content", "patch"];
    const declared: Record<string, string[]> = {};
    const expected: Record<string, string[]> = {};
    for (const spec of [...vmTools(pyro), ...workspaceTools(pyro), ...runtimeTools(pyro)]) {
      const shape =
        spec.output instanceof z.ZodObject ? (spec.output.shape as Record<string, z.ZodType>) : {};
      const fields = textFields.filter((key) => shape[key] instanceof z.ZodString);
      if (fields.length === 0 && !spec.streams) continue;
      declared[spec.name] = [...(spec.streams ?? [])];
      expected[spec.name] = fields;
    }
    expect(declared).toEqual(expected);
    expect(Object.keys(declared).sort()).toEqual([
      "service_logs",
      "shell_read",
      "vm_exec",
      "vm_run",
      "workspace_diff",
      "workspace_disk_read",
      "workspace_exec",
      "workspace_file_read",
    ]);
  });
});

describe("text bounds", () => {
  it("headBytes keeps text that fits and reports sizes in bytes", () => {
    expect(headBytes("héllo", 10)).toEqual({ text: "héllo", bytes: 6, cut: false });
    expect(headBytes("héllo", 2)).toEqual({ text: "h", bytes: 6, cut: true });
    expect(cutMarker("stdout", headBytes("héllo", 2))).toBe("[... stdout cut: 6 bytes, first 1 shown]");
  });

  it("resultText falls back to JSON when no stream field is a string", () => {
    expect(resultText({ a: 1, stdout: null }, ["stdout"])).toBe('{"a":1,"stdout":null}');
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
