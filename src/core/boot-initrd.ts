/**
 * The boot initramfs of every guest: the environment kernel's modules (a newc cpio from the
 * environment cache; empty for the custom kernel) followed by a newc cpio that holds pyro's
 * agent as `/init`. The kernel unpacks concatenated archives in order. The agent runs from
 * RAM, loads the modules, mounts the root disk and switches to it, so every boot runs the
 * host's current agent whatever a guest did to its own disk, and environments never need a
 * rebuild when the agent changes. One file per (modules, agent build), shared read-only.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { PyroError } from "../errors.js";
import { sha256File, writeJsonAtomic } from "./fs-atomic.js";
import { withLock } from "./lock.js";
import { statePaths } from "./paths.js";

/** Resolves the agent binary or explains how to build it. */
export function requireAgentBinary(path: string): string {
  if (!existsSync(path)) {
    throw new PyroError("host_dependency_missing", `guest agent binary "${path}" not found`, {
      hint: "build it with `npm run build:agent` (needs Go)",
    });
  }
  return path;
}

/**
 * sha256 of the agent binary, remembered in `images/agent-sha.json` under its identity (device,
 * inode, size, mtime and ctime in ns: any write changes ctime, which no caller can set back),
 * so a boot does not hash 8 MB each time (about 20 ms); a changed binary is hashed again.
 */
export async function agentSha256(stateDir: string, agentPath: string): Promise<string> {
  const st = await stat(agentPath, { bigint: true });
  const identity = [agentPath, st.dev, st.ino, st.size, st.mtimeNs, st.ctimeNs].join(":");
  const cachePath = join(statePaths.imagesDir(stateDir), "agent-sha.json");
  try {
    const cached = JSON.parse(await readFile(cachePath, "utf8")) as { identity?: string; sha256?: string };
    if (
      cached.identity === identity &&
      typeof cached.sha256 === "string" &&
      /^[0-9a-f]{64}$/.test(cached.sha256)
    )
      return cached.sha256;
  } catch {
    // no cache yet, or a damaged one: hash
  }
  const sha256 = await sha256File(agentPath);
  await mkdir(statePaths.imagesDir(stateDir), { recursive: true, mode: 0o700 });
  await writeJsonAtomic(cachePath, { identity, sha256 }).catch(() => undefined);
  return sha256;
}

/** Writes a newc cpio holding `agentPath` as `init` (root-owned, 0755) to `out`. */
async function writeAgentCpio(agentPath: string, workDir: string, out: string): Promise<void> {
  const stage = join(workDir, "stage");
  await mkdir(stage, { mode: 0o700 });
  await copyFile(agentPath, join(stage, "init"));
  const target = createWriteStream(out, { flags: "a", mode: 0o644 });
  await new Promise<void>((resolve, reject) => target.once("open", () => resolve()).once("error", reject));
  const child = spawn("cpio", ["-o", "-H", "newc", "-R", "0:0", "--quiet"], {
    cwd: stage,
    stdio: ["pipe", target, "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdin?.end("init\n");
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "ENOENT"
          ? new PyroError("host_dependency_missing", '"cpio" is not installed', {
              hint: "run scripts/setup.sh (apt-get install cpio)",
            })
          : err,
      ),
    );
    child.once("close", resolve);
  }).finally(() => target.close());
  if (code !== 0) throw new PyroError("internal", `cpio failed (${code}): ${stderr.trim()}`);
}

/**
 * Returns the path of the boot initramfs for `modulesPath` plus the agent at `agentPath`,
 * building it first when missing (about 20 ms). Concurrent callers share one build.
 * @throws PyroError host_dependency_missing when `cpio` or the agent binary is missing
 */
export async function ensureBootInitrd(
  stateDir: string,
  modulesPath: string,
  modulesSha256: string,
  agentPath: string,
): Promise<string> {
  const agentSha = await agentSha256(stateDir, requireAgentBinary(agentPath));
  const initrd = statePaths.bootInitrd(stateDir, modulesSha256, agentSha);
  if (existsSync(initrd)) return initrd;
  await mkdir(statePaths.imagesDir(stateDir), { recursive: true, mode: 0o700 });
  return withLock(initrd, async () => {
    if (existsSync(initrd)) return initrd;
    const work = await mkdtemp(`${initrd}.work-`);
    const tmp = join(work, "initrd.cpio");
    try {
      // The file is named by the manifest's sha256 and reused for ever: hash what is really
      // copied, so a corrupted modules.cpio (which `run` only size-checks) never gets cached
      // under the good name.
      const hash = createHash("sha256");
      const tee = new Transform({
        transform(chunk, _enc, cb) {
          hash.update(chunk);
          cb(null, chunk);
        },
      });
      await pipeline(createReadStream(modulesPath), tee, createWriteStream(tmp, { mode: 0o644 }));
      const actual = hash.digest("hex");
      if (actual !== modulesSha256) {
        throw new PyroError(
          "environment_build_failed",
          `"${modulesPath}" does not match its manifest (sha256 ${actual}, expected ${modulesSha256})`,
          { hint: "the environment cache is corrupted: run `pyro env pull ENV` to repair it" },
        );
      }
      await writeAgentCpio(agentPath, work, tmp);
      await rename(tmp, initrd);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    return initrd;
  });
}
