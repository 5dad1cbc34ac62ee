/**
 * Workspaces end to end through the CLI (issue 3 acceptance): seed, exec, sync push, diff,
 * export, files, patch, logs, concurrent execs from two processes, delete leaving nothing.
 * Each block shares one seeded workspace; when it fails to create, every test of the block
 * fails saying so, and no test leans on what an earlier one did to it.
 */
import { spawn } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cliPath, processesMentioning, requireGuest, runCli } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const pyro = workspaceTest();
let host = "";
let seed = "";
const cli = pyro.cli;
const binary = Buffer.from([0, 1, 2, 255, 254, 10, 0, 7]);

beforeAll(() => {
  host = mkdtempSync("/tmp/pyro-ws-host-");
  seed = join(host, "seed");
  mkdirSync(join(seed, "src", "deep"), { recursive: true });
  writeFileSync(join(seed, "README.txt"), "line one\nline two\nline three\n");
  writeFileSync(join(seed, "data.bin"), binary);
  writeFileSync(join(seed, "src", "deep", "nested.txt"), "nested\n");
  writeFileSync(join(seed, "build.sh"), "#!/bin/sh\necho built\n");
  chmodSync(join(seed, "build.sh"), 0o755);
  chmodSync(join(seed, "README.txt"), 0o640);
});

/** A workspace seeded from `seed` for the enclosing block; the getter gives its record. */
function sharedSeededWorkspace(name: string) {
  return pyro.shared("workspace", async () => {
    const r = await cli(
      "workspace",
      "create",
      "debian:12",
      "--seed-path",
      seed,
      "--name",
      name,
      "--label",
      "suite=ws",
      "--json",
    );
    if (r.code !== 0) throw new Error(`workspace create exited ${r.code}: ${r.stderr.trim()}`);
    return JSON.parse(r.stdout) as { workspace_id: string; [field: string]: unknown };
  });
}

/** How many commands the workspace has run so far. */
async function commandCount(id: string): Promise<number> {
  return JSON.parse((await cli("workspace", "status", id, "--json")).stdout).command_count;
}

