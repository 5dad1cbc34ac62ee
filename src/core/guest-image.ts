/**
 * Puts the guest agent into a rootfs image without mounting it (e2fsprogs `debugfs -w`), so
 * environments never need a rebuild when the agent changes. One-shot VMs boot a shared,
 * read-only "agent image" per (environment rootfs, agent build) with a throw-away overlay.
 */
import { existsSync } from "node:fs";
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PyroError } from "../errors.js";
import { sha256File } from "./fs-atomic.js";
import { withLock } from "./lock.js";
import { environmentSlug, statePaths } from "./paths.js";
import { runProgram } from "./process-run.js";

/** Where the agent lives in every guest; the kernel command line's `init=`. */
export const GUEST_AGENT_PATH = "/usr/sbin/pyro-agent";

/**
 * Copies the host file `agentPath` into `image` as root-owned 0755 `guestPath` (default
 * {@link GUEST_AGENT_PATH}). The image must not be in use by a VM.
 */
export async function injectAgent(
  image: string,
  agentPath: string,
  workDir: string,
  guestPath = GUEST_AGENT_PATH,
): Promise<void> {
  const size = (await stat(agentPath)).size;
  const script = join(workDir, `debugfs-${process.pid}.cmd`);
  await writeFile(
    script,
    [
      `rm ${guestPath}`,
      `write ${agentPath} ${guestPath}`,
      `set_inode_field ${guestPath} mode 0100755`,
      `set_inode_field ${guestPath} uid 0`,
      `set_inode_field ${guestPath} gid 0`,
      "",
    ].join("\n"),
  );
  try {
    await runProgram(["debugfs", "-w", "-f", script, image], { errorCode: "internal" });
  } finally {
    await rm(script, { force: true });
  }
  // debugfs exits 0 even when a command fails: check the result instead.
  const { stdout } = await runProgram(["debugfs", "-R", `stat ${guestPath}`, image]);
  if (!new RegExp(`Size: ${size}\\b`).test(stdout)) {
    throw new PyroError("internal", `injecting the guest agent into "${image}" failed`);
  }
}

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
 * Returns the path of a read-only rootfs with the current agent injected, creating it once
 * (a sparse copy, about 0.2 s) and sharing it between concurrent one-shot VMs.
 */
export async function ensureAgentImage(
  stateDir: string,
  environment: string,
  rootfsPath: string,
  rootfsSha256: string,
  agentPath: string,
): Promise<string> {
  const agentSha = await sha256File(agentPath);
  const dir = statePaths.imagesDir(stateDir);
  const image = join(
    dir,
    `${environmentSlug(environment)}-${rootfsSha256.slice(0, 12)}-${agentSha.slice(0, 12)}.ext4`,
  );
  if (existsSync(image)) return image;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return withLock(image, async () => {
    if (existsSync(image)) return image;
    const tmp = `${image}.tmp-${process.pid}`;
    try {
      await runProgram(["cp", "--sparse=always", "--reflink=auto", rootfsPath, tmp]);
      await injectAgent(tmp, agentPath, dir);
      await rename(tmp, image);
    } finally {
      await rm(tmp, { force: true });
    }
    return image;
  });
}
