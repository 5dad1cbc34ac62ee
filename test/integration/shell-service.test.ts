/** Shells and services in a real guest (issue 4 acceptance), on one debian:12-build workspace. */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliPath, requireGuest, runCli } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest("debian:12-build");
const pyro = workspaceTest();
const cli = (...args: string[]) => runCli(args, pyro.env());
const host = mkdtempSync("/tmp/pyro-shsv-");

/** The workspace the shells and services run in, seeded with an empty `sub/`. */
const workspace = pyro.shared("workspace", async () => {
  const seed = join(host, "seed");
  mkdirSync(join(seed, "sub"), { recursive: true });
  const r = await cli("workspace", "create", "debian:12-build", "--seed-path", seed, "--id-only");
  if (r.code !== 0) throw new Error(`workspace create exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout.trim();
});
afterAll(() => rmSync(host, { recursive: true, force: true }));

const guestProcesses = async () =>
  (await cli("workspace", "exec", workspace(), "--", "ps", "-eo", "args=")).stdout
    .split("\n")
    .map((l) => l.trim());

describe("shells", () => {
  it("keep state between separate CLI calls and render plain text", async () => {
    const id = workspace();
    const opened = await cli("workspace", "shell", "open", id, "--id-only");
    expect(opened.code, opened.stderr).toBe(0);
    const shell = opened.stdout.trim();
    expect(shell).toMatch(/^sh_[0-9a-f]+$/);
    expect(
      (await cli("workspace", "shell", "write", id, shell, "--input", "cd sub && export X=1")).code,
    ).toBe(0);
    const first = JSON.parse(
      (await cli("workspace", "shell", "read", id, shell, "--wait-for-idle-ms", "300", "--json")).stdout,
    );
    await cli("workspace", "shell", "write", id, shell, "--input", "echo $X $PWD");
    const r = JSON.parse(
      (
        await cli(
          "workspace",
          "shell",
          "read",
          id,
          shell,
          "--cursor",
          String(first.next_cursor),
          "--plain",
          "--wait-for-idle-ms",
          "300",
          "--json",
        )
      ).stdout,
    );
    expect(r.output).toContain("1 /workspace/sub");
    expect(r.output).not.toContain("\u001b");
    expect(r.cursor).toBe(first.next_cursor);
    expect(r.next_cursor).toBeGreaterThan(r.cursor);

    await cli("workspace", "shell", "write", id, shell, "--input", "sleep 100");
    await cli("workspace", "shell", "read", id, shell, "--wait-for-idle-ms", "300");
    expect(await guestProcesses()).toContain("sleep 100");
    expect((await cli("workspace", "shell", "signal", id, shell, "--signal", "INT")).code).toBe(0);
    await cli("workspace", "shell", "read", id, shell, "--wait-for-idle-ms", "300");
    expect(await guestProcesses()).not.toContain("sleep 100");
    await cli("workspace", "shell", "write", id, shell, "--input", "echo still-alive");
    const after = JSON.parse(
      (await cli("workspace", "shell", "read", id, shell, "--plain", "--wait-for-idle-ms", "300", "--json"))
        .stdout,
    );
    expect(after.output).toContain("still-alive");

    const closed = JSON.parse((await cli("workspace", "shell", "close", id, shell, "--json")).stdout);
    expect(closed.state).toBe("exited");
    expect((await cli("workspace", "shell", "read", id, shell)).stderr).toMatch(/^error\[shell_not_found\]/);
  });
});

describe("shell attach", () => {
  it("gives a live terminal (through a real PTY from util-linux script) and detaches with Ctrl-]", async () => {
    const id = workspace();
    const shell = (await cli("workspace", "shell", "open", id, "--id-only")).stdout.trim();
    const attach = `${process.execPath} ${cliPath} workspace shell attach ${id} ${shell}`;
    const child = spawn("script", ["-qfec", attach, "/dev/null"], {
      env: pyro.env(),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const waitFor = async (text: string) => {
      for (let i = 0; i < 100 && !out.includes(text); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).toContain(text);
    };
    await waitFor("detach=Ctrl-]");
    child.stdin.write("echo attached-$((40+2))\r");
    await waitFor("attached-42");
    child.stdin.write("\x1d");
    const code = await new Promise((r) => child.once("exit", r));
    expect(code).toBe(0);
    expect(out).toContain("state=running");
    const after = JSON.parse(
      (await cli("workspace", "shell", "read", id, shell, "--plain", "--json")).stdout,
    );
    expect(after.output).toContain("attached-42");
    await cli("workspace", "shell", "close", id, shell);
  });
});

describe("services", () => {
  it("become ready on an HTTP probe, log outside /workspace and stop cleanly", async () => {
    const id = workspace();
    const start = await cli(
      "workspace",
      "service",
      "start",
      id,
      "web",
      "--ready-http",
      "http://127.0.0.1:8080/",
      "--json",
      "--",
      "python3",
      "-m",
      "http.server",
      "8080",
    );
    expect(start.code, start.stderr).toBe(0);
    expect(JSON.parse(start.stdout)).toMatchObject({
      service_name: "web",
      state: "ready",
      readiness: { type: "http" },
    });
    await cli(
      "workspace",
      "exec",
      id,
      "--",
      "sh",
      "-c",
      "for i in 1 2 3 4 5 6 7; do curl -s -o /dev/null http://127.0.0.1:8080/$i; done",
    );
    const logs = await cli("workspace", "service", "logs", id, "web", "--tail-lines", "5", "--json");
    const tail = JSON.parse(logs.stdout).stderr.trim().split("\n");
    expect(tail).toHaveLength(5);
    expect(tail.at(-1)).toMatch(/GET \/7 /);
    const list = JSON.parse((await cli("workspace", "service", "list", id, "--json")).stdout);
    expect(list).toMatchObject({ count: 1, running_count: 1 });
    const status = JSON.parse((await cli("workspace", "status", id, "--json")).stdout);
    expect(status).toMatchObject({ service_count: 1, running_service_count: 1 });

    const diff = JSON.parse((await cli("workspace", "diff", id, "--json")).stdout);
    expect(JSON.stringify(diff)).not.toMatch(/GET \/|http\.server/);
    const exported = join(host, "export");
    expect((await cli("workspace", "export", id, ".", "--output", exported)).code).toBe(0);
    const everything = readdirSync(exported, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => readFileSync(join(e.parentPath, e.name), "utf8"))
      .join("\n");
    expect(everything).not.toMatch(/GET \/|Serving HTTP/);

    const stop = JSON.parse((await cli("workspace", "service", "stop", id, "web", "--json")).stdout);
    expect(stop.state).toBe("stopped");
    expect((await guestProcesses()).some((p) => p.includes("http.server"))).toBe(false);
  });

  it("fail with stop_reason timeout when never ready, and are not left running", async () => {
    const id = workspace();
    const r = await cli(
      "workspace",
      "service",
      "start",
      id,
      "never",
      "--ready-file",
      ".never",
      "--ready-timeout-seconds",
      "2",
      "--json",
      "--",
      "sleep",
      "300",
    );
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ state: "failed", stop_reason: "timeout" });
    expect(await guestProcesses()).not.toContain("sleep 300");
  });

  it("report the exit code of a service that exits right away", async () => {
    const id = workspace();
    const r = await cli(
      "workspace",
      "service",
      "start",
      id,
      "quick",
      "--ready-file",
      ".x",
      "--json",
      "--",
      "sh",
      "-c",
      "echo bye; exit 3",
    );
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      state: "failed",
      exit_code: 3,
      stop_reason: "exited_early",
    });
    const dup = await cli("workspace", "service", "start", id, "dup", "--", "sleep", "100");
    expect(dup.code, dup.stderr).toBe(0);
    const again = await cli("workspace", "service", "start", id, "dup", "--", "sleep", "100");
    expect(again.stderr).toMatch(/^error\[service_exists\]/);
    await cli("workspace", "service", "stop", id, "dup");
  });
});