describe("workspace create and exec", () => {
  const main = sharedSeededWorkspace("main");

  it("creates a workspace from a seed directory before returning", async () => {
    const w = main();
    const id = w.workspace_id;
    expect(id).toMatch(/^ws_[0-9a-f]{12}$/);
    expect(w).toMatchObject({
      name: "main",
      labels: { suite: "ws" },
      state: "started",
      environment: "debian:12",
      workspace_seed: { mode: "directory", seed_path: seed },
      command_count: 0,
      network_policy: "off",
    });
    expect(statSync(join(pyro.home(), "workspaces", id)).mode & 0o777).toBe(0o700);
    expect(statSync(join(pyro.home(), "workspaces", id, "workspace.json")).mode & 0o777).toBe(0o600);
  });

  it("refuses a second workspace of the same name before anything is written", async () => {
    const id = main().workspace_id;
    const before = JSON.parse((await cli("workspace", "list", "--json")).stdout).count;
    const again = await cli("workspace", "create", "debian:12", "--name", "main");
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      new RegExp(`^error\\[name_taken\\]: name "main" is taken by workspace "${id}"`),
    );
    expect(JSON.parse((await cli("workspace", "list", "--json")).stdout).count).toBe(before);
    expect(JSON.parse((await cli("workspace", "status", "main", "--json")).stdout).workspace_id).toBe(id);
  });

  it("sees every seeded file with its mode, in /workspace", async () => {
    const sequence = (await commandCount(main().workspace_id)) + 1;
    const r = await cli(
      "workspace",
      "exec",
      "main",
      "--",
      "sh",
      "-c",
      "pwd; stat -c '%a %n' README.txt build.sh data.bin src/deep/nested.txt; ./build.sh; od -An -tx1 data.bin",
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      "/workspace\n640 README.txt\n755 build.sh\n644 data.bin\n644 src/deep/nested.txt\nbuilt\n 00 01 02 ff fe 0a 00 07\n",
    );
    expect(r.stderr).toMatch(
      new RegExp(
        `\\[workspace-exec\\] workspace_id=ws_\\w+ sequence=${sequence} cwd=/workspace .*exit_code=0`,
      ),
    );
  });

  it("propagates exit codes and records history", async () => {
    const id = main().workspace_id;
    const sequence = (await commandCount(id)) + 1;
    const r = await cli("workspace", "exec", id, "--", "sh", "-c", "echo oops >&2; exit 4");
    expect(r.code).toBe(4);
    const logs = JSON.parse((await cli("workspace", "logs", id, "--json")).stdout);
    expect(logs.count).toBe(sequence);
    expect(logs.entries.at(-1)).toMatchObject({
      sequence,
      exit_code: 4,
      stderr: "oops\n",
      cwd: "/workspace",
    });
  });

  it("runs two execs started at the same moment from two processes", async () => {
    const id = main().workspace_id;
    const before = await commandCount(id);
    const [a, b] = await Promise.all([
      cli("workspace", "exec", id, "--", "sh", "-c", "sleep 1; echo from-a"),
      cli("workspace", "exec", id, "--", "sh", "-c", "sleep 1; echo from-b"),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(a.stdout).toBe("from-a\n");
    expect(b.stdout).toBe("from-b\n");
    expect(await commandCount(id)).toBe(before + 2);
  });

  it("passes stdin only with -i, streamed, and a stdin left open cannot outlast the timeout", async () => {
    const id = main().workspace_id;
    const lines = await runCli(["workspace", "exec", id, "-i", "--", "wc", "-l"], pyro.env(), {
      stdin: "a\nb\n",
    });
    expect(lines.code, lines.stderr).toBe(0);
    expect(lines.stdout.trim()).toBe("2");
    const none = await runCli(["workspace", "exec", id, "--", "wc", "-l"], pyro.env(), { stdin: "a\nb\n" });
    expect(none.stdout.trim()).toBe("0"); // without -i the command reads EOF at once
    const held = await runCli(
      ["workspace", "exec", id, "-i", "--timeout-seconds", "3", "--", "cat"],
      pyro.env(),
      {
        stdin: "open",
      },
    );
    expect(held.code).toBe(1);
    expect(held.stderr).toMatch(/^error\[timeout\]/m);
    // An open stdin kept the exec until the test's own timeout before: any bound well under that
    // shows the 3 s timeout won. 10 s leaves room for Node's start-up and a TCG guest on a host
    // that runs two guest test files at once (a fresh-clone run once took 7.5 s).
    expect(held.durationMs).toBeLessThan(10_000);
  });
});

describe("workspace diff and export", () => {
  const main = sharedSeededWorkspace("diffs");

  it("pushes a change, and diff shows exactly that change", async () => {
    const id = main().workspace_id;
    const change = join(host, "change");
    mkdirSync(change);
    writeFileSync(join(change, "README.txt"), "line one\nline 2\nline three\n");
    chmodSync(join(change, "README.txt"), 0o640); // same mode: the content is the only change
    const push = await cli("workspace", "sync", "push", id, change);
    expect(push.code, push.stderr).toBe(0);
    const diff = JSON.parse((await cli("workspace", "diff", id, "--json")).stdout);
    expect(diff.changed).toBe(true);
    expect(diff.entries).toEqual([
      { path: "README.txt", status: "modified", kind: "text", old_mode: "0640", new_mode: "0640" },
    ]);
    expect(diff.patch).toBe(
      "--- a/README.txt\n+++ b/README.txt\n@@ -1,3 +1,3 @@\n line one\n-line two\n+line 2\n line three\n",
    );
  });

  it("reports binary and mode changes as summary entries", async () => {
    const id = main().workspace_id;
    const changed = await cli(
      "workspace",
      "exec",
      id,
      "--",
      "sh",
      "-c",
      "printf '\\001\\000' >> data.bin; chmod 700 build.sh",
    );
    expect(changed.code, changed.stderr).toBe(0);
    const diff = JSON.parse((await cli("workspace", "diff", id, "--json")).stdout);
    expect(diff.entries).toEqual(
      expect.arrayContaining([
        { path: "data.bin", status: "modified", kind: "binary", old_mode: "0644", new_mode: "0644" },
        { path: "build.sh", status: "mode_changed", kind: "text", old_mode: "0755", new_mode: "0700" },
      ]),
    );
    expect(diff.summary.binary).toBe(1);
  });

  it("exports a file byte-identical and a directory as a tree", async () => {
    const id = main().workspace_id;
    const file = join(host, "out", "nested.txt");
    const r = await cli("workspace", "export", id, "src/deep/nested.txt", "--output", file);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toBe("nested\n");
    const dir = join(host, "out", "src");
    expect((await cli("workspace", "export", id, "/workspace/src", "--output", dir)).code).toBe(0);
    expect(readFileSync(join(dir, "deep", "nested.txt"), "utf8")).toBe("nested\n");
    const again = await cli("workspace", "export", id, "src", "--output", dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/error\[invalid_argument\]: output .* already exists/);
  });

  it("exports a guest symlink as a symlink, never writing through it on the host", async () => {
    const id = main().workspace_id;
    const target = join(host, "must-stay-empty");
    mkdirSync(target);
    const made = await cli(
      "workspace",
      "exec",
      id,
      "--",
      "sh",
      "-c",
      `mkdir -p trap && ln -s ${target} trap/link && echo x > trap/file`,
    );
    expect(made.code, made.stderr).toBe(0);
    const out = join(host, "out", "trap");
    expect((await cli("workspace", "export", id, "trap", "--output", out)).code).toBe(0);
    expect(readdirSync(target)).toEqual([]);
    expect(readFileSync(join(out, "file"), "utf8")).toBe("x\n");
  });

  it("exports absolute, relative, climbing and dangling symlinks with exactly the guest's targets", async () => {
    const id = main().workspace_id;
    const made = await cli(
      "workspace",
      "exec",
      id,
      "--",
      "sh",
      "-c",
      "mkdir -p links/sub && ln -s /root links/abs && ln -s ../../../../root/x links/sub/climb && " +
        "ln -s nowhere links/dangling && ln -s sub links/rel",
    );
    expect(made.code, made.stderr).toBe(0);
    const out = join(host, "out", "links");
    const r = await cli("workspace", "export", id, "links", "--output", out, "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).entries).toBe(6); // the dir, sub/ and four links
    expect(readlinkSync(join(out, "abs"))).toBe("/root");
    expect(readlinkSync(join(out, "sub", "climb"))).toBe("../../../../root/x");
    expect(readlinkSync(join(out, "dangling"))).toBe("nowhere");
    expect(readlinkSync(join(out, "rel"))).toBe("sub");
    const one = join(host, "out", "one-link");
    expect((await cli("workspace", "export", id, "links/abs", "--output", one)).code).toBe(0);
    expect(readlinkSync(one)).toBe("/root");
  });
});

describe("workspace files, patches and delete", () => {
  const main = sharedSeededWorkspace("files");

  it("lists, reads and writes files with the contract caps", async () => {
    const id = main().workspace_id;
    const list = JSON.parse(
      (await cli("workspace", "file", "list", id, "src", "--recursive", "--json")).stdout,
    );
    expect(list.entries.map((e: { path: string }) => e.path)).toEqual(["src/deep", "src/deep/nested.txt"]);
    const write = await cli("workspace", "file", "write", id, "notes/todo.md", "--text", "- [ ] ship\n");
    expect(write.code, write.stderr).toBe(0);
    const read = await cli("workspace", "file", "read", id, "notes/todo.md", "--content-only");
    expect(read.stdout).toBe("- [ ] ship\n");
    const cut = JSON.parse(
      (await cli("workspace", "file", "read", id, "README.txt", "--max-bytes", "4", "--json")).stdout,
    );
    expect(cut).toMatchObject({ content: "line", truncated: true, size: 29 }); // the seed README, unchanged here
    const big = join(host, "big.txt");
    writeFileSync(big, "x".repeat(1024 * 1024 + 1));
    const tooBig = await cli("workspace", "file", "write", id, "big.txt", "--text-file", big);
    expect(tooBig.code).toBe(2);
    expect(tooBig.stderr).toMatch(/error\[invalid_argument\]: text: .*1 MiB/);
    const outside = await cli("workspace", "file", "read", id, "../etc/passwd");
    expect(outside.stderr).toMatch(/^error\[path_outside_workspace\]/);
    const viaLink = await cli("workspace", "exec", id, "--", "ln", "-s", "/etc", "etclink");
    expect(viaLink.code).toBe(0);
    const escaped = await cli("workspace", "file", "write", id, "etclink/evil", "--text", "x");
    expect(escaped.stderr).toMatch(/^error\[path_outside_workspace\]/);
  });

  it("applies a patch all-or-nothing", async () => {
    const id = main().workspace_id;
    const written = await cli("workspace", "file", "write", id, "patched/todo.md", "--text", "- [ ] ship\n");
    expect(written.code, written.stderr).toBe(0);
    const good = "--- a/patched/todo.md\n+++ b/patched/todo.md\n@@ -1 +1 @@\n-- [ ] ship\n+- [x] ship\n";
    const bad = `${good}--- a/README.txt\n+++ b/README.txt\n@@ -1 +1 @@\n-not there\n+nope\n`;
    const refused = await cli("workspace", "patch", "apply", id, "--patch", bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error\[patch_failed\]: .*README\.txt.*nothing was changed/);
    expect((await cli("workspace", "file", "read", id, "patched/todo.md", "--content-only")).stdout).toBe(
      "- [ ] ship\n",
    );
    const ok = await cli("workspace", "patch", "apply", id, "--patch", good, "--json");
    expect(JSON.parse(ok.stdout)).toMatchObject({
      applied: true,
      files: [{ path: "/workspace/patched/todo.md", status: "modified" }],
    });
    expect((await cli("workspace", "file", "read", id, "patched/todo.md", "--content-only")).stdout).toBe(
      "- [x] ship\n",
    );
  });

  it("deletes the workspace: no process, no state dir, no disk image", async () => {
    const id = main().workspace_id;
    const dir = join(pyro.home(), "workspaces", id);
    expect(existsSync(join(dir, "rootfs.ext4"))).toBe(true);
    const r = await cli("workspace", "delete", id, "--json");
    expect(JSON.parse(r.stdout)).toEqual({ workspace_id: id, deleted: true });
    expect(existsSync(dir)).toBe(false);
    expect(processesMentioning(dir)).toEqual([]);
    expect((await cli("workspace", "status", id)).stderr).toMatch(/^error\[workspace_not_found\]/);
  });
});

describe("workspace crash safety", () => {
  it("a CLI killed with -9 mid-create leaves a usable or clearly failed workspace; delete cleans up", async () => {
    const wsRoot = join(pyro.home(), "workspaces");
    const ids = () =>
      (existsSync(wsRoot) ? readdirSync(wsRoot) : []).filter((n) => /^ws_[0-9a-f]{12}$/.test(n));
    const before = new Set(ids());
    const fresh = () => ids().filter((n) => !before.has(n));
    const child = spawn(process.execPath, [cliPath, "workspace", "create", "debian:12", "--name", "killed"], {
      env: pyro.env(),
      stdio: "ignore",
    });
    // Kill once its workspace directory exists (the create is under way).
    for (let i = 0; i < 200 && fresh().length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const [dirName] = fresh();
    const list = JSON.parse((await cli("workspace", "list", "--json")).stdout);
    // Killed before its record was written, it has no name yet: find it by id.
    const w = list.workspaces.find((x: { workspace_id: string }) => x.workspace_id === dirName);
    expect(w, "the interrupted workspace is listed").toBeDefined();
    expect(["started", "failed", "stopped"]).toContain(w.state);
    if (w.state === "failed") expect(w.error.code).toBeTruthy();
    // Killed before its first write there is no record yet; any record that exists is whole.
    const recordPath = join(wsRoot, w.workspace_id, "workspace.json");
    if (existsSync(recordPath))
      expect(JSON.parse(readFileSync(recordPath, "utf8")).workspace_id).toBe(w.workspace_id);
    else expect(w).toMatchObject({ state: "failed", error: { code: "state_corrupt" } });
    expect((await cli("workspace", "delete", w.workspace_id)).code).toBe(0);
    expect(existsSync(join(wsRoot, w.workspace_id))).toBe(false);
    expect(processesMentioning(join(wsRoot, w.workspace_id))).toEqual([]);
  });
});
