/**
 * `workspace fork` against real guests (issue 13 acceptance): a workspace with a running HTTP
 * service on a published port and an open shell, forked into 3. Each fork has its own files,
 * random stream, host name, address and published port, and carries the parent's service and
 * shell; the parent runs on with the same service pid. Then a paused parent forks too and stays
 * paused. A command in flight in the parent during a fork finishes. examples/sdk-fork.ts runs.
 * Four guests run at once here: run this file holding both guest slots
 * (`guestslot guestslot npx vitest run --project integration test/integration/fork.test.ts`).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { main as sdkFork } from "../../examples/sdk-fork.js";
import { Pyro } from "../../src/sdk/index.js";
import { requireGuest, runCli } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const pyro = workspaceTest();
const cli = (...args: string[]) => runCli(args, pyro.env());

async function json(...args: string[]) {
  const r = await cli(...args, "--json");
  expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout);
}

async function exec(id: string, script: string) {
  const r = await cli("workspace", "exec", id, "--", "sh", "-c", script);
  expect(r.code, `${id}: ${script}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

/**
 * A minimal HTTP/1.0 file server (the environment has perl, no python): GET /NAME answers
 * /workspace/www/NAME.
 */
const HTTP_SERVER = [
  "use IO::Socket::INET;",
  "$s = IO::Socket::INET->new(LocalPort => 8080, Listen => 5, ReuseAddr => 1) or die;",
  "while ($c = $s->accept) {",
  "  ($p) = (<$c> // '') =~ m{^GET /([\\w.-]*)}; while ((<$c> // '') =~ /\\S/) {}",
  '  if (defined $p && open F, "/workspace/www/$p") { local $/; $b = <F>; close F;',
  '    print $c "HTTP/1.0 200 OK\\r\\nContent-Length: " . length($b) . "\\r\\n\\r\\n$b" }',
  '  else { print $c "HTTP/1.0 404 Not Found\\r\\nContent-Length: 0\\r\\n\\r\\n" }',
  "  close $c }",
].join("\n");

