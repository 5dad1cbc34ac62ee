/** The supervisor client's idle limit: a guest that stalls mid-answer cannot hang a call. */
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readBoundedBody } from "../../../src/supervisor/answers.js";
import { SupervisorClient } from "../../../src/supervisor/client.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A stand-in supervisor that sends a status and a few bytes, then nothing, never ending. */
async function stallingSupervisor(): Promise<SupervisorClient> {
  const dir = mkdtempSync(join(tmpdir(), "pyro-idle-"));
  const socket = join(dir, "sv.sock");
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { "content-type": "application/octet-stream" });
    res.write("first bytes");
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  cleanups.push(() => {
    server.closeAllConnections();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return new SupervisorClient(socket);
}

describe("SupervisorClient idle limit", () => {
  it("ends an answer that stalls midway with guest_unreachable", async () => {
    const client = await stallingSupervisor();
    const started = Date.now();
    const res = await client.request("GET", "/v1/agent/files/read?path=x", { idleTimeoutMs: 300 });
    await expect(readBoundedBody(res.body, 1024, "/v1/agent/files/read")).rejects.toMatchObject({
      code: "guest_unreachable",
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("leaves a call without the option alone (exec may be silent for as long as it runs)", async () => {
    const client = await stallingSupervisor();
    const res = await client.request("GET", "/v1/agent/exec");
    const outcome = await Promise.race([
      readBoundedBody(res.body, 1024, "/v1/agent/exec").then(() => "ended"),
      new Promise((resolve) => setTimeout(() => resolve("still open"), 800)),
    ]);
    expect(outcome).toBe("still open");
    res.body.destroy();
  });
});
