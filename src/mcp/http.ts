/**
 * `pyro mcp serve --http` (through `serveMcpOverHttp` of server.ts): the MCP Streamable HTTP
 * transport on node:http. One endpoint,
 * `/mcp`; every request must carry `Authorization: Bearer TOKEN` (compared in constant time)
 * and a Host (and, from browsers, Origin) naming this server, so a web page that rebinds a DNS
 * name to our address is refused before it reaches MCP. Each client session (the SDK's
 * `mcp-session-id`) gets its own McpServer over the one shared `Pyro`, so host-path
 * confinement and profiles are exactly those of stdio.
 */
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isIP } from "node:net";
import { networkInterfaces } from "node:os";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import {
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type RequestId,
} from "@modelcontextprotocol/sdk/types.js";
import { PyroError } from "../sdk/index.js";

/** The one path the transport answers on (the Inspector and most clients default to it). */
export const MCP_HTTP_PATH = "/mcp";

/** Options of {@link serveHttp}. */
export interface HttpServeOptions {
  /** Address to bind: an IP literal or `localhost`. */
  host: string;
  /** TCP port; 0 picks a free one (see {@link HttpServeHandle.url}). */
  port: number;
  /** The bearer token every request must present (at least 16 characters). */
  token: string;
  /** Extra names clients may use in the Host header (DNS names of this machine). @default [] */
  allowedHosts?: readonly string[];
  /**
   * A session with no request for this long and none in flight is closed (clients that never
   * send DELETE would otherwise keep theirs forever); its client gets 404 and starts a new one.
   * @default 1800 (seconds)
   */
  sessionIdleSeconds?: number;
}

/** A running HTTP MCP server. */
export interface HttpServeHandle {
  /** `http://HOST:PORT/mcp` with the port actually bound. */
  url: string;
  /** Open client sessions. */
  sessionCount(): number;
  /**
   * Stops accepting requests and closes every session: in-flight tool calls are aborted, so
   * their VMs are deleted as when a stdio client goes away. Resolves once the listener is closed.
   */
  close(): Promise<void>;
}

/** Hostnames (as URL.hostname spells them) a client may put in Host/Origin for a server bound to `host`. */
function defaultAllowedHosts(host: string): string[] {
  const names = ["localhost", "127.0.0.1", "[::1]"];
  const bracket = (a: string) => (isIP(a) === 6 ? `[${a}]` : a);
  if (host === "0.0.0.0" || host === "::") {
    // Bound to every interface: any address of this machine is a fair Host.
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) names.push(bracket(a.address));
    }
  } else {
    names.push(bracket(host));
  }
  return names;
}

/** SHA-256 of both sides, so timingSafeEqual compares equal lengths and leaks nothing about the token's. */
function tokenMatches(presented: string, expected: Buffer): boolean {
  return timingSafeEqual(createHash("sha256").update(presented).digest(), expected);
}

/** The hostname of a Host header value or Origin URL, or undefined when it does not parse. */
function hostnameOf(value: string, isOrigin: boolean): string | undefined {
  try {
    return new URL(isOrigin ? value : `http://${value}`).hostname;
  } catch {
    return undefined;
  }
}

/** A JSON-RPC error body with an HTTP status: what the SDK's own transport answers with. */
function refuse(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message }, id: null }));
}

/**
 * The SDK transport, remembering which requests still await an answer. At shutdown each gets a
 * JSON-RPC error before the transport closes: over stdio a client sees EOF at once, while an
 * HTTP client whose stream just ends would wait for its own request timeout.
 */
class SessionTransport extends StreamableHTTPServerTransport {
  private readonly pending = new Set<RequestId>();

  /** Called by the McpServer (Protocol) for every request it sees; chained ahead of its handler. */
  track(message: JSONRPCMessage): void {
    if (isJSONRPCRequest(message)) this.pending.add(message.id);
  }

  override send(message: JSONRPCMessage, options?: { relatedRequestId?: RequestId }): Promise<void> {
    if ((isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) && message.id !== undefined) {
      this.pending.delete(message.id);
    }
    return super.send(message, options);
  }

  /** Requests still awaiting an answer. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Answers every unanswered request with `message` (an `interrupted` JSON-RPC error). */
  async interruptPending(message: string): Promise<void> {
    const ids = [...this.pending];
    await Promise.all(
      ids.map((id) =>
        this.send({
          jsonrpc: "2.0",
          id,
          error: { code: -32000, message, data: { code: "interrupted" } },
        }).catch(
          () => undefined, // the client already went away
        ),
      ),
    );
  }
}

interface Session {
  transport: SessionTransport;
  server: McpServer;
  /** Date.now() of its last request. */
  lastSeen: number;
}

