/**
 * Offline inspection of a stopped workspace's raw ext4 image with e2fsprogs' `debugfs`
 * (read-only: never mounts, never boots). Paths are confined to /workspace: every component
 * is checked and a symlink on the way is refused, because debugfs itself would follow it.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { PyroError } from "../../errors.js";
import { runProgram } from "../process-run.js";
import { guestPath, WORKSPACE_ROOT } from "./guest-files.js";

/** Guest paths only on disk while a VM runs; none may be read back or exported. */
export const RUNTIME_ONLY_PATHS = ["/run/pyro-secrets", "/run/pyro", "/run/pyro-agent"];

export interface DiskEntry {
  path: string;
  type: "file" | "dir" | "symlink" | "other";
  size: number;
  mode: string;
  mtime: string;
}

interface InodeInfo {
  type: DiskEntry["type"];
  mode: string;
  size: number;
  mtime: string;
}

function quote(path: string): string {
  if (/["\n\r\\]/.test(path))
    throw new PyroError("invalid_argument", `path "${path}" has characters debugfs cannot quote`);
  return `"${path}"`;
}

/**
 * Runs debugfs read-only. With a command file debugfs echoes each command as a
 * `debugfs: <command>` line before its output; that is how outputs are told apart (a missing
 * path prints nothing on stdout). Exit status 1 only means some command failed.
 */
async function debugfsRun(image: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      "debugfs",
      [...args, image],
      { encoding: "buffer", maxBuffer: 64 * 1024 * 1024 },
      (err, stdout) => {
        const code = (err as NodeJS.ErrnoException | null)?.code;
        if (err && (code === "ENOENT" || (err as { signal?: unknown }).signal)) {
          reject(
            new PyroError("host_dependency_missing", `debugfs failed on "${image}": ${err.message}`, {
              cause: err,
            }),
          );
        } else resolve(stdout);
      },
    );
  });
}

/** Outputs of `commands`, one string per command, in order. */
async function debugfs(image: string, commands: string[], workDir: string): Promise<string[]> {
  await mkdir(workDir, { recursive: true, mode: 0o700 });
  const cmdFile = join(workDir, `debugfs-${process.pid}-${Date.now()}.cmd`);
  await writeFile(cmdFile, `${commands.join("\n")}\n`, { mode: 0o600 });
  try {
    const out = (await debugfsRun(image, ["-f", cmdFile])).toString("utf8");
    return out.split(/^debugfs: .*$/m).slice(1);
  } finally {
    await rm(cmdFile, { force: true });
  }
}

const TYPES: Record<string, DiskEntry["type"]> = { regular: "file", directory: "dir", symlink: "symlink" };

/** `stat` output of several inodes, in order; undefined where the path does not exist. */
async function statMany(image: string, paths: string[], workDir: string): Promise<(InodeInfo | undefined)[]> {
  const chunks = await debugfs(
    image,
    paths.map((p) => `stat ${quote(p)}`),
    workDir,
  );
  return paths.map((_, i) => {
    const chunk = chunks[i] ?? "";
    const head = /Type:\s+(\S+)\s+Mode:\s+(\d+)/.exec(chunk);
    if (!head) return undefined;
    const size = /Size:\s+(\d+)/.exec(chunk);
    const mtime = /mtime:\s+0x([0-9a-f]+)/.exec(chunk);
    return {
      type: TYPES[head[1] ?? ""] ?? "other",
      mode: (head[2] ?? "0").padStart(4, "0"),
      size: Number(size?.[1] ?? 0),
      mtime: new Date(Number.parseInt(mtime?.[1] ?? "0", 16) * 1000).toISOString(),
    };
  });
}

/**
 * Resolves a user path to an absolute guest path after checking each component exists and
 * none before the last is a symlink. @throws PyroError path_outside_workspace, file_not_found
 */
async function confined(
  image: string,
  input: string,
  workDir: string,
): Promise<{ abs: string; info: InodeInfo }> {
  const rel = guestPath(input);
  const parts = rel === "." ? [] : rel.split("/");
  const chain = [
    WORKSPACE_ROOT,
    ...parts.map((_, i) => `${WORKSPACE_ROOT}/${parts.slice(0, i + 1).join("/")}`),
  ];
  const infos = await statMany(image, chain, workDir);
  for (let i = 0; i < chain.length; i++) {
    const info = infos[i];
    if (!info) throw new PyroError("file_not_found", `"${chain[i]}" does not exist on the workspace disk`);
    if (info.type === "symlink" && i < chain.length - 1) {
      throw new PyroError(
        "path_outside_workspace",
        `"${chain[i]}" is a symlink; disk tools do not follow links`,
      );
    }
  }
  return { abs: chain.at(-1) as string, info: infos.at(-1) as InodeInfo };
}

