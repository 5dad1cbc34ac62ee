/**
 * `pyro mcp serve --http` against the official MCP Inspector CLI (`--transport http` with an
 * `Authorization` header) and plain fetch: tools listed and called with the token (one call
 * boots a guest), 401 without it or with a wrong one, host-path confinement as over stdio,
 * and SIGTERM during a guest-backed call leaves no VM behind.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { post } from "../support/http-post.js";
import { cliPath, processesMentioning, repoRoot, requireGuest, runCli, vmDirs } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const home = workspaceTest();
const inspectorBin = join(repoRoot, "node_modules", ".bin", "mcp-inspector");
const TOKEN = "test-token-0123456789abcdef";

interface Served {
  child: ChildProcess;
  url: string;
  stderr: () => string;
}
let served: Served | undefined;

/** Starts `pyro mcp serve --http 127.0.0.1:0 ...` and waits for its `[mcp] url=...` line. */
async function serveHttp(extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Served> {
  const child = spawn(process.execPath, [cliPath, "mcp", "serve", "--http", "127.0.0.1:0", ...extra], {
    cwd: repoRoot,
    env: { ...home.env(), PYRO_MCP_TOKEN: TOKEN, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
      const m = /\[mcp\] url=(\S+)/.exec(stderr);
      if (m?.[1]) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
  });
  served = { child, url, stderr: () => stderr };
  return served;
}

/** SIGTERMs the server and waits for its exit code. */
async function stop(s: Served): Promise<number | null> {
  if (s.child.exitCode !== null) return s.child.exitCode;
  const exited = new Promise<number | null>((r) => s.child.once("exit", (code) => r(code)));
  s.child.kill("SIGTERM");
  return exited;
}

afterEach(async () => {
  if (served) await stop(served);
  served = undefined;
});

/** The Inspector CLI against `url` over HTTP; `token` undefined sends no Authorization header. */
async function inspect(url: string, token: string | undefined, method: string[]) {
  const header = token === undefined ? [] : ["--header", `Authorization: Bearer ${token}`];
  const run = promisify(execFile)(inspectorBin, ["--cli", url, "--transport", "http", ...header, ...method], {
    cwd: repoRoot,
    timeout: 150_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return run.then(
    ({ stdout }) => ({ ok: true as const, json: JSON.parse(stdout) as unknown, output: stdout }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({
      ok: false as const,
      json: undefined,
      output: `${err.stdout ?? ""}${err.stderr ?? ""}`,
    }),
  );
}

async function callTool(url: string, tool: string, args: Record<string, string>) {
  const pairs = Object.entries(args).flatMap(([k, v]) => ["--tool-arg", `${k}=${v}`]);
  const r = await inspect(url, TOKEN, ["--method", "tools/call", "--tool-name", tool, ...pairs]);
  expect(r.ok, r.output).toBe(true);
  const result = r.json as CallToolResult;
  return { ...result, data: (result.structuredContent ?? {}) as Record<string, unknown> };
}

/** A JSON-RPC initialize POST (node:http lets the test set Host); status and headers. */
function initialize(url: string, headers: Record<string, string>) {
  const params = { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "0" } };
  return post(url, headers, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params }));
}

describe("pyro mcp serve --http", () => {
  it("lists and calls tools for the Inspector with the token, and refuses it without", async () => {
    const { url } = await serveHttp();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);

    const listed = await inspect(url, TOKEN, ["--method", "tools/list"]);
    expect(listed.ok, listed.output).toBe(true);
    const names = (listed.json as { tools: Tool[] }).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["vm_run", "workspace_create", "workspace_exec"]));
    expect(names).not.toContain("shell_open"); // workspace-core, the default profile

    const envs = await callTool(url, "vm_list_environments", {});
    expect(envs.isError).toBeFalsy();
    expect(envs.data.environments).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "debian:12" })]),
    );

    const run = await callTool(url, "vm_run", {
      environment: "debian:12",
      command: JSON.stringify(["true"]),
    });
    expect(run.isError, JSON.stringify(run.content)).toBeFalsy();
    expect(run.data).toMatchObject({ exit_code: 0, cleanup: { deleted: true } });
    expect(vmDirs(home.home())).toEqual([]);

    const refused = await inspect(url, undefined, ["--method", "tools/list"]);
    expect(refused.ok).toBe(false);
    expect(refused.output).toMatch(/missing or wrong bearer token/);
    const wrong = await inspect(url, "not-the-token-at-all", ["--method", "tools/list"]);
    expect(wrong.ok).toBe(false);

    const noAuth = await initialize(url, {});
    expect(noAuth.status).toBe(401);
    expect(noAuth.headers["www-authenticate"]).toMatch(/^Bearer /);
    expect((await initialize(url, { authorization: "Bearer wrong" })).status).toBe(401);
    // DNS rebinding: a page that resolved evil.example to 127.0.0.1 sends that name as Host.
    const rebound = await initialize(url, { authorization: `Bearer ${TOKEN}`, host: "evil.example" });
    expect(rebound.status).toBe(403);
    const fromPage = await initialize(url, {
      authorization: `Bearer ${TOKEN}`,
      origin: "https://evil.example",
    });
    expect(fromPage.status).toBe(403);
    const ok = await initialize(url, { authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    expect(ok.headers["mcp-session-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("confines host paths to --allowed-root as over stdio", async () => {
    const root = mkdtempSync(join(tmpdir(), "pyro-http-root-"));
    const outside = mkdtempSync(join(tmpdir(), "pyro-http-outside-"));
    try {
      writeFileSync(join(outside, "secret.txt"), "no\n");
      const { url } = await serveHttp(["--allowed-root", root]);
      const r = await callTool(url, "workspace_create", { environment: "debian:12", seed_path: outside });
      expect(r.isError).toBe(true);
      expect(r.data).toMatchObject({ error: { code: "host_path_not_allowed" } });
      expect(vmDirs(home.home())).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("aborts an in-flight call on SIGTERM and deletes its VM", async () => {
    const s = await serveHttp(["--profile", "vm-run"]);
    const pending = inspect(s.url, TOKEN, [
      "--method",
      "tools/call",
      "--tool-name",
      "vm_run",
      "--tool-arg",
      "environment=debian:12",
      "--tool-arg",
      `command=${JSON.stringify(["sleep", "120"])}`,
    ]);
    for (let i = 0; i < 400 && vmDirs(home.home()).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(vmDirs(home.home())).toHaveLength(1);
    const started = Date.now();
    expect(await stop(s)).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    // The client gets an error at once instead of waiting for its own request timeout.
    const answer = await pending;
    expect(answer.ok).toBe(false);
    expect(answer.output).toMatch(/shutting down; the call was aborted/);
    for (let i = 0; i < 100 && processesMentioning(home.home()).length > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(processesMentioning(home.home())).toEqual([]);
    expect(vmDirs(home.home())).toEqual([]);
  });

  it("refuses a non-loopback address without a token, and a token file on stdio", async () => {
    const env = { ...home.env(), PYRO_MCP_TOKEN: "" };
    const open = await runCli(["mcp", "serve", "--http", "0.0.0.0:0"], env);
    expect(open.code).toBe(2);
    expect(open.stderr).toMatch(/^error\[usage\]: --http on a non-loopback address needs a bearer token/);
    const stdio = await runCli(["mcp", "serve", "--token-file", "/nonexistent"], env);
    expect(stdio.code).toBe(2);
    expect(stdio.stderr).toMatch(/only apply with --http/);
  });
});
