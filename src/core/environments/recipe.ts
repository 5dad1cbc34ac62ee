/**
 * `env build` recipes: extra Debian packages, files to put into the image and one setup
 * command run once in the image at build time. A recipe file is JSON or YAML:
 *
 * ```yaml
 * packages: [nodejs, npm]
 * files:
 *   - { path: /etc/motd, content: "hello\n" }
 *   - { path: /usr/local/bin/check, source: ./check.sh, mode: "0755" }   # source: relative to the recipe
 * setup: npm install -g typescript
 * ```
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { dirname, posix, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { PyroError } from "../../errors.js";
import { runProgram } from "../process-run.js";

/** Debian package names (policy 5.6.1), optionally pinned: `name=version`. */
const PACKAGE = /^[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+~:-]+)?$/;

const FileSchema = z
  .object({
    path: z.string().min(2),
    content: z.string().optional(),
    source: z.string().optional(),
    mode: z.union([z.string().regex(/^0?[0-7]{3,4}$/), z.number().int().min(0).max(0o7777)]).optional(),
  })
  .strict()
  .refine((f) => (f.content === undefined) !== (f.source === undefined), {
    message: "give exactly one of content or source",
  });

export const RecipeSchema = z
  .object({
    packages: z.array(z.string()).default([]),
    files: z.array(FileSchema).default([]),
    setup: z.string().min(1).optional(),
  })
  .strict();

/** A recipe with every file's bytes read and every path checked. */
export interface Recipe {
  packages: string[];
  files: { path: string; data: Buffer; mode: number }[];
  setup: string | undefined;
}

const bad = (message: string, details: Record<string, unknown> = {}) =>
  new PyroError("invalid_argument", message, { details });

/** Absolute, normalized, no `..`, not `/` itself: where a recipe file goes in the image. */
function imagePath(path: string): string {
  const norm = posix.normalize(path);
  if (
    !path.startsWith("/") ||
    norm !== path.replace(/\/+$/, "") ||
    path.split("/").includes("..") ||
    norm === "/"
  )
    throw bad(`recipe file path "${path}" must be an absolute, normalized path inside the image`, { path });
  return norm;
}

/**
 * Reads and checks a recipe file (`.json`, or YAML for anything else) and merges `packages`.
 * @throws PyroError invalid_argument (unreadable, malformed, bad package name or path)
 */
export async function loadRecipe(file: string | undefined, packages: string[]): Promise<Recipe> {
  let raw: unknown = {};
  if (file) {
    const text = await readFile(file, "utf8").catch((err: Error) => {
      throw bad(`cannot read recipe "${file}": ${err.message}`, { recipe: file });
    });
    try {
      raw = file.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
    } catch (err) {
      throw bad(
        `recipe "${file}" is not valid ${file.endsWith(".json") ? "JSON" : "YAML"}: ${(err as Error).message}`,
      );
    }
  }
  const parsed = RecipeSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw bad(`recipe: ${issue?.path.join(".") || "(top)"}: ${issue?.message}`, { recipe: file });
  }
  const all = [...new Set([...parsed.data.packages, ...packages])];
  for (const p of all) if (!PACKAGE.test(p)) throw bad(`"${p}" is not a Debian package name`, { package: p });
  const base = file ? dirname(resolve(file)) : process.cwd();
  const files: Recipe["files"] = [];
  for (const f of parsed.data.files) {
    const path = imagePath(f.path);
    const data =
      f.content !== undefined
        ? Buffer.from(f.content)
        : await readFile(resolve(base, f.source as string)).catch((err: Error) => {
            throw bad(`recipe file source "${f.source}": ${err.message}`, { source: f.source });
          });
    const mode = typeof f.mode === "string" ? Number.parseInt(f.mode, 8) : (f.mode ?? 0o644);
    files.push({ path, data, mode });
  }
  return { packages: all, files, setup: parsed.data.setup };
}

/** sha256 of what the recipe puts into an image, recorded in the manifest. */
export function recipeSha256(base: string, recipe: Recipe): string {
  const h = createHash("sha256").update(JSON.stringify({ base, packages: [...recipe.packages].sort() }));
  for (const f of recipe.files) h.update(`${f.path}\0${f.mode}\0`).update(f.data);
  return h.update(`\0${recipe.setup ?? ""}`).digest("hex");
}

/**
 * Refuses packages the host's apt lists do not know (the mirror the build uses is the host's),
 * in one `apt-cache show` call, before anything is downloaded or written.
 * @throws PyroError invalid_argument naming each unknown package
 */
export async function checkPackagesExist(packages: string[]): Promise<void> {
  if (packages.length === 0) return;
  const names = packages.map((p) => p.replace(/=.*/, ""));
  // apt-cache says nothing about an unknown name beside known ones (and exits 0): the known
  // ones are those it prints a stanza for.
  const shown = await runProgram(["apt-cache", "show", "--no-all-versions", "--", ...names]).then(
    (r) => r.stdout,
    (err: PyroError) => {
      if (err.code === "host_dependency_missing") throw err;
      return "";
    },
  );
  const known = new Set([...shown.matchAll(/^Package: (\S+)$/gm)].map((m) => m[1]));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length === 0) return;
  throw new PyroError(
    "invalid_argument",
    `unknown Debian package${unknown.length === 1 ? "" : "s"}: ${unknown.join(", ")}`,
    {
      details: { packages: unknown },
      hint: "check the name with `apt-cache policy NAME` (run `apt-get update` if the host's package lists are old)",
    },
  );
}
