import { describe, expect, it } from "vitest";
import { eventBytes, parseExecEvent, readExecEvents } from "../../../src/agent/exec-events.js";

async function* chunks(parts: string[]) {
  for (const p of parts) yield Buffer.from(p);
}

describe("exec event stream", () => {
  it("reassembles events split across chunks", async () => {
    const events = [];
    for await (const e of readExecEvents(
      chunks([
        '{"type":"started","pid":3}\n{"type":"std',
        'out","data":"hi\\n"}\n',
        '{"type":"exit","exit_code":7,"timed_out":false,"duration_ms":4}',
      ]),
    )) {
      events.push(e);
    }
    expect(events.map((e) => e.type)).toEqual(["started", "stdout", "exit"]);
    expect(events[2]).toMatchObject({ exit_code: 7, signal: "" });
  });
  it("keeps a multi-byte character split across chunks intact", async () => {
    const line = Buffer.from('{"type":"stdout","data":"é"}\n');
    const cut = line.indexOf(0xc3) + 1; // between the two bytes of "é"
    const events = [];
    for await (const e of readExecEvents(
      (async function* () {
        yield line.subarray(0, cut);
        yield line.subarray(cut);
      })(),
    )) {
      events.push(e);
    }
    expect(events[0]).toMatchObject({ data: "é" });
  });
  it("refuses a malformed event naming the field, and drops unknown fields", () => {
    expect(() => parseExecEvent({ type: "exit", exit_code: "0", timed_out: false, duration_ms: 1 })).toThrow(
      /exit_code/,
    );
    expect(() => parseExecEvent({ type: "bogus" })).toThrow(/type/);
    expect(() => parseExecEvent(null)).toThrow(/type/);
    expect(parseExecEvent({ type: "stdout", data: "x", extra: 1 })).toEqual({ type: "stdout", data: "x" });
  });
  it("decodes text and base64 payloads", () => {
    expect(eventBytes({ data: "é" })).toEqual(Buffer.from("é"));
    expect(eventBytes({ data_b64: Buffer.from([0xff, 0]).toString("base64") })).toEqual(
      Buffer.from([0xff, 0]),
    );
  });
});

describe("parseAgentInfo", () => {
  it("accepts the info answer and refuses other shapes", async () => {
    const { parseAgentInfo } = await import("../../../src/agent/protocol.js");
    const info = { agent_version: "0.1.0", protocol_version: 1, capabilities: ["exec"], boot_ms: 5 };
    expect(parseAgentInfo(info)).toEqual(info);
    for (const bad of [undefined, {}, { ...info, protocol_version: "1" }, { ...info, capabilities: [1] }]) {
      expect(() => parseAgentInfo(bad)).toThrow(/unknown shape/);
    }
  });
});
