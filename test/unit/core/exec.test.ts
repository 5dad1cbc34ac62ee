import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { asciiJson, execInVm } from "../../../src/core/exec.js";
import { SupervisorClient } from "../../../src/supervisor/client.js";

describe("asciiJson", () => {
  it("escapes non-ASCII (including astral characters) so it fits an HTTP header and decodes back", () => {
    const spec = { argv: ["sh", "-c", "echo 🚀 ünï"] };
    const text = asciiJson(spec);
    expect(text).toMatch(/^[\x20-\x7e]+$/);
    expect(JSON.parse(text)).toEqual(spec);
  });
});

/** A stand-in supervisor on a Unix socket that answers /v1/agent/exec with `answer`. */
async function fakeSupervisor(answer: (res: http.ServerResponse) => void): Promise<SupervisorClient> {
  const dir = mkdtempSync(join(tmpdir(), "pyro-exec-"));
  const socket = join(dir, "sv.sock");
  const server = http.createServer((req, res) => {
    req.resume();
    answer(res);
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  cleanups.push(() => {
    server.closeAllConnections();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return new SupervisorClient(socket);
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const started = `${JSON.stringify({ type: "started", pid: 7 })}\n`;

describe("execInVm when the VM dies mid-command", () => {
  it("reports guest_unreachable with the supervisor's reason from the error trailer", async () => {
    const client = await fakeSupervisor((res) => {
      res.writeHead(200, { "content-type": "application/x-ndjson", trailer: "pyro-error" });
      res.write(started);
      res.addTrailers({
        "pyro-error": JSON.stringify({ code: "guest_unreachable", message: "its VMM was killed by SIGKILL" }),
      });
      res.end();
    });
    await expect(execInVm(client, { command: ["sleep", "9"], timeoutSeconds: 30 })).rejects.toMatchObject({
      code: "guest_unreachable",
      message: "its VMM was killed by SIGKILL",
    });
  });

  it("reports guest_unreachable when the supervisor itself is killed mid-answer", async () => {
    const client = await fakeSupervisor((res) => {
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      res.write(started, () => res.socket?.destroy());
    });
    await expect(execInVm(client, { command: ["sleep", "9"], timeoutSeconds: 30 })).rejects.toMatchObject({
      code: "guest_unreachable",
      message: "the VM's supervisor went away while the command ran",
    });
  });
});