/** Entries of a directory (`ls -p`: /inode/mode/uid/gid/name/size/). */
async function readDir(image: string, abs: string, workDir: string): Promise<string[]> {
  const [out = ""] = await debugfs(image, [`ls -p ${quote(abs)}`], workDir);
  return out
    .split("\n")
    .map((line) => line.split("/")[5])
    .filter((name): name is string => name !== undefined && name !== "" && name !== "." && name !== "..");
}

/** Lists a directory (or one file) under /workspace on the disk image. */
export async function listDisk(
  image: string,
  input: string,
  recursive: boolean,
  workDir: string,
): Promise<DiskEntry[]> {
  const root = await confined(image, input, workDir);
  const shown = (abs: string) => abs.slice(WORKSPACE_ROOT.length + 1);
  if (root.info.type !== "dir") return [{ path: shown(root.abs), ...root.info }];
  const out: DiskEntry[] = [];
  let dirs = [root.abs];
  while (dirs.length > 0) {
    const next: string[] = [];
    for (const dir of dirs) {
      const names = (await readDir(image, dir, workDir)).sort();
      const paths = names.map((n) => `${dir}/${n}`);
      const infos = await statMany(image, paths, workDir);
      paths.forEach((p, i) => {
        const info = infos[i];
        if (!info) return;
        out.push({ path: shown(p), ...info });
        if (recursive && info.type === "dir") next.push(p);
      });
    }
    dirs = next;
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** Reads a regular file's first `maxBytes` bytes. @throws PyroError invalid_argument for non-files */
export async function readDisk(image: string, input: string, maxBytes: number, workDir: string) {
  const { abs, info } = await confined(image, input, workDir);
  if (info.type !== "file") {
    throw new PyroError(
      "invalid_argument",
      `"${abs}" is a ${info.type === "dir" ? "directory" : info.type}; disk read takes regular files only`,
    );
  }
  const content = await debugfsRun(image, ["-R", `cat ${quote(abs)}`]);
  return {
    path: abs,
    size: info.size,
    content: content.subarray(0, maxBytes),
    truncated: info.size > maxBytes,
  };
}

/** Copies the raw image sparsely to a new host path. @returns bytes written (apparent size) */
export async function exportDisk(
  image: string,
  output: string,
): Promise<{ outputPath: string; bytesWritten: number }> {
  const target = resolve(output);
  if (existsSync(target)) {
    throw new PyroError(
      "invalid_argument",
      `output "${target}" already exists; pyro never overwrites host files`,
    );
  }
  await mkdir(dirname(target), { recursive: true });
  const tmp = `${target}.pyro-tmp-${process.pid}`;
  try {
    await runProgram(["cp", "--sparse=always", image, tmp]);
    await runProgram(["mv", "-T", "-n", tmp, target]);
  } finally {
    await rm(tmp, { force: true });
  }
  const { stdout } = await runProgram(["stat", "-c", "%s", target]);
  return { outputPath: target, bytesWritten: Number(stdout.trim()) };
}

/**
 * Removes runtime-only guest state from a stopped image. These paths live on tmpfs in the
 * guest, so normally nothing is there; files found under them on disk are deleted anyway.
 */
export async function scrubRuntimeState(image: string, workDir: string): Promise<string[]> {
  const removed: string[] = [];
  const infos = await statMany(image, RUNTIME_ONLY_PATHS, workDir);
  const wipe: string[] = [];
  for (let i = 0; i < RUNTIME_ONLY_PATHS.length; i++) {
    const path = RUNTIME_ONLY_PATHS[i] as string;
    if (infos[i]?.type !== "dir") continue;
    for (const name of await readDir(image, path, workDir)) {
      wipe.push(`rm ${quote(`${path}/${name}`)}`);
      removed.push(`${path}/${name}`);
    }
  }
  if (wipe.length > 0)
    await runProgram(["debugfs", "-w", "-R", wipe.join("; "), image]).catch(() => undefined);
  return removed;
}
