/**
 * HTTP/2 (prior knowledge, no TLS) client of the guest agent over one byte stream: the
 * virtio-serial port's host socket under QEMU, a vsock stream under Firecracker. One session
 * multiplexes every request for the VM's whole life (the supervisor owns it).
 */
import http2 from "node:http2";
import type { Duplex, Readable } from "node:stream";
import { PyroError } from "../errors.js";
import { type AgentInfo, PROTOCOL_VERSION, parseAgentInfo } from "./protocol.js";

export interface AgentResponse {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: http2.ClientHttp2Stream;
}

export class AgentSession {
  private readonly session: http2.ClientHttp2Session;
  readonly closed: Promise<void>;

  constructor(channel: Duplex) {
    this.session = http2.connect("http://pyro-agent", { createConnection: () => channel });
    this.session.on("error", () => undefined); // surfaced through request failures and `closed`
    this.closed = new Promise((resolve) => this.session.once("close", resolve));
  }

  /** Sends one request; `body` is streamed when given. */
  request(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: Readable,
    signal?: AbortSignal,
  ): Promise<AgentResponse> {
    return new Promise((resolve, reject) => {
      if (this.session.closed || this.session.destroyed) {
        reject(new PyroError("guest_unreachable", "the guest agent channel is closed"));
        return;
      }
      const stream = this.session.request(
        { ":method": method, ":path": path, ...headers },
        { endStream: body === undefined, ...(signal ? { signal } : {}) },
      );
      stream.once("response", (h) => resolve({ status: Number(h[":status"]), headers: h, body: stream }));
      stream.once("error", (err) =>
        reject(
          new PyroError("guest_unreachable", `guest agent request ${path} failed: ${err.message}`, {
            cause: err,
          }),
        ),
      );
      if (body) body.pipe(stream);
    });
  }

  /** Reads a whole JSON response body. */
  async json(method: string, path: string): Promise<{ status: number; value: unknown }> {
    const res = await this.request(method, path);
    let text = "";
    for await (const chunk of res.body) text += chunk.toString();
    return { status: res.status, value: text ? JSON.parse(text) : undefined };
  }

  /**
   * Waits for the agent to answer `GET /v1/info` (requests queue in the channel until the
   * guest opens its port) and checks the protocol version.
   * @throws PyroError guest_protocol_mismatch when the agent speaks another version.
   */
  async info(): Promise<AgentInfo> {
    const { value } = await this.json("GET", "/v1/info");
    const info = parseAgentInfo(value);
    if (info.protocol_version !== PROTOCOL_VERSION) {
      throw new PyroError(
        "guest_protocol_mismatch",
        `guest agent ${info.agent_version} speaks protocol ${info.protocol_version}, host expects ${PROTOCOL_VERSION}`,
        { hint: "rebuild the agent (npm run build:agent)" },
      );
    }
    return info;
  }

  close(): void {
    this.session.destroy();
  }
}
