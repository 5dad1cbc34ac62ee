/** `pyro run` end to end against real guests (issue 2 acceptance). */
import { describe, expect, it } from "vitest";
import { processesMentioning, requireGuest, runCli, vmDirs } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const pyro = workspaceTest();

describe("pyro run", () => {
  it("runs git in a real microVM and exits 0", async () => {
    const r = await runCli(["run", "debian:12", "--", "git", "--version"], pyro.env());
    expect(r.stderr).toContain("[run] phase=create environment=debian:12");
    expect(r.stderr).toMatch(/\[run\] phase=start vm_id=vm_[0-9a-f]{12}/);
    expect(r.stderr).toMatch(/\[run\] phase=execute /);
    expect(r.stderr).toMatch(
      /\[run\] environment=debian:12 execution_mode=guest_virtio_serial acceleration=(kvm|tcg) exit_code=0 duration_ms=\d+/,
    );
    expect(r.stdout).toMatch(/^git version 2\.39\./);
    expect(r.code).toBe(0);
    expect(vmDirs(pyro.home())).toEqual([]);
  });

  it("streams stdout and stderr separately and propagates the exit code", async () => {
    const r = await runCli(
      ["run", "debian:12", "--", "sh", "-c", "echo out; echo err >&2; exit 7"],
      pyro.env(),
    );
    expect(r.stdout).toBe("out\n");
    expect(r.stderr).toContain("err\n");
    expect(r.stderr).not.toContain("out\n");
    expect(r.code).toBe(7);
  });

  it("keeps argv boundaries and reports the contract fields with --json", async () => {
    const r = await runCli(
      [
        "run",
        "debian:12",
        "--json",
        "--mem-mib",
        "512",
        "--cold", // `boot` is then known; template.test.ts has a restored run's
        "--",
        "sh",
        "-c",
        'printf "%s|" "$@"; echo e >&2; exit 3',
        "x",
        "a b",
        "c",
      ],
      pyro.env(),
    );
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc).sort()).toEqual(
      [
        "acceleration",
        "boot",
        "cleanup",
        "command",
        "duration_ms",
        "environment",
        "execution_mode",
        "exit_code",
        "stderr",
        "stdout",
        "vm_id",
      ].sort(),
    );
    expect(doc).toMatchObject({
      environment: "debian:12",
      exit_code: 3,
      stdout: "a b|c|",
      stderr: "e\n",
      execution_mode: "guest_virtio_serial",
      cleanup: { deleted: true, reason: "completed", vm_id: doc.vm_id },
    });
    expect(doc.boot).toBe("cold");
    expect(doc.command).toEqual(["sh", "-c", 'printf "%s|" "$@"; echo e >&2; exit 3', "x", "a b", "c"]);
    expect(doc.duration_ms).toBeGreaterThan(0);
  });

  it("kills a command at --timeout-seconds with code timeout", async () => {
    // Timed from the execute phase: the boot before it depends on the host's load, not on the timeout.
    let executeAt = 0;
    const r = await runCli(["run", "debian:12", "--timeout-seconds", "2", "--", "sleep", "30"], pyro.env(), {
      onStderr: (text) => {
        if (!executeAt && text.includes("phase=execute")) executeAt = Date.now();
      },
    });
    const afterExecute = Date.now() - executeAt;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error\[timeout\]: /m);
    expect(executeAt).toBeGreaterThan(0);
    expect(afterExecute).toBeLessThan(7_000);
    expect(vmDirs(pyro.home())).toEqual([]);
  });

  it("ends cleanly on Ctrl-C and leaves no VM process", async () => {
    let sent = false;
    const r = await runCli(["run", "debian:12", "--", "sleep", "30"], pyro.env(), {
      onStderr: (text, pid) => {
        if (!sent && text.includes("phase=execute")) {
          sent = true;
          // Give the exec request a moment to reach the guest before interrupting.
          setTimeout(() => process.kill(pid, "SIGINT"), 300);
        }
      },
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/error\[interrupted\]/);
    expect(r.durationMs).toBeLessThan(25_000);
    expect(processesMentioning(pyro.home())).toEqual([]);
    expect(vmDirs(pyro.home())).toEqual([]);
  });
});

describe("pyro run whose CLI is killed with -9", () => {
  it("takes its VM down too (the supervisor watches its owner) and leaves no state", async () => {
    let killed = false;
    await runCli(["run", "debian:12", "--", "sleep", "60"], pyro.env(), {
      onStderr: (text, pid) => {
        if (!killed && text.includes("phase=execute")) {
          killed = true;
          process.kill(pid, "SIGKILL");
        }
      },
    });
    expect(killed).toBe(true);
    for (
      let i = 0;
      i < 100 && (processesMentioning(pyro.home()).length > 0 || vmDirs(pyro.home()).length > 0);
      i++
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(processesMentioning(pyro.home())).toEqual([]);
    expect(vmDirs(pyro.home())).toEqual([]);
  });
});

describe("bad input: one line, a code, exit 1 or 2, no stack", () => {
  it.each([
    [["run", "debian:99", "--", "true"], "environment_not_found", 1],
    [["run", "debian:12", "true"], "usage", 2],
    [["run", "debian:12", "--mem-mib", "0", "--", "true"], "invalid_argument", 2],
    [["run", "debian:12", "--timeout-seconds", "abc", "--", "true"], "usage", 2],
    [["run", "debian:12", "--no-such-flag", "--", "true"], "usage", 2],
  ])("%j -> %s", async (args, code, exit) => {
    const r = await runCli(args, pyro.env());
    expect(r.code).toBe(exit);
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toMatch(new RegExp(`^error\\[${code}\\]: .+`));
    expect(lines.length).toBeLessThanOrEqual(2); // the error line and at most a hint
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe("");
  });

  it("reports errors as JSON with --json", async () => {
    const r = await runCli(["run", "debian:99", "--json", "--", "true"], pyro.env());
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: "environment_not_found" } });
  });
});
