/**
 * What is wrong with a client's `pyro` entry, as stable problem codes, and the entry that
 * would fix it. An entry starts pyro either as `node /path/dist/cli/main.js mcp serve ...` or
 * as a `pyro` binary (a link to that script) followed by `mcp serve ...`.
 */
import { accessSync, constants, existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import type { HostContext, ServerEntry } from "./clients.js";

/** Problems `pyro host doctor` reports (stable codes; docs/integrations.md). */
export const HOST_PROBLEM_CODES = [
  "config_invalid",
  "entry_missing",
  "entry_not_stdio",
  "binary_missing",
  "binary_not_pyro",
  "not_mcp_serve",
  "profile_invalid",
  "entry_disabled",
] as const;
export type HostProblemCode = (typeof HOST_PROBLEM_CODES)[number];

export interface HostProblem {
  code: HostProblemCode;
  message: string;
  hint: string;
}

/** How this pyro is started: `node` and the CLI script, or the `pyro` binary alone. */
export interface PyroLauncher {
  command: string;
  args: string[];
}

/** The default profile of `pyro mcp serve`. */
const DEFAULT_PROFILE = "workspace-core";

const isNode = (command: string) => /^node(js)?(\d+(\.\d+)*)?$/.test(basename(command));

/** The file the client executes (a `pyro` script) and the arguments pyro itself gets. */
function splitLaunch(entry: ServerEntry): { script: string | undefined; rest: string[] } {
  return isNode(entry.command)
    ? { script: entry.args[0], rest: entry.args.slice(1) }
    : { script: entry.command, rest: entry.args };
}

/** The `--profile` value in `args` (`--profile P` or `--profile=P`), and the args without it. */
function takeProfile(args: readonly string[]): { profile: string | undefined; others: string[] } {
  const others: string[] = [];
  let profile: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--profile") profile = args[++i] ?? "";
    else if (a.startsWith("--profile=")) profile = a.slice("--profile=".length);
    else others.push(a);
  }
  return { profile, others };
}

/** `command` as the client would find it: an absolute path, or the first match on PATH. */
function locate(command: string, ctx: HostContext): string | undefined {
  const executable = (p: string) => {
    try {
      accessSync(p, constants.X_OK);
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (command.includes("/")) {
    const p = isAbsolute(command) ? command : resolve(ctx.cwd, command);
    return executable(p) ? p : undefined;
  }
  for (const dir of (ctx.path ?? "").split(delimiter).filter(Boolean)) {
    if (executable(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

/** True when `file` (links resolved) lies in a package named `pyro-mcp`. */
export function isPyroScript(file: string): boolean {
  let dir: string;
  try {
    dir = dirname(realpathSync(file));
  } catch {
    return false;
  }
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        return (JSON.parse(readFileSync(pkg, "utf8")) as { name?: unknown }).name === "pyro-mcp";
      } catch {
        return false;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return false;
}

/**
 * Problems of an entry (`entry` undefined: `raw` was absent, or not a stdio entry). An entry
 * with none starts a pyro `mcp serve` with a known profile.
 */
export function checkEntry(
  raw: unknown,
  entry: ServerEntry | undefined,
  ctx: HostContext,
  profiles: readonly string[],
): HostProblem[] {
  const fix = "run `pyro host repair CLIENT` (or `connect`) to rewrite it";
  if (raw === undefined) {
    return [
      { code: "entry_missing", message: "no pyro server entry", hint: "run `pyro host connect CLIENT`" },
    ];
  }
  if (!entry) {
    return [
      { code: "entry_not_stdio", message: "the pyro entry is not a local (stdio) server entry", hint: fix },
    ];
  }
  const problems: HostProblem[] = [];
  const { script, rest } = splitLaunch(entry);
  const viaNode = isNode(entry.command);
  const found = locate(entry.command, ctx);
  if (!found) {
    problems.push({
      code: "binary_missing",
      message: `command "${entry.command}" is not an executable file`,
      hint: fix,
    });
  } else if (viaNode && (!script || !existsSync(resolve(ctx.cwd, script)))) {
    problems.push({
      code: "binary_missing",
      message: `pyro script "${script ?? ""}" does not exist`,
      hint: fix,
    });
  } else {
    const target = viaNode ? resolve(ctx.cwd, script as string) : found;
    if (!isPyroScript(target)) {
      problems.push({
        code: "binary_not_pyro",
        message: `"${target}" is not pyro's CLI (no pyro-mcp package around it)`,
        hint: fix,
      });
    }
  }
  if (rest[0] !== "mcp" || rest[1] !== "serve") {
    problems.push({
      code: "not_mcp_serve",
      message: `arguments do not start with "mcp serve": ${JSON.stringify(rest)}`,
      hint: fix,
    });
  } else {
    const { profile } = takeProfile(rest.slice(2));
    if (profile !== undefined && !profiles.includes(profile)) {
      problems.push({
        code: "profile_invalid",
        message: `profile "${profile}" is not one of ${profiles.join(", ")}`,
        hint: "run `pyro host repair CLIENT --profile P`",
      });
    }
  }
  if (!entry.enabled) {
    problems.push({ code: "entry_disabled", message: "the pyro entry is disabled", hint: fix });
  }
  return problems;
}

/**
 * The entry that starts this pyro: `launcher` plus `mcp serve`, the other `mcp serve` flags of
 * `existing` (e.g. `--allowed-root`) and its environment kept, and the profile: `profile`, else
 * the existing valid one, else `workspace-core`.
 */
export function desiredEntry(
  existing: ServerEntry | undefined,
  launcher: PyroLauncher,
  profile: string | undefined,
  profiles: readonly string[],
): ServerEntry {
  const rest = existing ? splitLaunch(existing).rest : [];
  const serving = rest[0] === "mcp" && rest[1] === "serve";
  const old = serving ? takeProfile(rest.slice(2)) : { profile: undefined, others: [] };
  const kept = old.profile !== undefined && profiles.includes(old.profile) ? old.profile : undefined;
  return {
    command: launcher.command,
    args: [...launcher.args, "mcp", "serve", ...old.others, "--profile", profile ?? kept ?? DEFAULT_PROFILE],
    env: existing?.env ?? {},
    enabled: true,
  };
}
