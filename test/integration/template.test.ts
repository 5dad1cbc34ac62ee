/**
 * VM templates (issue 13): `pyro run` restores from a saved template instead of booting, every
 * clone is its own (randomness, machine id, host name, clock), `--cold` boots, and a damaged
 * template never fails a run: it boots cold, says so, and the template is rebuilt.
 * Runs use their own memory size, so their template is theirs alone (it is part of the key).
 */
import { existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { cachePaths } from "../../src/core/paths.js";
import type { TemplateManifest } from "../../src/core/templates/store.js";
import { requireGuest, runCli, vmDirs } from "./fixtures.js";
import { workspaceTest } from "./workspace-test.js";

requireGuest();
const pyro = workspaceTest();
const MEM = "656"; // no other test or user runs guests of this size

/** `pyro run --mem-mib MEM debian:12 -- sh -c SCRIPT`, with the time the execute phase began. */
async function run(script: string, ...flags: string[]) {
  let executeAt = 0;
  const r = await runCli(
    ["run", "--mem-mib", MEM, ...flags, "debian:12", "--", "sh", "-c", script],
    pyro.env(),
    {
      onStderr: (text) => {
        if (!executeAt && text.includes("phase=execute")) executeAt = Date.now();
      },
    },
  );
  expect(r.code, r.stderr).toBe(0);
  expect(vmDirs(pyro.home())).toEqual([]);
  return { ...r, executeAt };
}

/**
 * The build directory (the one `current` names) of the `purpose` template of `mem` MiB, this
 * file's own size; `key` (from a run's `template=KEY`) picks this build's when the shared
 * cache also holds templates of other agent builds.
 */
function templateBuild(
  key?: string,
  purpose: "run" | "workspace" = "run",
  mem = MEM,
): { dir: string; manifest: TemplateManifest } {
  const root = join(cachePaths.templatesDir(resolveConfig().cacheDir), "debian-12");
  for (const found of existsSync(root) ? readdirSync(root) : []) {
    if (key !== undefined && found !== key) continue;
    const dir = join(root, found, "current");
    if (!existsSync(join(dir, "manifest.json"))) continue;
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as TemplateManifest;
    if (manifest.inputs.mem_mib === Number(mem) && manifest.inputs.purpose === purpose)
      return { dir, manifest };
  }
  throw new Error(`no ${purpose} template of ${mem} MiB`);
}

/** Each file of a template build and its mode: docs/templates.md says 0600 for all. */
function buildModes(dir: string): Record<string, number> {
  return Object.fromEntries(readdirSync(dir).map((f) => [f, statSync(join(dir, f)).mode & 0o777]));
}

const IDENTITY = "hostname; cat /etc/machine-id; head -c16 /dev/urandom | od -An -tx1 | tr -d ' \\n'; echo";

describe("VM templates for pyro run", () => {
  it("restores from a template (built on first need) and says so", async () => {
    const first = await run("true");
    expect(first.stderr).toMatch(
      /\[run\] phase=execute vm_id=vm_\w+ acceleration=\w+ boot=restored template=[0-9a-f]{16}/,
    );
    const second = await run("true");
    expect(second.stderr).not.toContain("phase=template");
    expect(second.stderr).toMatch(/phase=execute .* boot=restored template=/);
    // This build's template: the shared cache may hold older ones of this size.
    const { dir, manifest } = templateBuild(/template=([0-9a-f]{16})/.exec(first.stderr)?.[1]);
    expect(manifest.state.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.disk.format).toBe("qcow2");
    expect(buildModes(dir)).toEqual({
      "manifest.json": 0o600,
      state: 0o600,
      memory: 0o600,
      "disk.qcow2": 0o600,
    });
  });

  it("gives every clone its own random stream, machine id and host name, and the host's clock", async () => {
    const a = await run(`date +%s%3N; ${IDENTITY}`);
    expect(a.stderr).toContain("boot=restored");
    // --json says so too (no phase lines then).
    const b = JSON.parse((await run(`date +%s%3N; ${IDENTITY}`, "--json")).stdout);
    expect(b.boot).toBe("restored");
    const [clockA, hostA, idA, randA] = a.stdout.trim().split("\n");
    const [, hostB, idB, randB] = b.stdout.trim().split("\n");
    expect(hostA).toMatch(/^vm-[0-9a-f]{12}$/);
    expect(hostA).not.toBe(hostB);
    expect(idA).toMatch(/^[0-9a-f]{32}$/);
    expect(idA).not.toBe(idB);
    expect(randA).toMatch(/^[0-9a-f]{32}$/);
    expect(randA).not.toBe(randB);
    // `date` runs right after the execute phase line: the guest clock is the host's within 2 s.
    expect(Math.abs(Number(clockA) - a.executeAt)).toBeLessThan(2000);
  });

  it("boots cold with --cold", async () => {
    const r = await run("true", "--cold");
    expect(r.stderr).toMatch(/phase=execute .* boot=cold reason=a cold boot was asked for/);
  });

  it.each([
    [
      "corrupted",
      (state: string) => {
        const bytes = readFileSync(state);
        bytes.fill(0x5a, Math.floor(bytes.length / 2), Math.floor(bytes.length / 2) + 64);
        writeFileSync(state, bytes);
      },
      "state file does not match its sha256",
    ],
    ["truncated", (state: string) => truncateSync(state, 1000), "state file is 1000 bytes"],
  ])(
    "a %s state file: the run boots cold, says why, and the template is rebuilt",
    async (_name, damage, why) => {
      const used = /template=([0-9a-f]{16})/.exec((await run("true")).stderr)?.[1]; // the template exists
      damage(join(templateBuild(used).dir, "state"));
      const r = await run("echo ok");
      expect(r.stdout).toBe("ok\n");
      expect(r.stderr).toContain(`phase=template action=unusable template=`);
      expect(r.stderr).toContain(why);
      expect(r.stderr).toMatch(/phase=execute .* boot=cold reason=template [0-9a-f]{16} unusable/);
      expect(r.stderr).toMatch(/phase=template action=rebuild[\s\S]*phase=template action=built/);
      const next = await run("true");
      expect(next.stderr).toContain("boot=restored");
    },
  );

  it("a state file that passes its hash but does not load: cold boot within the bound, then a rebuild", async () => {
    const used = /template=([0-9a-f]{16})/.exec((await run("true")).stderr)?.[1];
    const { dir, manifest } = templateBuild(used);
    // A bad save the hash cannot catch: garbage recorded as the state.
    const garbage = Buffer.alloc(manifest.state.size_bytes, 0x42);
    writeFileSync(join(dir, "state"), garbage);
    const { createHash } = await import("node:crypto");
    manifest.state.sha256 = createHash("sha256").update(garbage).digest("hex");
    writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
    const r = await run("echo ok");
    expect(r.stdout).toBe("ok\n");
    expect(r.stderr).toMatch(
      /phase=template action=unusable template=[0-9a-f]{16} reason=restore from template/,
    );
    expect(r.stderr).toMatch(/phase=execute .* boot=cold reason=restore from template/);
    expect(r.stderr).toContain("phase=template action=built");
    expect((await run("true")).stderr).toContain("boot=restored");
  });
});

describe("VM templates for workspace create", () => {
  const WS_MEM = "688"; // this file's own workspace template

  async function create(seed: string, ...flags: string[]) {
    const r = await runCli(
      ["workspace", "create", "debian:12", "--mem-mib", WS_MEM, "--seed-path", seed, "--id-only", ...flags],
      pyro.env(),
    );
    expect(r.code, r.stderr).toBe(0);
    return { id: r.stdout.trim(), stderr: r.stderr };
  }

  async function exec(id: string, script: string) {
    const r = await runCli(["workspace", "exec", id, "--", "sh", "-c", script], pyro.env());
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  }

  it("restores each workspace onto its own disk, with its seed, files and identity its own", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const seed = mkdtempSync("/tmp/pyro-seed-");
    writeFileSync(join(seed, "seeded.txt"), "from the seed\n");
    const ids: string[] = [];
    try {
      const a = await create(seed);
      ids.push(a.id);
      const b = await create(seed);
      ids.push(b.id);
      for (const w of [a, b])
        expect(w.stderr).toMatch(/\[workspace-create\] phase=start boot=restored template=[0-9a-f]{16}/);
      const key = /template=([0-9a-f]{16})/.exec(a.stderr)?.[1];
      expect(buildModes(templateBuild(key, "workspace", WS_MEM).dir)).toEqual({
        "manifest.json": 0o600,
        state: 0o600,
        memory: 0o600,
        "disk.ext4": 0o600,
      });
      expect(await exec(a.id, "cat seeded.txt; df -m / | tail -1 | awk '{print $2}'")).toMatch(
        /^from the seed\n79\d\d\n$/,
      );
      await exec(a.id, "echo mine > only-in-a.txt");
      expect(await exec(b.id, "cat seeded.txt; ls")).toBe("from the seed\nseeded.txt\n");
      const idA = await exec(a.id, IDENTITY);
      const idB = await exec(b.id, IDENTITY);
      expect(idA.split("\n")[0]).toBe(a.id.replace("_", "-"));
      for (let i = 0; i < 3; i++) expect(idA.split("\n")[i]).not.toBe(idB.split("\n")[i]);
      const cold = await create(seed, "--cold");
      ids.push(cold.id);
      expect(cold.stderr).toContain("phase=start boot=cold reason=a cold boot was asked for");
      expect(await exec(cold.id, "cat seeded.txt")).toBe("from the seed\n");
    } finally {
      for (const id of ids) await runCli(["workspace", "delete", id], pyro.env());
      rmSync(seed, { recursive: true, force: true });
    }
  });
});
