/**
 * Published ports: a TCP listener on 127.0.0.1 per published service port, each accepted
 * connection forwarded through the agent's port stream (`POST /v1/ports/{port}/stream`,
 * docs/agent-protocol.md) to the guest's 127.0.0.1. It rides the agent channel, so it works
 * without a TAP device. A publication lives as long as its service runs: the service's stop
 * closes it, and a once-a-second check closes the ones whose service ended by itself.
 */
import net from "node:net";
import type { AgentSession } from "../agent/client.js";
import { PyroError } from "../errors.js";
import type { PublishedPort } from "./protocol.js";

/** Service states during which its ports stay published. */
const LIVE_STATES = new Set(["starting", "running", "ready"]);

/** How often services with publications are checked, in ms. */
const WATCH_INTERVAL_MS = 1000;

/**
 * Forwarded connections open at once per VM. Each holds one HTTP/2 stream on the agent
 * channel; past this, new ones are closed at once, so idle clients of a published port can
 * never starve exec, files and shells of streams (the agent allows 1024).
 */
export const MAX_PORT_CONNECTIONS = 256;

interface Publication extends PublishedPort {
  server: net.Server;
  sockets: Set<net.Socket>;
}

/** The record of a publication, without its listener. */
const published = ({ service, host, host_port, guest_port }: Publication): PublishedPort => ({
  service,
  host,
  host_port,
  guest_port,
});

export class PortPublisher {
  private readonly pubs: Publication[] = [];
  private watch: NodeJS.Timeout | undefined;
  private open = 0;

  constructor(
    private readonly agent: () => AgentSession | undefined,
    private readonly log: (event: string, fields: Record<string, unknown>) => void,
    private readonly changed: () => void,
  ) {}

  list(): PublishedPort[] {
    return this.pubs.map(published);
  }

  /**
   * Binds 127.0.0.1:`hostPort` (0 = a free port) and forwards it to `guestPort` in the guest.
   * @throws PyroError port_in_use, invalid_argument (the guest port is already published)
   */
  async publish(service: string, guestPort: number, hostPort: number): Promise<PublishedPort> {
    if (this.pubs.some((p) => p.service === service && p.guest_port === guestPort)) {
      throw new PyroError("invalid_argument", `guest port ${guestPort} of "${service}" is already published`);
    }
    const sockets = new Set<net.Socket>();
    // allowHalfOpen: a client that sends FIN after its request still gets the whole answer.
    const server = net.createServer({ allowHalfOpen: true }, (socket) =>
      this.forward(socket, guestPort, sockets),
    );
    await new Promise<void>((resolve, reject) => {
      server.once("error", (err: NodeJS.ErrnoException) =>
        reject(
          err.code === "EADDRINUSE" || err.code === "EACCES"
            ? new PyroError("port_in_use", `host port 127.0.0.1:${hostPort} is not available (${err.code})`)
            : err,
        ),
      );
      server.listen({ host: "127.0.0.1", port: hostPort, exclusive: true }, resolve);
    });
    const port = (server.address() as net.AddressInfo).port;
    const pub: Publication = {
      service,
      host: "127.0.0.1",
      host_port: port,
      guest_port: guestPort,
      server,
      sockets,
    };
    this.pubs.push(pub);
    this.log("port_published", { service, host_port: port, guest_port: guestPort });
    this.startWatch();
    this.changed();
    return published(pub);
  }

  /** Closes every publication of `service` and its open connections. */
  unpublish(service: string): PublishedPort[] {
    const gone = this.pubs.filter((p) => p.service === service);
    for (const p of gone) {
      p.server.close();
      for (const s of p.sockets) s.destroy();
      this.pubs.splice(this.pubs.indexOf(p), 1);
      this.log("port_closed", { service, host_port: p.host_port, guest_port: p.guest_port });
    }
    if (gone.length > 0) this.changed();
    if (this.pubs.length === 0) this.stopWatch();
    return gone.map(published);
  }

  closeAll(): void {
    for (const service of new Set(this.pubs.map((p) => p.service))) this.unpublish(service);
  }

  /** One accepted connection: a port stream to the guest, bytes copied both ways. */
  private forward(socket: net.Socket, guestPort: number, sockets: Set<net.Socket>): void {
    socket.on("error", () => socket.destroy());
    if (this.open >= MAX_PORT_CONNECTIONS) {
      socket.destroy();
      return;
    }
    this.open++;
    sockets.add(socket);
    socket.once("close", () => {
      this.open--;
      sockets.delete(socket);
    });
    const agent = this.agent();
    if (!agent) {
      socket.destroy();
      return;
    }
    const abort = new AbortController();
    socket.once("close", () => abort.abort());
    agent
      .request(
        "POST",
        `/v1/ports/${guestPort}/stream`,
        { "content-type": "application/octet-stream" },
        socket,
        abort.signal,
      )
      .then((res) => {
        if (res.status !== 200) {
          res.body.resume();
          socket.destroy();
          return;
        }
        res.body.on("error", () => socket.destroy());
        res.body.pipe(socket);
      })
      .catch(() => socket.destroy());
  }

  private startWatch(): void {
    this.watch ??= setInterval(() => void this.closeEnded(), WATCH_INTERVAL_MS);
    this.watch.unref();
  }

  private stopWatch(): void {
    clearInterval(this.watch);
    this.watch = undefined;
  }

  /** Closes publications whose service is no longer live (it exited or failed by itself). */
  private async closeEnded(): Promise<void> {
    const agent = this.agent();
    if (!agent) return;
    for (const service of new Set(this.pubs.map((p) => p.service))) {
      try {
        const { status, value } = await agent.json("GET", `/v1/services/${encodeURIComponent(service)}`);
        const state = (value as { state?: string } | undefined)?.state;
        if (status === 404 || (status === 200 && !LIVE_STATES.has(state ?? ""))) this.unpublish(service);
      } catch {
        // the channel is down; the VM's end closes everything
      }
    }
  }
}
