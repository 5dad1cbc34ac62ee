/**
 * Network policies and published ports in real guests (issue 6 acceptance). Traffic only
 * ever goes between this host, its guests and a network namespace the test creates: the
 * "outside world" is an HTTP server inside that namespace, reached through the host.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireGuest } from "./fixtures.js";
import { createTestNetns } from "./netns.js";
import { workspaceTest } from "./workspace-test.js";

if (process.getuid?.() !== 0) throw new Error("network tests need root (TAP devices, nftables)");
requireGuest("debian:12-build");
const pyro = workspaceTest();
const cli = pyro.cli;

let netns: Awaited<ReturnType<typeof createTestNetns>> | undefined;

async function create(
  env: string,
  policy: string,
): Promise<{ id: string; network: Record<string, string> | null }> {
  const r = await cli("workspace", "create", env, "--network-policy", policy, "--json");
  if (r.code !== 0) throw new Error(`workspace create exited ${r.code}: ${(r.stdout + r.stderr).trim()}`);
  const w = JSON.parse(r.stdout);
  return { id: w.workspace_id, network: w.network };
}

const sh = (ws: string, script: string) =>
  cli("workspace", "exec", ws, "--timeout-seconds", "60", "--", "sh", "-c", script);
const hostHas = (...argv: string[]) => spawnSync(argv[0] as string, argv.slice(1)).status === 0;
const fetchUrl = (url: string) => `curl -s -S --max-time 10 ${url}`;

beforeAll(async () => {
  netns = await createTestNetns();
}, 60_000);

afterAll(async () => {
  await netns?.close();
});

describe("network policy off", () => {
  it("gives the guest only lo, so the test server is unreachable", async () => {
    const { id, network } = await create("debian:12-build", "off");
    expect(network).toBeNull();
    const links = await sh(id, "ls /sys/class/net");
    expect(links.stdout).toBe("lo\n");
    const r = await sh(id, `${fetchUrl(`http://${netns?.nsIp}:${netns?.port}/`)}; echo "exit=$?"`);
    expect(r.stdout).not.toContain("pyro-netns-ok");
    expect(r.stdout).toMatch(/exit=(7|28)/);
    const publish = await cli(
      "workspace",
      "service",
      "start",
      id,
      "web",
      "--publish",
      "8080",
      "--json",
      "--",
      "sleep",
      "60",
    );
    expect(publish.code).not.toBe(0);
    expect(JSON.parse(publish.stdout).error.code).toBe("published_ports_disabled");
  });
});

describe("network policy egress", () => {
  // A host service on every host address: the guest must not reach it.
  const hits: string[] = [];
  const hostServer = http.createServer((req, res) => {
    hits.push(req.socket.remoteAddress ?? "?");
    res.end("host-service");
  });

  beforeAll(async () => {
    await new Promise<void>((r) => hostServer.listen(0, "0.0.0.0", r));
  });
  afterAll(() => hostServer.close());
  const egress = pyro.shared("egress workspace", async () => {
    const c = await create("debian:12-build", "egress");
    return { id: c.id, network: c.network ?? {} };
  });

  it("has a TAP and a firewall table named for the workspace", async () => {
    const { id: ws, network } = egress();
    expect(network.interface).toMatch(/^pyro[0-9a-f]{11}$/);
    expect(hostHas("ip", "link", "show", "dev", network.interface as string)).toBe(true);
    expect(hostHas("nft", "list", "table", "inet", `pyro_${ws}`)).toBe(true);
    const links = await sh(ws, "ls /sys/class/net; ip -4 -o addr show dev eth0 | awk '{print $4}'");
    expect(links.stdout).toBe(`eth0\nlo\n${network.guest_ip}/30\n`);
  });

  it("reaches a server outside (in a test namespace) through NAT", async () => {
    const { id: ws } = egress();
    const r = await sh(ws, fetchUrl(`http://${netns?.nsIp}:${netns?.port}/`));
    expect(r.stdout, r.stderr).toBe("pyro-netns-ok");
  });

  it("cannot reach services the host listens on, at any host address", async () => {
    const { id: ws, network } = egress();
    const port = (hostServer.address() as net.AddressInfo).port;
    for (const addr of [network.host_ip, netns?.hostIp]) {
      const r = await sh(ws, `curl -s --max-time 3 http://${addr}:${port}/; echo "exit=$?"`);
      expect(r.stdout, `host ${addr}`).not.toContain("host-service");
    }
    expect(hits).toEqual([]);
  });

  it("refuses published ports with a clear code", async () => {
    const { id: ws } = egress();
    const r = await cli(
      "workspace",
      "service",
      "start",
      ws,
      "web",
      "--publish",
      "18081:8080",
      "--json",
      "--",
      "python3",
      "-m",
      "http.server",
      "8080",
    );
    expect(r.code).not.toBe(0);
    expect(JSON.parse(r.stdout).error.code).toBe("published_ports_disabled");
  });
});

describe("network policy egress+published-ports", () => {
  const published = pyro.shared("egress+published-ports workspace", async () => {
    const c = await create("debian:12-build", "egress+published-ports");
    const wrote = await sh(c.id, "echo hi > /workspace/hello.txt");
    if (wrote.code !== 0) throw new Error(`writing hello.txt failed: ${wrote.stderr}`);
    return { id: c.id, network: c.network ?? {} };
  });

  it("publishes a service port on the host's 127.0.0.1 while it runs", async () => {
    const { id: ws } = published();
    const r = await cli(
      "workspace",
      "service",
      "start",
      ws,
      "web",
      "--publish",
      "18080:8080",
      "--ready-http",
      "http://127.0.0.1:8080/",
      "--json",
      "--",
      "python3",
      "-m",
      "http.server",
      "8080",
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).published_ports).toEqual([
      { host: "127.0.0.1", host_port: 18080, guest_port: 8080 },
    ]);
    const listing = await fetch("http://127.0.0.1:18080/");
    expect(await listing.text()).toContain("hello.txt");
    // Egress still works under this policy.
    const out = await sh(ws, fetchUrl(`http://${netns?.nsIp}:${netns?.port}/`));
    expect(out.stdout).toBe("pyro-netns-ok");

    const stop = await cli("workspace", "service", "stop", ws, "web");
    expect(stop.code, stop.stderr).toBe(0);
    await expect(fetch("http://127.0.0.1:18080/")).rejects.toThrow();
  });

  it("picks a free host port when only the guest port is given, and closes it when the service exits", async () => {
    const { id: ws } = published();
    const r = await cli(
      "workspace",
      "service",
      "start",
      ws,
      "short",
      "--publish",
      "8082",
      "--ready-tcp",
      "127.0.0.1:8082",
      "--json",
      "--",
      "sh",
      "-c",
      "timeout 8 python3 -m http.server 8082",
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const port = JSON.parse(r.stdout).published_ports[0].host_port as number;
    expect(port).toBeGreaterThan(0);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
    // The service exits by itself after 8 s (room for a slow start under TCG on a loaded host);
    // the supervisor notices within a second or two.
    let closed = false;
    for (let i = 0; i < 60 && !closed; i++) {
      await new Promise((res) => setTimeout(res, 250));
      closed = await fetch(`http://127.0.0.1:${port}/`).then(
        () => false,
        () => true,
      );
    }
    expect(closed).toBe(true);
  });

  it("a busy host port is refused with port_in_use and the service is stopped again", async () => {
    const { id: ws } = published();
    const blocker = http.createServer(() => undefined);
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const busy = (blocker.address() as net.AddressInfo).port;
    try {
      const r = await cli(
        "workspace",
        "service",
        "start",
        ws,
        "web2",
        "--publish",
        `${busy}:8083`,
        "--json",
        "--",
        "python3",
        "-m",
        "http.server",
        "8083",
      );
      expect(JSON.parse(r.stdout).error.code).toBe("port_in_use");
      const status = await cli("workspace", "service", "status", ws, "web2", "--json");
      expect(JSON.parse(status.stdout).state).toBe("stopped");
    } finally {
      blocker.close();
    }
  });

  it("keeps half-closed connections open for the answer, and idle clients cannot starve the VM", async () => {
    const { id: ws } = published();
    // Reads to EOF, then answers with the byte count and sha256: needs a working half-close.
    const server = [
      "import socket, hashlib",
      "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
      "s.bind(('127.0.0.1', 9090)); s.listen(512)",
      "while True:",
      "    c, _ = s.accept(); h = hashlib.sha256(); n = 0",
      "    while True:",
      "        d = c.recv(65536)",
      "        if not d: break",
      "        h.update(d); n += len(d)",
      "    c.sendall(f'{n} {h.hexdigest()}'.encode()); c.close()",
    ].join("\n");
    const start = await cli(
      "workspace",
      "service",
      "start",
      ws,
      "sha",
      "--publish",
      "9090",
      "--ready-tcp",
      "127.0.0.1:9090",
      "--json",
      "--",
      "python3",
      "-c",
      server,
    );
    expect(start.code, start.stdout + start.stderr).toBe(0);
    const port = JSON.parse(start.stdout).published_ports[0].host_port as number;
    const payload = Buffer.alloc(300_000, 7);
    const answer = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(port, "127.0.0.1", () => sock.end(payload));
      let text = "";
      sock.on("data", (d) => {
        text += d.toString();
      });
      sock.on("end", () => resolve(text));
      sock.on("error", reject);
    });
    expect(answer).toBe(`300000 ${createHash("sha256").update(payload).digest("hex")}`);

    // 400 idle connections: past the supervisor's cap they are closed, and exec still answers.
    const idle = await Promise.all(
      Array.from(
        { length: 400 },
        () =>
          new Promise<net.Socket>((resolve) => {
            const c = net.connect(port, "127.0.0.1", () => resolve(c));
            c.on("error", () => resolve(c));
          }),
      ),
    );
    try {
      const alive = await sh(ws, "echo alive");
      expect(alive.stdout).toBe("alive\n");
    } finally {
      for (const c of idle) c.destroy();
    }
    await cli("workspace", "service", "stop", ws, "sha");
  });

  it("delete after kill -9 of the supervisor removes the TAP and the firewall table", async () => {
    const { id: ws, network } = published();
    const pid = Number(readFileSync(join(pyro.home(), "workspaces", ws, "run", "sv.pid"), "utf8"));
    process.kill(pid, "SIGKILL");
    for (let i = 0; i < 50 && hostHas("kill", "-0", String(pid)); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(hostHas("ip", "link", "show", "dev", network.interface as string)).toBe(true); // left behind by the crash
    const del = await cli("workspace", "delete", ws);
    expect(del.code, del.stderr).toBe(0);
    expect(hostHas("ip", "link", "show", "dev", network.interface as string)).toBe(false);
    expect(hostHas("nft", "list", "table", "inet", `pyro_${ws}`)).toBe(false);
  });
});

describe("pyro run --network", () => {
  it("gives a one-shot VM egress and removes its TAP with the VM", async () => {
    const r = await cli(
      "run",
      "debian:12-build",
      "--network",
      "--json",
      "--",
      "sh",
      "-c",
      fetchUrl(`http://${netns?.nsIp}:${netns?.port}/`),
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.stdout).toBe("pyro-netns-ok");
    const taps = spawnSync("ip", ["-o", "link", "show"], { encoding: "utf8" }).stdout;
    const tag = (out.vm_id as string).slice(3);
    expect(taps).not.toContain(`pyro_${tag}`);
    expect(hostHas("nft", "list", "table", "inet", `pyro_${out.vm_id}`)).toBe(false);
  });
});
