/**
 * The guest agent protocol is written once: Go types in guest/internal/api, the host's checks
 * in src/agent (answers.ts schemas, the exec event check, parseAgentInfo) and the TS types core
 * builds requests from, and the golden files in protocol/guest that both sides' tests read.
 * Every golden file is run here through the host's own reading of it and checked key by key
 * against the host's description, so a field renamed in Go (whose test pins the golden file
 * byte for byte: guest/internal/api/golden_test.go) fails here, and the reverse.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  FileListSchema,
  FileWriteSchema,
  parseAnswer,
  ServiceListSchema,
  ServiceLogsSchema,
  ServiceSchema,
  TarPutSchema,
} from "../../../src/agent/answers.js";
import { parseExecEvent, readExecEvents } from "../../../src/agent/exec-events.js";
import { type AgentInfo, type ExecSpec, parseAgentInfo } from "../../../src/agent/protocol.js";
import type { GuestLimits } from "../../../src/core/workspaces/guest-limits.js";
import { parseGuestLimits } from "../../../src/core/workspaces/guest-limits.js";
import type { GuestServices } from "../../../src/core/workspaces/guest-services.js";
import type { GuestShell, GuestShellOutput, GuestShells } from "../../../src/core/workspaces/guest-shells.js";
import { ERROR_CODES, PyroError, WIRE_CODES } from "../../../src/errors.js";
import { type RawResponse, readJson } from "../../../src/supervisor/client.js";
import { type AnyShape, checkShape, checkZodKeys, type Shape } from "../../support/json-shape.js";

const root = resolve(import.meta.dirname, "..", "..", "..", "protocol");
const text = (file: string, dir = "guest") => readFileSync(join(root, dir, file), "utf8");
const golden = (file: string, dir = "guest"): unknown => JSON.parse(text(file, dir));

interface WireCodeList {
  codes: { code: string; status: number }[];
}

/** `body` as the agent's answer (through the supervisor's proxy) to `path`, read by the client. */
async function codeOf(status: number, body: unknown, notFound?: Parameters<typeof readJson>[1]) {
  const res: RawResponse = {
    status,
    body: Readable.from([Buffer.from(JSON.stringify(body))]) as RawResponse["body"],
    path: "/v1/agent/files/list?path=x",
  };
  try {
    await readJson(res, notFound);
    return "resolved";
  } catch (err) {
    return err instanceof PyroError ? err.code : String(err);
  }
}

const zodAnswer = (schema: z.ZodType) => (file: string) => {
  const value = golden(file);
  parseAnswer(schema, value, file);
  checkZodKeys(schema, value, file);
};
const shaped = (shape: AnyShape) => (file: string) => checkShape(golden(file), shape, file);
/** A request the host builds: every key must be one the host sends; the agent may need fewer. */
const request = (shape: AnyShape) => (file: string) => checkShape(golden(file), shape, file, true);
const execEvent = (file: string) => expect(parseExecEvent(golden(file))).toEqual(golden(file));

const shell: Shape<GuestShell> = {
  shell_id: { kinds: ["string"] },
  pid: { kinds: ["number"] },
  cwd: { kinds: ["string"] },
  cols: { kinds: ["number"] },
  rows: { kinds: ["number"] },
  state: { kinds: ["string"] },
  started_at: { kinds: ["string"] },
  ended_at: { kinds: ["string", "null"] },
  exit_code: { kinds: ["number", "null"] },
};
const env: { kinds: "object"[]; optional: true } = { kinds: ["object"], optional: true };
type ShellOpen = Parameters<GuestShells["open"]>[0];
type ServiceStart = Parameters<GuestServices["start"]>[0];

/**
 * How the host reads (answers) or builds (requests) each golden file. `null`: the host reads
 * only the status of that answer, so no field of it matters to the host.
 */
