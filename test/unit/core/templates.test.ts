/** VM template keys, manifest checks and machine identities, without a guest. */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { machineIdentity } from "../../../src/core/machine.js";
import { cachePaths } from "../../../src/core/paths.js";
import { type TemplateInputs, templateKey } from "../../../src/core/templates/inputs.js";
import { findTemplate, type TemplateManifest } from "../../../src/core/templates/store.js";

const inputs: TemplateInputs = {
  layout_version: 1,
  purpose: "run",
  environment: "debian:12",
  environment_version: "1.0.0",
  kernel_sha256: "k".repeat(64),
  modules_sha256: "m".repeat(64),
  rootfs_sha256: "r".repeat(64),
  device_discovery: "acpi",
  agent_sha256: "a".repeat(64),
  vmm: {
    driver: "qemu",
    binary: "/usr/bin/qemu-system-x86_64",
    version: "7.2.22",
    size_bytes: 1,
    mtime_ms: 2,
  },
  accel: "tcg",
  tsc_khz: 2445404,
  vcpu_count: 1,
  mem_mib: 1,
  network: "none",
  disk_mib: null,
};

let cache = "";
afterEach(() => rmSync(cache, { recursive: true, force: true }));

/** A template build on disk that matches `inputs`; returns its directory. */
function writeBuild(state = Buffer.from("device state")): string {
  cache = mkdtempSync("/tmp/pyro-tpl-unit-");
  const dir = cachePaths.templateDir(cache, inputs.environment, templateKey(inputs));
  const build = join(dir, "build-0001");
  const files = cachePaths.templateBuild(build);
  mkdirSync(build, { recursive: true });
  writeFileSync(files.state, state);
  writeFileSync(files.memory, "");
  truncateSync(files.memory, 1024 * 1024);
  writeFileSync(files.disk("qcow2"), "disk");
  const mem = statSync(files.memory);
  const disk = statSync(files.disk("qcow2"));
  const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");
  const manifest: TemplateManifest = {
    layout_version: 1,
    key: templateKey(inputs),
    build_id: "0001",
    created_at: new Date().toISOString(),
    inputs,
    state: { sha256: sha(state), size_bytes: state.length },
    memory: { size_bytes: mem.size, mtime_ms: Math.trunc(mem.mtimeMs) },
    disk: { format: "qcow2", size_bytes: disk.size, mtime_ms: Math.trunc(disk.mtimeMs), sha256: sha("disk") },
    boot_ms: 1,
    save_ms: 1,
  };
  writeFileSync(files.manifest, JSON.stringify(manifest));
  symlinkSync("build-0001", join(dir, "current"));
  return build;
}

describe("template keys", () => {
  it("are stable for the same inputs and change with any of them", () => {
    expect(templateKey(inputs)).toMatch(/^[0-9a-f]{16}$/);
    expect(templateKey({ ...inputs })).toBe(templateKey(inputs));
    for (const change of [
      { mem_mib: 2 },
      { agent_sha256: "b".repeat(64) },
      { vmm: { ...inputs.vmm, version: "8.0.0" } },
      { purpose: "workspace" as const, disk_mib: 8192 },
    ])
      expect(templateKey({ ...inputs, ...change })).not.toBe(templateKey(inputs));
  });
});

describe("findTemplate", () => {
  it("finds a build that matches its manifest", async () => {
    const build = writeBuild();
    const found = await findTemplate(cache, inputs);
    expect(found.status).toBe("usable");
    if (found.status === "usable") expect(found.template.state).toBe(join(build, "state"));
  });

  it("says missing without a current build", async () => {
    cache = mkdtempSync("/tmp/pyro-tpl-unit-");
    expect((await findTemplate(cache, inputs)).status).toBe("missing");
  });

  it.each([
    ["a changed state file", (b: string) => writeFileSync(join(b, "state"), "device stXte"), "sha256"],
    ["a truncated state file", (b: string) => truncateSync(join(b, "state"), 3), "state file is 3 bytes"],
    ["a missing memory file", (b: string) => rmSync(join(b, "memory")), "memory file"],
    ["a changed disk", (b: string) => writeFileSync(join(b, "disk.qcow2"), "DISK!"), "disk"],
  ])("calls %s broken, with the reason", async (_name, damage, reason) => {
    damage(writeBuild());
    const found = await findTemplate(cache, inputs);
    expect(found.status).toBe("broken");
    if (found.status === "broken") expect(found.reason).toContain(reason);
  });

  it("calls a build of other inputs broken", async () => {
    writeBuild();
    const other = { ...inputs, vcpu_count: 1 };
    const manifestPath = cachePaths.templateBuild(
      join(cachePaths.templateDir(cache, inputs.environment, templateKey(inputs)), "build-0001"),
    ).manifest;
    const { readFileSync } = await import("node:fs");
    const m = JSON.parse(readFileSync(manifestPath, "utf8")) as TemplateManifest;
    m.inputs = { ...m.inputs, tsc_khz: 1 };
    writeFileSync(manifestPath, JSON.stringify(m));
    const found = await findTemplate(cache, other);
    expect(found.status === "broken" && found.reason).toBe("its manifest names other inputs");
  });
});

describe("env prune", () => {
  it("removes every VM template", async () => {
    const build = writeBuild();
    const { pruneEnvironmentCache } = await import("../../../src/core/environments/registry.js");
    const result = await pruneEnvironmentCache(cache);
    expect(result.removed).toContain(join(build, ".."));
    expect((await findTemplate(cache, inputs)).status).toBe("missing");
  });
});

describe("machineIdentity", () => {
  it("names the guest after its id, with a stable machine id of its own", () => {
    const a = machineIdentity("vm_0123456789ab");
    expect(a.hostname).toBe("vm-0123456789ab");
    expect(a.machineId).toMatch(/^[0-9a-f]{32}$/);
    expect(machineIdentity("vm_0123456789ab")).toEqual(a);
    expect(machineIdentity("ws_0123456789ab").machineId).not.toBe(a.machineId);
  });
});
