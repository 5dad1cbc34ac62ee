/**
 * The supervisor's HTTP/1.1 API on its 0600 Unix socket. Errors map to `{error:{code,message}}`
 * here and only here.
 *   GET  /v1/status        current SupervisorState
 *   GET  /v1/ready         waits until boot settles; 200 ready, 503 with the boot error
 *   POST /v1/shutdown      {mode, timeout_ms}; answers once the VMM has exited
 *   GET  /v1/ports         published ports; POST {service, guest_port, host_port} publishes one
 *   DELETE /v1/ports/<service>  closes that service's publications
 *   *    /v1/agent/<route> proxied to the guest agent's /v1/<route>, bodies streamed both ways
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { PyroError } from "../errors.js";
import type { PublishRequest, ShutdownRequest } from "./protocol.js";
import type { Supervisor } from "./supervisor.js";

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { code, message } });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = "";
  for await (const chunk of req) text += chunk.toString();
  return text ? JSON.parse(text) : {};
}

/** Forwards headers the agent understands. */
function forwardHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ["pyro-exec", "content-type"]) {
    const v = req.headers[name];
    if (typeof v === "string") out[name] = v;
  }
  return out;
}

async function proxyToAgent(
  sv: Supervisor,
  req: IncomingMessage,
  res: ServerResponse,
  route: string,
): Promise<void> {
  if (sv.state.state !== "ready" || !sv.agent) {
    return sendError(res, 409, "vm_not_running", `VM "${sv.state.vm_id}" is ${sv.state.state}`);
  }
  const done = sv.beginRequest();
  const abort = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) abort.abort(); // client went away: cancel the stream, the agent kills the process
  });
  try {
    // GET normally has no body; shell attach streams its input as one (chunked).
    const hasBody =
      (req.method !== "GET" && req.method !== "HEAD") ||
      req.headers["transfer-encoding"] !== undefined ||
      Number(req.headers["content-length"] ?? 0) > 0;
    const upstream = await sv.agent.request(
      req.method ?? "GET",
      `/v1/${route}`,
      forwardHeaders(req),
      hasBody ? req : undefined,
      abort.signal,
    );
    const headers: Record<string, string> = {
      "content-type": String(upstream.headers["content-type"] ?? "application/json"),
    };
    for (const [name, value] of Object.entries(upstream.headers)) {
      if (name.startsWith("pyro-") && typeof value === "string") headers[name] = value;
    }
    res.writeHead(upstream.status, headers);
    res.flushHeaders();
    for await (const chunk of upstream.body) res.write(chunk);
    res.end();
  } catch (err) {
    if (!res.headersSent) {
      sendError(res, 502, "guest_unreachable", err instanceof Error ? err.message : String(err));
    } else res.destroy();
  } finally {
    done();
  }
}

export async function handleRequest(
  sv: Supervisor,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://sv");
  try {
    if (url.pathname === "/v1/status" && req.method === "GET") return sendJson(res, 200, sv.state);
    if (url.pathname === "/v1/ready" && req.method === "GET") {
      await sv.settled;
      if (sv.state.state === "ready") return sendJson(res, 200, sv.state);
      return sendJson(res, 503, {
        error: sv.state.error ?? { code: "vm_not_running", message: `VM is ${sv.state.state}` },
        state: sv.state,
      });
    }
    if (url.pathname === "/v1/shutdown" && req.method === "POST") {
      const body = (await readJson(req)) as ShutdownRequest;
      await sv.shutdown({
        mode: body.mode === "poweroff" ? "poweroff" : "kill",
        timeout_ms: body.timeout_ms,
      });
      if (sv.vmm) await sv.vmm.exited;
      return sendJson(res, 200, sv.state);
    }
    if (url.pathname === "/v1/ports" && req.method === "GET") {
      return sendJson(res, 200, { published_ports: sv.ports.list() });
    }
    if (url.pathname === "/v1/ports" && req.method === "POST") {
      if (sv.state.state !== "ready") return sendError(res, 409, "vm_not_running", `VM is ${sv.state.state}`);
      const body = (await readJson(req)) as PublishRequest;
      try {
        return sendJson(res, 200, await sv.ports.publish(body.service, body.guest_port, body.host_port));
      } catch (err) {
        if (err instanceof PyroError) return sendError(res, 409, err.code, err.message);
        throw err;
      }
    }
    if (url.pathname.startsWith("/v1/ports/") && req.method === "DELETE") {
      const service = decodeURIComponent(url.pathname.slice("/v1/ports/".length));
      return sendJson(res, 200, { closed: sv.ports.unpublish(service) });
    }
    if (url.pathname.startsWith("/v1/agent/")) {
      return await proxyToAgent(sv, req, res, `${url.pathname.slice("/v1/agent/".length)}${url.search}`);
    }
    sendError(res, 404, "not_found", `no route ${req.method} ${url.pathname}`);
  } catch (err) {
    if (!res.headersSent) sendError(res, 500, "internal", err instanceof Error ? err.message : String(err));
  }
}
