import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensureBootInitrd } from "../../../src/core/boot-initrd.js";

describe("boot initramfs", () => {
  const dir = mkdtempSync("/tmp/pyro-initrd-");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is the kernel's modules archive followed by an archive holding the agent as /init", async () => {
    const modules = join(dir, "modules.cpio");
    writeFileSync(modules, Buffer.alloc(512, 7)); // stands in for the modules archive
    const agent = join(dir, "agent");
    writeFileSync(agent, "#!/bin/false\nagent build 1\n");
    chmodSync(agent, 0o700);
    const state = join(dir, "state");
    const sha = createHash("sha256").update(Buffer.alloc(512, 7)).digest("hex");
    const initrd = await ensureBootInitrd(state, modules, sha, agent);
    expect(initrd).toMatch(new RegExp(`images/initrd-${sha.slice(0, 12)}-[0-9a-f]{12}\\.cpio$`));
    const bytes = readFileSync(initrd);
    expect(bytes.subarray(0, 512)).toEqual(Buffer.alloc(512, 7));
    const listing = execFileSync("cpio", ["-itv", "--quiet"], { input: bytes.subarray(512) }).toString();
    expect(listing).toMatch(/^-rwx------ +1 root +root .* init$/m);
    const content = execFileSync("cpio", ["-i", "--to-stdout", "--quiet", "init"], {
      input: bytes.subarray(512),
    });
    expect(content.toString()).toBe("#!/bin/false\nagent build 1\n");
    // The agent's hash is remembered under its identity (no 8 MB hash per boot)...
    const agentSha = createHash("sha256").update("#!/bin/false\nagent build 1\n").digest("hex");
    expect(JSON.parse(readFileSync(join(state, "images", "agent-sha.json"), "utf8")).sha256).toBe(agentSha);
    // ...and a rewrite of the same size in place (same inode) is hashed again.
    // Same inputs, same file; a new agent build gets a new one.
    expect(await ensureBootInitrd(state, modules, sha, agent)).toBe(initrd);
    writeFileSync(agent, "#!/bin/false\nagent build 2\n");
    expect(await ensureBootInitrd(state, modules, sha, agent)).not.toBe(initrd);
  });

  it("refuses a modules archive that does not match its manifest, and caches nothing", async () => {
    const modules = join(dir, "bad-modules.cpio");
    writeFileSync(modules, Buffer.alloc(512, 8)); // same size, other bytes than the manifest says
    const agent = join(dir, "agent");
    const state = join(dir, "state-bad");
    const sha = createHash("sha256").update(Buffer.alloc(512, 7)).digest("hex");
    await expect(ensureBootInitrd(state, modules, sha, agent)).rejects.toMatchObject({
      code: "environment_build_failed",
    });
    expect(readdirSync(join(state, "images")).filter((n) => n.endsWith(".cpio"))).toEqual([]);
  });
});
