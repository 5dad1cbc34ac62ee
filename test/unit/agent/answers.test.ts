/**
 * Agent answers are hostile input: shapes are checked (the guest agent's own golden answers
 * pass: protocol-golden.test.ts), bodies and event lines are bounded, and every failure is
 * guest_protocol_mismatch.
 */
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { FileListSchema, parseAnswer, ServiceLogsSchema } from "../../../src/agent/answers.js";
import { MAX_EVENT_LINE_CHARS, readExecEvents } from "../../../src/agent/exec-events.js";
import { PyroError } from "../../../src/errors.js";
import { readBoundedBody } from "../../../src/supervisor/answers.js";
import { readJson } from "../../../src/supervisor/client.js";

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "resolved";
  } catch (err) {
    return err instanceof PyroError ? err.code : `not a PyroError: ${String(err)}`;
  }
}

async function collect(parts: string[]) {
  const out = [];
  for await (const e of readExecEvents(Readable.from(parts.map((p) => Buffer.from(p))))) out.push(e);
  return out;
}

const response = (status: number, parts: string[]) =>
  ({ status, body: Readable.from(parts.map((p) => Buffer.from(p))), path: "/v1/agent/x?a=1" }) as never;

describe("agent answer shapes", () => {
  it("refuse wrong types, naming route and field", () => {
    const bad = () =>
      parseAnswer(FileListSchema, { entries: [{ path: 7, type: "file" }] }, "/v1/agent/files/list?x");
    expect(bad).toThrow(PyroError);
    expect(bad).toThrow(/answer to \/v1\/agent\/files\/list has a wrong field \(entries\.0\.path/);
    expect(() => parseAnswer(ServiceLogsSchema, { stdout: 5 }, "/s")).toThrow(
      expect.objectContaining({ code: "guest_protocol_mismatch" }),
    );
    expect(() => parseAnswer(FileListSchema, null, "/l")).toThrow(PyroError);
  });
});

describe("bounded bodies", () => {
  it("read up to the cap and refuse one byte more", async () => {
    expect((await readBoundedBody(Readable.from([Buffer.from("abcd")]), 4, "/r")).toString()).toBe("abcd");
    expect(await code(readBoundedBody(Readable.from([Buffer.from("ab"), Buffer.from("cde")]), 4, "/r"))).toBe(
      "guest_protocol_mismatch",
    );
  });

  it("stop reading an endless body at the cap", async () => {
    let pulled = 0;
    const endless = new Readable({
      read() {
        pulled++;
        this.push(Buffer.alloc(1024));
      },
    });
    expect(await code(readBoundedBody(endless, 64 * 1024, "/r"))).toBe("guest_protocol_mismatch");
    expect(pulled).toBeLessThan(100);
  });

  it("turn a body that breaks off into guest_unreachable", async () => {
    const broken = new Readable({
      read() {
        this.destroy(new Error("aborted"));
      },
    });
    expect(await code(readBoundedBody(broken, 10, "/r"))).toBe("guest_unreachable");
  });

  it("readJson: bad JSON and error answers without the error shape are protocol errors", async () => {
    expect(await code(readJson(response(200, ["<html>"])))).toBe("guest_protocol_mismatch");
    expect(await code(readJson(response(500, ['{"error":"nope"}'])))).toBe("guest_protocol_mismatch");
    expect(await code(readJson(response(500, ["null"])))).toBe("guest_protocol_mismatch");
    expect(await code(readJson(response(404, ['{"error":{"code":"not_found","message":"m"}}'])))).toBe(
      "file_not_found",
    );
    expect(await readJson(response(200, ['{"a":', "1}"]))).toEqual({ a: 1 });
  });
});

describe("exec events from a hostile agent", () => {
  it.each([
    ["not JSON", ["<html>\n"]],
    ["an exit of the wrong shape", ['{"type":"exit","exit_code":"zero"}\n']],
    ["an unknown type", ['{"type":"meow"}\n']],
    ["a last line that is no event", ['{"type":"started","pid":1}\n', "[1,2"]],
  ])("%s is guest_protocol_mismatch", async (_name, parts) => {
    expect(await code(collect(parts))).toBe("guest_protocol_mismatch");
  });

  it("refuse a line longer than the cap without holding all of it", async () => {
    const chunk = "a".repeat(1024 * 1024);
    let sent = 0;
    const endless = new Readable({
      read() {
        sent += chunk.length;
        this.push(sent === chunk.length ? `{"type":"stdout","data":"${chunk}` : chunk);
      },
    });
    const events = (async () => {
      for await (const _ of readExecEvents(endless)) {
        // no event ever completes
      }
    })();
    expect(await code(events)).toBe("guest_protocol_mismatch");
    expect(sent).toBeLessThan(MAX_EVENT_LINE_CHARS + 4 * chunk.length);
  });
});