const readers: Record<string, ((file: string) => void) | null> = {
  "info.json": (file) => {
    expect(parseAgentInfo(golden(file))).toEqual(golden(file));
    checkShape(
      golden(file),
      {
        agent_version: { kinds: ["string"] },
        protocol_version: { kinds: ["number"] },
        capabilities: { kinds: ["array"] },
        boot_ms: { kinds: ["number"], optional: true },
        kernel: { kinds: ["string"], optional: true },
      } satisfies Shape<AgentInfo>,
      file,
    );
  },
  "health.json": null, // nobody on the host reads it: a probe for humans
  "ok.json": null, // sync and poweroff: the supervisor checks the status
  "exec_request.json": request({
    argv: { kinds: ["array"] },
    env,
    cwd: { kinds: ["string"], optional: true },
    timeout_ms: { kinds: ["number"] },
    stdin: { kinds: ["boolean"], optional: true },
    secret_env: env,
  } satisfies Shape<ExecSpec>),
  "exec_request_minimal.json": (file) => readers["exec_request.json"]?.(file),
  "exec_started.json": execEvent,
  "exec_stdout.json": execEvent,
  "exec_stderr_b64.json": execEvent,
  "exec_exit.json": execEvent,
  "files_list.json": zodAnswer(FileListSchema),
  "files_tar_result.json": zodAnswer(TarPutSchema),
  "files_write_result.json": zodAnswer(FileWriteSchema),
  "files_remove.json": null, // the host checks the status
  "shell_open_request.json": request({
    cwd: { kinds: ["string"] },
    cols: { kinds: ["number"] },
    rows: { kinds: ["number"] },
    env,
    secret_env: env,
  } satisfies Shape<ShellOpen>),
  "shell_record.json": shaped(shell),
  "shell_record_exited.json": shaped(shell),
  "shell_list.json": shaped({ shells: { kinds: ["array"], of: shell } } satisfies Shape<{
    shells: GuestShell[];
  }>),
  "shell_output.json": shaped({
    cursor: { kinds: ["number"] },
    next_cursor: { kinds: ["number"] },
    output: { kinds: ["string"] },
    truncated: { kinds: ["boolean"] },
    dropped: { kinds: ["number"] },
    state: { kinds: ["string"] },
    exit_code: { kinds: ["number", "null"] },
  } satisfies Shape<GuestShellOutput>),
  "shell_input_result.json": shaped({ bytes: { kinds: ["number"] } } satisfies Shape<
    Awaited<ReturnType<GuestShells["input"]>>
  >),
  "shell_signal_request.json": request({ signal: { kinds: ["string"] } }),
  "shell_signal_result.json": shaped({
    signal: { kinds: ["string"] },
    pgid: { kinds: ["number"] },
  } satisfies Shape<Awaited<ReturnType<GuestShells["signal"]>>>),
  "shell_resize_request.json": request({ cols: { kinds: ["number"] }, rows: { kinds: ["number"] } }),
  "service_start_request.json": (file) => {
    const readiness = {
      type: { kinds: ["string"] },
      target: { kinds: ["string"] },
      timeout_ms: { kinds: ["number"] },
      interval_ms: { kinds: ["number"] },
    } satisfies Shape<ServiceStart["readiness"]>;
    // The agent defaults a missing readiness; the host always sends one.
    checkShape(
      golden(file),
      {
        name: { kinds: ["string"] },
        argv: { kinds: ["array"] },
        cwd: { kinds: ["string"] },
        env,
        readiness: { kinds: ["object"], of: readiness },
        secret_env: env,
      } satisfies Shape<ServiceStart>,
      file,
    );
  },
  "service_record.json": zodAnswer(ServiceSchema),
  "service_record_failed.json": zodAnswer(ServiceSchema),
  "service_list.json": zodAnswer(ServiceListSchema),
  "service_logs.json": zodAnswer(ServiceLogsSchema),
  "service_stop_request.json": request({ grace_ms: { kinds: ["number"] } }),
  "secrets_request.json": request({
    secrets: { kinds: ["array"], of: { name: { kinds: ["string"] }, value_b64: { kinds: ["string"] } } },
  }),
  "secrets_result.json": null, // the host checks the status
  "limits_request.json": request({ max_pids: { kinds: ["number", "null"] } }),
  "limits_record.json": (file) => {
    expect(parseGuestLimits(golden(file))).toEqual(golden(file));
    const n: { kinds: "number"[] } = { kinds: ["number"] };
    checkShape(
      golden(file),
      {
        enabled: { kinds: ["boolean"] },
        max_pids: n,
        user_pids_max: n,
        user_memory_max_bytes: n,
        agent_memory_min_bytes: n,
        user_process_count: n,
        user_pids_current: n,
        user_memory_current_bytes: n,
      } satisfies Shape<GuestLimits>,
      file,
    );
  },
  "error.json": async (file) => expect(await codeOf(400, golden(file))).toBe("invalid_argument"),
  "error_secret_not_found.json": async (file) =>
    expect(await codeOf(400, golden(file))).toBe("secret_not_found"),
  "error_connection_refused.json": async (file) => expect(await codeOf(502, golden(file))).toBe("internal"),
  "error_not_found.json": async (file) => {
    expect(await codeOf(404, golden(file))).toBe("file_not_found");
    expect(await codeOf(404, golden(file), "shell_not_found")).toBe("shell_not_found");
  },
  "error_no_route.json": async (file) => {
    // Not a missing file: the agent is from another pyro build.
    expect(await codeOf(404, golden(file))).toBe("guest_protocol_mismatch");
    expect(await codeOf(404, golden(file), "shell_not_found")).toBe("guest_protocol_mismatch");
  },
  "error_codes.json": (file) => {
    for (const { code, status } of (golden(file) as WireCodeList).codes) {
      expect(Object.keys(WIRE_CODES), `${code} is not in WIRE_CODES`).toContain(code);
      expect(typeof status).toBe("number");
    }
  },
};

describe("guest protocol golden files", () => {
  it("has a reader for every golden file (and a golden file for every reader)", () => {
    const files = readdirSync(join(root, "guest")).filter((f) => f.endsWith(".json"));
    expect(files.sort()).toEqual(Object.keys(readers).sort());
  });

  it.each(Object.entries(readers).filter(([, r]) => r !== null))(
    "%s is what the host reads",
    async (file, r) => {
      await r?.(file);
    },
  );

  it("exec_events.ndjson, a whole exec answer, reads as its events", async () => {
    const lines = text("exec_events.ndjson").trim().split("\n");
    const events = [];
    for await (const e of readExecEvents(Readable.from([Buffer.from(text("exec_events.ndjson"))]))) {
      events.push(e);
    }
    expect(events).toEqual(lines.map((l) => JSON.parse(l)));
    expect(events.map((e) => e.type)).toEqual(["started", "stdout", "stderr", "exit"]);
  });
});

describe("wire error codes", () => {
  it("WIRE_CODES maps exactly the codes the agent and the supervisor answer with", () => {
    const listed = new Set(
      ["guest", "supervisor"].flatMap((dir) =>
        (golden("error_codes.json", dir) as WireCodeList).codes.map((c) => c.code),
      ),
    );
    expect(Object.keys(WIRE_CODES).sort()).toEqual([...listed].sort());
    for (const target of Object.values(WIRE_CODES))
      if (target !== null) expect(ERROR_CODES).toContain(target);
  });
});