/** GET http://127.0.0.1:`port`/`name` from the host: the body, or `status N`. */
async function get(port: number, name: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/${name}`);
  return res.ok ? (await res.text()).trim() : `status ${res.status}`;
}

/**
 * The RAM image a workspace's QEMU maps (`pause/memory`, unlinked once it runs): the file's
 * inode and how much of the mapping is shared with other processes, in KiB (smaps).
 */
function ramImage(id: string): { inode: string; sharedKib: number } {
  const sv = JSON.parse(readFileSync(join(pyro.home(), "workspaces", id, "run", "sv.json"), "utf8"));
  let inode = "";
  let sharedKib = 0;
  let inImage = false;
  for (const line of readFileSync(`/proc/${sv.vmm_pid}/smaps`, "utf8").split("\n")) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ (\d+)\s+(.*)$/.exec(line);
    if (mapping) {
      inImage = (mapping[2] ?? "").includes("/pause/memory");
      if (inImage) inode = mapping[1] as string;
    } else if (inImage && /^Shared_(Clean|Dirty):/.test(line)) sharedKib += Number(line.split(/\s+/)[1]);
  }
  return { inode, sharedKib };
}

/** Each VM's 16 random bytes (hex), host name and machine id; its host name also goes to www/. */
const IDENTITY =
  "head -c16 /dev/urandom | od -An -tx1 | tr -d ' \\n'; echo; cat /proc/sys/kernel/hostname /etc/machine-id; " +
  "cat /proc/sys/kernel/hostname > www/whoami.txt";

describe("workspace fork", () => {
  it("forks a workspace with a service, a shell and a published port into 3 of its own", {
    timeout: 300_000,
  }, async () => {
    if (process.getuid?.() !== 0) throw new Error("network tests need root (TAP devices, nftables)");
    const created = await cli(
      "workspace",
      "create",
      "debian:12",
      "--network-policy",
      "egress+published-ports",
      "--name",
      "origin",
      "--id-only",
    );
    expect(created.code, created.stderr).toBe(0);
    const parent = created.stdout.trim();
    await exec(parent, "mkdir -p www && echo served > www/index.txt");
    // --json before `--`: json() would append it after, as an argument of perl.
    const started = await cli(
      "workspace",
      "service",
      "start",
      parent,
      "web",
      "--ready-tcp",
      "127.0.0.1:8080",
      "--publish",
      "8080",
      "--json",
      "--",
      "perl",
      "-e",
      HTTP_SERVER,
    );
    expect(started.code, started.stderr).toBe(0);
    const web = JSON.parse(started.stdout);
    const parentPort = web.published_ports[0].host_port as number;
    expect(await get(parentPort, "index.txt")).toBe("served");
    const shell = (await cli("workspace", "shell", "open", parent, "--id-only")).stdout.trim();
    await cli("workspace", "shell", "write", parent, shell, "--input", "export FORK_MARK=kept-$((6*7))");
    await cli("workspace", "shell", "read", parent, shell, "--wait-for-idle-ms", "300");

    const fork = await cli("workspace", "fork", parent, "--count", "3", "--name", "try", "--json");
    expect(fork.code, fork.stderr).toBe(0);
    const result = JSON.parse(fork.stdout);
    expect(result).toMatchObject({ forked_from: parent, count: 3 });
    const forks: string[] = result.workspaces.map((w: { workspace_id: string }) => w.workspace_id);
    expect(new Set([parent, ...forks]).size).toBe(4);
    expect(result.workspaces.map((w: { name: string }) => w.name)).toEqual(["try-1", "try-2", "try-3"]);
    for (const w of result.workspaces) {
      expect(w).toMatchObject({ state: "started", forked_from: parent, running_service_count: 1 });
    }
    const listed = await json("workspace", "list");
    const byId = new Map(listed.workspaces.map((w: { workspace_id: string }) => [w.workspace_id, w]));
    expect(byId.get(forks[0] as string)).toMatchObject({ forked_from: parent });
    expect(byId.get(parent)).toMatchObject({ forked_from: null, state: "started" });
    // Their RAM is one image, mapped copy-on-write by all three: its pages are shared.
    const images = forks.map(ramImage);
    expect(images[0]?.inode).toMatch(/^[1-9]\d*$/);
    expect(new Set(images.map((m) => m.inode)).size).toBe(1);
    for (const m of images) expect(m.sharedKib).toBeGreaterThan(8 * 1024);

    // Names are unique: no fork may take one a workspace has (the parent's, or try-1 and try-2).
    for (const [args, name] of [
      [["--name", "origin"], /"origin"/],
      [["--count", "2", "--name", "try"], /"try-[12]"/],
    ] as const) {
      const taken = await cli("workspace", "fork", parent, ...args);
      expect(taken.code).toBe(1);
      expect(taken.stderr).toMatch(/^error\[name_taken\]: name "[^"]+" is taken by workspace "ws_\w+"/);
      expect(taken.stderr).toMatch(name);
    }
    expect((await json("workspace", "list")).count).toBe(4);
    // The human list names each fork's parent.
    const table = (await cli("workspace", "list")).stdout;
    expect(table).toMatch(/^ID\s+NAME\s+STATE\s+FORK OF\s+ENVIRONMENT\s/);
    expect(table).toMatch(new RegExp(`^${forks[0]}\\s+try-1\\s+started\\s+${parent}\\s`, "m"));
    expect(table).toMatch(new RegExp(`^${parent}\\s+origin\\s+started\\s+-\\s`, "m"));

    // Each has its own address on its own TAP.
    const nics = [parent, ...forks].map((id) => (byId.get(id) as { network: { guest_ip: string } }).network);
    expect(new Set(nics.map((n) => n.guest_ip)).size).toBe(4);

    // Own random stream, host name and machine id in all four.
    const ids = await Promise.all([parent, ...forks].map((id) => exec(id, IDENTITY)));
    const column = (i: number) => ids.map((out) => out.split("\n")[i] ?? "");
    const [random, hostname, machineId] = [column(0), column(1), column(2)];
    for (const values of [random, hostname, machineId]) expect(new Set(values).size).toBe(4);
    expect(random.every((r) => /^[0-9a-f]{32}$/.test(r))).toBe(true);
    expect(hostname[1]).toBe((forks[0] as string).replace("_", "-"));

    // A file written in one fork is in no other.
    await exec(forks[0] as string, "echo mine > www/only.txt");
    for (const id of [parent, forks[1], forks[2]] as string[]) {
      expect(await exec(id, "test -e www/only.txt && echo present || echo absent")).toBe("absent\n");
    }

    // Each fork's service answers on its own host port, from its own guest; the parent keeps its port.
    const ports = [parentPort];
    for (const [i, id] of forks.entries()) {
      const services = await json("workspace", "service", "list", id);
      expect(services.services[0]).toMatchObject({ service_name: "web", state: "ready" });
      const port = services.services[0].published_ports[0].host_port as number;
      ports.push(port);
      expect(await get(port, "whoami.txt")).toBe(hostname[i + 1]);
    }
    expect(new Set(ports).size).toBe(4);
    expect(await get(parentPort, "whoami.txt")).toBe(hostname[0]);
    expect(await get(ports[1] as number, "only.txt")).toBe("mine");
    expect(await get(parentPort, "only.txt")).toBe("status 404");

    // The parent's shell variable is in a fork's copy of the shell.
    await cli("workspace", "shell", "write", forks[1] as string, shell, "--input", "echo mark=$FORK_MARK");
    const read = await json(
      "workspace",
      "shell",
      "read",
      forks[1] as string,
      shell,
      "--plain",
      "--wait-for-idle-ms",
      "300",
    );
    expect(read.output).toContain("mark=kept-42");

    // The parent runs on, with the same service process.
    const after = await json("workspace", "service", "list", parent);
    expect(after.services[0].pid).toBe(web.pid);
    expect(await json("workspace", "status", parent)).toMatchObject({
      state: "started",
      running_service_count: 1,
    });

    // A paused parent forks too, and stays paused; its fork carries its shell.
    for (const id of forks) await json("workspace", "delete", id);
    await json("workspace", "pause", parent);
    const fromPaused = await cli("workspace", "fork", parent, "--id-only");
    expect(fromPaused.code, fromPaused.stderr).toBe(0);
    expect(fromPaused.stderr).toMatch(/^\[workspace-fork\] phase=fork workspace_id=ws_/m);
    expect(fromPaused.stderr).toMatch(/^\[workspace-fork\] phase=memory shared=true image_mib=[1-9]/m);
    const child = fromPaused.stdout.trim();
    expect(child).toMatch(/^ws_[0-9a-f]{12}$/);
    expect(await json("workspace", "status", parent)).toMatchObject({ state: "paused" });
    await cli("workspace", "shell", "write", child, shell, "--input", "echo again=$FORK_MARK");
    const again = await json(
      "workspace",
      "shell",
      "read",
      child,
      shell,
      "--plain",
      "--wait-for-idle-ms",
      "300",
    );
    expect(again.output).toContain("again=kept-42");
    await json("workspace", "resume", parent);
    expect((await json("workspace", "service", "list", parent)).services[0].pid).toBe(web.pid);
  });

  it("a command running in the parent during the fork finishes; the fork starts anyway", {
    timeout: 180_000,
  }, async () => {
    const created = await cli("workspace", "create", "debian:12", "--id-only");
    expect(created.code, created.stderr).toBe(0);
    const parent = created.stdout.trim();
    // In flight across the checkpoint: the parent's agent session is kept, not closed.
    const running = cli("workspace", "exec", parent, "--", "sh", "-c", "sleep 4; echo finished");
    await new Promise((r) => setTimeout(r, 1500));
    const fork = await cli("workspace", "fork", parent, "--id-only");
    expect(fork.code, fork.stderr).toBe(0);
    const done = await running;
    expect({ code: done.code, stdout: done.stdout }).toEqual({ code: 0, stdout: "finished\n" });
    const child = fork.stdout.trim();
    expect(await exec(child, "cat /proc/sys/kernel/hostname")).toBe(`${child.replace("_", "-")}\n`);
    expect(await exec(parent, "cat /proc/sys/kernel/hostname")).toBe(`${parent.replace("_", "-")}\n`);
  });

  it("examples/sdk-fork.ts runs end to end", { timeout: 300_000 }, async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      lines.push(args.join(" "));
    });
    try {
      await sdkFork(pyro.home());
    } finally {
      vi.restoreAllMocks();
      process.stderr.write(`${lines.join("\n")}\n`);
    }
    expect(lines.join("\n")).toMatch(
      /forked ws_\w+ into attempt-1, attempt-2\n.*parent: v1 fast; attempt-1: v2-a fast; attempt-2: v2-b fast\n.*attempt-1 vs the parent's baseline: added app.sh\n.*deleted 3 workspaces/,
    );
    expect((await new Pyro({ stateDir: pyro.home() }).listWorkspaces()).workspaces).toEqual([]);
  });
});
