/**
 * The HTTP transport without a guest: a real MCP Client over Streamable HTTP against
 * serveHttp on loopback, the token and Host checks, per-client sessions, and shutdown.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isLoopbackHost, parseListenAddress } from "../../../src/cli/actions/mcp.js";
import { type HttpServeHandle, serveMcpOverHttp as serveHttp } from "../../../src/mcp/server.js";
import { Pyro } from "../../../src/sdk/index.js";
import { post } from "../../support/http-post.js";

const TOKEN = "unit-token-0123456789";
let stateDir = "";
let handle: HttpServeHandle | undefined;
const clients: Client[] = [];

beforeAll(() => {
  stateDir = mkdtempSync(join(tmpdir(), "pyro-http-unit-"));
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => undefined);
  await handle?.close();
  handle = undefined;
});
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

async function start(profile: "vm-run" | "workspace-core" = "workspace-core") {
  handle = await serveHttp(new Pyro({ stateDir }), { host: "127.0.0.1", port: 0, token: TOKEN, profile });
  return handle;
}

async function connect(url: string, token: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: "http-unit", version: "0.0.0" });
  clients.push(client);
  await client.connect(transport);
  return client;
}

/** Status of a bare POST with `headers`. */
const status = async (url: string, headers: Record<string, string>, path = "/mcp") =>
  (await post(new URL(path, url).href, headers)).status;

describe("parseListenAddress and isLoopbackHost", () => {
  it("reads HOST:PORT, [V6]:PORT and a bare port", () => {
    expect(parseListenAddress("127.0.0.1:8765")).toEqual({ host: "127.0.0.1", port: 8765 });
    expect(parseListenAddress("[::1]:80")).toEqual({ host: "::1", port: 80 });
    expect(parseListenAddress("9000")).toEqual({ host: "127.0.0.1", port: 9000 });
    expect(parseListenAddress("0.0.0.0:0")).toEqual({ host: "0.0.0.0", port: 0 });
    for (const bad of ["", "host:", "1.2.3.4:70000", "a:b", "::1:80"]) {
      expect(() => parseListenAddress(bad), bad).toThrow(/--http must be HOST:PORT/);
    }
  });

  it("tells loopback from the rest", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ["0.0.0.0", "::", "10.0.0.1", "example.com", "128.0.0.1"])
      expect(isLoopbackHost(h), h).toBe(false);
  });
});

describe("serveHttp", () => {
  it("serves tools to a client with the token, one session each", async () => {
    const { url } = await start("vm-run");
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const a = await connect(url, TOKEN);
    const b = await connect(url, TOKEN);
    expect((await a.listTools()).tools.map((t) => t.name)).toEqual(["vm_run"]);
    expect((await b.listTools()).tools.map((t) => t.name)).toEqual(["vm_run"]);
    expect(handle?.sessionCount()).toBe(2);
  });

  it("refuses a missing or wrong token (401), a foreign Host or Origin (403), other paths and sessions (404)", async () => {
    const { url } = await start();
    await expect(connect(url, "wrong-token-0123456789")).rejects.toThrow(/401|bearer token/);
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect(await status(url, {})).toBe(401);
    expect(await status(url, { authorization: `Bearer ${TOKEN}x` })).toBe(401);
    expect(await status(url, { ...auth, host: "evil.example" })).toBe(403);
    expect(await status(url, { ...auth, origin: "http://evil.example:1234" })).toBe(403);
    expect(await status(url, { ...auth, "mcp-session-id": "no-such-session" })).toBe(404);
    expect(await status(url, auth, "/other")).toBe(404);
    // Not an initialize request: the SDK transport answers 400 and no session is kept.
    expect(await status(url, auth)).toBe(400);
    expect(handle?.sessionCount()).toBe(0);
  });

  it("accepts localhost in Host and Origin", async () => {
    const { url } = await start();
    const port = new URL(url).port;
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect(
      await status(url, { ...auth, host: `localhost:${port}`, origin: `http://localhost:${port}` }),
    ).toBe(400);
  });

  it("refuses a short token and a port in use", async () => {
    const pyro = new Pyro({ stateDir });
    await expect(serveHttp(pyro, { host: "127.0.0.1", port: 0, token: "short" })).rejects.toMatchObject({
      code: "invalid_argument",
    });
    const { url } = await start();
    const port = Number(new URL(url).port);
    await expect(serveHttp(pyro, { host: "127.0.0.1", port, token: TOKEN })).rejects.toMatchObject({
      code: "port_in_use",
    });
  });

  it("closes a session idle past sessionIdleSeconds; its client then gets 404", async () => {
    handle = await serveHttp(new Pyro({ stateDir }), {
      host: "127.0.0.1",
      port: 0,
      token: TOKEN,
      sessionIdleSeconds: 0.3,
    });
    const client = await connect(handle.url, TOKEN);
    await client.listTools();
    expect(handle.sessionCount()).toBe(1);
    for (let i = 0; i < 40 && handle.sessionCount() > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(handle.sessionCount()).toBe(0);
    await expect(client.listTools()).rejects.toThrow(/404|Session not found/);
  });

  it("closes every session and stops listening on close", async () => {
    const h = await start();
    await connect(h.url, TOKEN);
    expect(h.sessionCount()).toBe(1);
    await h.close();
    handle = undefined;
    expect(h.sessionCount()).toBe(0);
    await expect(status(h.url, { authorization: `Bearer ${TOKEN}` })).rejects.toThrow(/ECONNREFUSED/);
  });
});