/**
 * Serves MCP over Streamable HTTP at `http://host:port/mcp`, a fresh `newServer()` for each
 * client session (pyro's: one `createMcpServer` over the shared Pyro). Answers 403 for a
 * Host or Origin not in the allowed list, 401 (with `WWW-Authenticate: Bearer`) without the
 * token, 404 for another path or an unknown session; everything else goes to the session's
 * transport.
 * @throws PyroError invalid_argument for a token shorter than 16 characters; port_in_use when
 *   the port is taken; usage when the address cannot be bound
 */
export async function serveHttp(
  newServer: () => McpServer,
  options: HttpServeOptions,
): Promise<HttpServeHandle> {
  if (options.token.length < 16) {
    throw new PyroError("invalid_argument", "the MCP bearer token must be at least 16 characters");
  }
  const expected = createHash("sha256").update(options.token).digest();
  const allowed = new Set([...defaultAllowedHosts(options.host), ...(options.allowedHosts ?? [])]);
  const sessions = new Map<string, Session>();
  let closing = false;

  const openSession = async (): Promise<SessionTransport> => {
    const server = newServer();
    const transport = new SessionTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server, lastSeen: Date.now() });
      },
    });
    // A DELETE from the client, or our own close at shutdown, ends the session.
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    // Protocol.connect chains a handler set before it, so tracking sees each request first.
    transport.onmessage = (message) => transport.track(message);
    await server.connect(transport);
    return transport;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (closing) return refuse(res, 503, "server is shutting down");
    const host = hostnameOf(req.headers.host ?? "", false);
    if (!host || !allowed.has(host)) return refuse(res, 403, `Host "${req.headers.host ?? ""}" not allowed`);
    const origin = req.headers.origin;
    if (origin !== undefined) {
      const name = hostnameOf(origin, true);
      if (!name || !allowed.has(name)) return refuse(res, 403, `Origin "${origin}" not allowed`);
    }
    const auth = /^Bearer (.+)$/i.exec(req.headers.authorization ?? "");
    if (!auth?.[1] || !tokenMatches(auth[1].trim(), expected)) {
      return refuse(res, 401, "missing or wrong bearer token", { "www-authenticate": 'Bearer realm="pyro"' });
    }
    if (new URL(req.url ?? "/", "http://x").pathname !== MCP_HTTP_PATH) {
      return refuse(res, 404, `not found; the MCP endpoint is ${MCP_HTTP_PATH}`);
    }
    const sessionId = req.headers["mcp-session-id"];
    if (typeof sessionId === "string") {
      const session = sessions.get(sessionId);
      if (!session) return refuse(res, 404, "Session not found");
      session.lastSeen = Date.now();
      return session.transport.handleRequest(req, res);
    }
    // No session yet: only an initialize request may open one; the transport itself answers
    // 400 to anything else, and a transport that did not start a session is dropped.
    const transport = await openSession();
    await transport.handleRequest(req, res);
    if (!transport.sessionId) await transport.close();
  };

  const http = createHttpServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) refuse(res, 500, err instanceof Error ? err.message : String(err));
      else res.end();
    });
  });
  await new Promise<void>((resolveListen, reject) => {
    http.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") {
        reject(new PyroError("port_in_use", `${options.host}:${options.port} is already in use`));
      } else {
        reject(new PyroError("usage", `cannot listen on ${options.host}:${options.port}: ${err.message}`));
      }
    });
    http.listen(options.port, options.host, () => resolveListen());
  });
  const idleMs = (options.sessionIdleSeconds ?? 1800) * 1000;
  const sweep = setInterval(
    () => {
      for (const s of sessions.values()) {
        if (Date.now() - s.lastSeen > idleMs && s.transport.pendingCount === 0) void s.server.close();
      }
    },
    Math.min(60_000, Math.max(idleMs / 2, 100)),
  );
  sweep.unref();
  const { port } = http.address() as AddressInfo;
  const shown = isIP(options.host) === 6 ? `[${options.host}]` : options.host;

  return {
    url: `http://${shown}:${port}${MCP_HTTP_PATH}`,
    sessionCount: () => sessions.size,
    close: async () => {
      closing = true;
      clearInterval(sweep);
      const closed = new Promise<void>((r) => http.close(() => r()));
      const open = [...sessions.values()];
      await Promise.all(
        open.map((s) =>
          s.transport.interruptPending("pyro mcp serve is shutting down; the call was aborted"),
        ),
      );
      // McpServer.close() aborts each in-flight handler's signal: the SDK deletes their VMs.
      await Promise.all(open.map((s) => s.server.close()));
      sessions.clear();
      http.closeAllConnections();
      await closed;
    },
  };
}
