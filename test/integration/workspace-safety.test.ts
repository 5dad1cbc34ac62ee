/**
 * A corpus of malicious seed archives (issue 3, item 4): every one is refused with
 * path_outside_workspace, no VM is booted for a refused create, a refused sync push leaves
 * /workspace unchanged, and nothing on the host changes.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type RawEntry, writeTar } from "./archive-builder.js";
import { requireGuest, runCli } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const pyro = workspaceTest();
const cli = (...args: string[]) => runCli(args, pyro.env());
// Created at load time: the corpus below names the sentinel in its entries.
const host = mkdtempSync("/tmp/pyro-safety-");
const sentinel = join(host, "sentinel");
mkdirSync(sentinel);

const corpus = (): [string, RawEntry[]][] => [
  ["parent traversal", [{ path: "../evil.txt", body: "x" }]],
  ["absolute path", [{ path: `${sentinel}/abs.txt`, body: "x" }]],
  ["traversal inside a path", [{ path: "a/../../evil.txt", body: "x" }]],
  [
    "file through a symlink to /etc",
    [
      { path: "link", type: "SymbolicLink", linkpath: "/etc" },
      { path: "link/pyro-never-written", body: "x" },
    ],
  ],
  ["symlink climbing out", [{ path: "up", type: "SymbolicLink", linkpath: "../.." }]],
  ["symlink to a host path", [{ path: "s", type: "SymbolicLink", linkpath: sentinel }]],
  ["hardlink to /etc/passwd", [{ path: "pw", type: "Link", linkpath: "/etc/passwd" }]],
  ["hardlink to a file not in the archive", [{ path: "h", type: "Link", linkpath: "elsewhere.txt" }]],
  ["character device", [{ path: "null", type: "CharacterDevice" }]],
  ["block device", [{ path: "disk", type: "BlockDevice" }]],
  ["fifo", [{ path: "pipe", type: "FIFO" }]],
];

/** Every path under `dir` with its size and mtime, to prove the host did not change. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      out.push(`${p} ${st.size} ${st.mtimeMs}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** The workspace every archive is pushed into. */
const workspace = pyro.shared("workspace", async () => {
  const r = await cli("workspace", "create", "debian:12", "--mem-mib", "512", "--id-only");
  if (r.code !== 0) throw new Error(`workspace create exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout.trim();
});
afterAll(() => rmSync(host, { recursive: true, force: true }));

describe("malicious archives", () => {
  it.each(corpus().map(([name, entries], i) => [name, entries, i] as const))(
    "%s: create and sync push are refused, nothing written",
    async (_name, entries, i) => {
      const id = workspace();
      const archive = writeTar(join(host, `evil-${i}.tar`), entries);
      const before = snapshot(host);
      const create = await cli("workspace", "create", "debian:12", "--seed-path", archive);
      expect(create.stderr).toMatch(/^error\[path_outside_workspace\]: archive entry .* nothing was written/);
      expect(create.code).toBe(1);
      const push = await cli("workspace", "sync", "push", id, archive);
      expect(push.stderr).toMatch(/^error\[path_outside_workspace\]/);
      expect(snapshot(host)).toEqual(before);
      const list = JSON.parse((await cli("workspace", "list", "--json")).stdout);
      expect(list.count, "a refused create leaves no workspace").toBe(1);
    },
  );

  it("left /workspace exactly as created", async () => {
    const id = workspace();
    const diff = JSON.parse((await cli("workspace", "diff", id, "--json")).stdout);
    expect(diff).toMatchObject({ changed: false, entries: [] });
  });

  it("refuses destinations outside /workspace", async () => {
    const id = workspace();
    const dir = join(host, "plain");
    mkdirSync(dir);
    for (const dest of ["/etc", "../outside", "/workspace/../tmp"]) {
      const r = await cli("workspace", "sync", "push", id, dir, "--dest", dest);
      expect(r.stderr, dest).toMatch(/^error\[path_outside_workspace\]: "[^"]+" is outside \/workspace/);
    }
  });
});
