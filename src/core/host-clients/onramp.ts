/**
 * `pyro host print-config|connect|doctor|repair CLIENT`: the pyro entry of an MCP client's
 * config, printed, written (merged into the file, other entries untouched, old file backed
 * up, temp file + rename), checked, or fixed. `--dry-run` computes the same change as a diff.
 */
import { stringify as stringifyToml } from "smol-toml";
import { PyroError } from "../../errors.js";
import {
  CLIENT_SPECS,
  type ClientSpec,
  type HostClient,
  type HostContext,
  type HostScope,
  type ServerEntry,
} from "./clients.js";
import {
  type ConfigFile,
  nest,
  parseConfigText,
  readConfigFile,
  valueAt,
  withValue,
  writeConfigFile,
} from "./config-files.js";
import { checkEntry, desiredEntry, type HostProblem, type PyroLauncher } from "./entry-check.js";

/** Options shared by every onramp operation. */
export interface OnrampOptions {
  client: HostClient;
  /** @default "user" */
  scope?: HostScope | undefined;
  /** Profile to write; undefined keeps the entry's valid one, else `workspace-core`. */
  profile?: string | undefined;
  /** How the client should start this pyro. */
  launcher: PyroLauncher;
  ctx: HostContext;
  /** Valid `--profile` values (MCP_PROFILES). */
  profiles: readonly string[];
  /** Compute and report the change without writing. @default false */
  dryRun?: boolean | undefined;
}

/** The entry's identity: which client, which scope, which file. */
export interface OnrampTarget {
  client: HostClient;
  scope: HostScope;
  path: string;
  format: "json" | "toml";
  /** Where the client documents the format. */
  docs: string;
}

/** `print-config`: the entry in the client's format, and a snippet of the whole file around it. */
export interface PrintedConfig extends OnrampTarget {
  entry: Record<string, unknown>;
  /** A complete config file holding only pyro's entry (JSON or TOML text). */
  text: string;
}

/** `connect` and `repair`: what changed (or would, with `dryRun`). */
export interface ConfigChange extends OnrampTarget {
  changed: boolean;
  dryRun: boolean;
  /** Copy of the previous file (null: nothing written, or no file before). */
  backupPath: string | null;
  /** Unified diff of the file, "" when unchanged. */
  diff: string;
  entry: Record<string, unknown>;
}

/** `doctor`: the entry as found and its problems (none: `ok`). */
export interface DoctorResult extends OnrampTarget {
  ok: boolean;
  entry: ServerEntry | null;
  problems: HostProblem[];
}

/** `repair`: the change, the problems it fixed and any left. */
export interface RepairResult extends ConfigChange {
  fixed: HostProblem["code"][];
  problems: HostProblem[];
}

const SERVER_NAME = "pyro";

function target(options: OnrampOptions): { spec: ClientSpec; t: OnrampTarget } {
  const spec = CLIENT_SPECS[options.client];
  const scope = options.scope ?? "user";
  if (!spec.scopes.includes(scope)) {
    throw new PyroError(
      "usage",
      `${spec.name} has no "${scope}" scope; use one of ${spec.scopes.join(", ")}`,
    );
  }
  return {
    spec,
    t: {
      client: spec.name,
      scope,
      path: spec.path(scope, options.ctx),
      format: spec.format,
      docs: spec.docs,
    },
  };
}

/** Text for a file holding only `value` at `keys` (plus the client's skeleton, e.g. `$schema`). */
function snippet(spec: ClientSpec, keys: readonly string[], value: Record<string, unknown>): string {
  const doc = { ...spec.skeleton, ...nest(keys, value) };
  return spec.format === "json" ? `${JSON.stringify(doc, null, 2)}\n` : stringifyToml(doc);
}

/** The pyro entry pyro would write for `options` into an empty config. */
export function printConfig(options: OnrampOptions): PrintedConfig {
  const { spec, t } = target(options);
  const keys = spec.entryKeys(t.scope, options.ctx, {}, SERVER_NAME);
  const entry = spec.write(
    desiredEntry(undefined, options.launcher, options.profile, options.profiles),
    undefined,
    keys,
  );
  return { ...t, entry, text: snippet(spec, keys, entry) };
}

/** The file's text with `entry` written at `keys` (skeleton first for a new file). */
function edited(spec: ClientSpec, file: ConfigFile, keys: string[], entry: Record<string, unknown>): string {
  if (file.exists && file.text.trim() !== "") return withValue(file, keys, entry);
  return snippet(spec, keys, entry);
}

async function unifiedDiff(path: string, before: string, after: string): Promise<string> {
  if (before === after) return "";
  const { createTwoFilesPatch } = await import("diff");
  return createTwoFilesPatch(path, path, before, after, "before", "after");
}

/** Writes this pyro's entry into the file (unless dry run) and reports the change. */
async function change(options: OnrampOptions): Promise<ConfigChange> {
  const { spec, t } = target(options);
  const file = await readConfigFile(t.path, t.format);
  const keys = spec.entryKeys(t.scope, options.ctx, file.data, SERVER_NAME);
  const raw = valueAt(file.data, keys);
  const previous =
    raw !== null && typeof raw === "object" && !Array.isArray(raw)
      ? (raw as Record<string, unknown>)
      : undefined;
  const wanted = desiredEntry(spec.read(raw), options.launcher, options.profile, options.profiles);
  const entry = spec.write(wanted, previous, keys);
  const text = edited(spec, file, keys, entry);
  // The result must parse, with our entry where the client will look for it.
  const check = parseConfigText(t.path, t.format, text);
  if (JSON.stringify(valueAt(check, keys)) !== JSON.stringify(entry)) {
    throw new PyroError("internal", `editing ${t.path} did not produce the pyro entry; nothing was written`);
  }
  const dryRun = options.dryRun ?? false;
  const changed = text !== file.text;
  const backupPath =
    changed && !dryRun ? await writeConfigFile(file, text, t.scope === "project" ? 0o644 : 0o600) : null;
  return {
    ...t,
    changed,
    dryRun,
    backupPath,
    diff: await unifiedDiff(t.path, file.text, text),
    entry,
  };
}

/**
 * Writes (or with `dryRun` shows) the entry that starts this pyro, keeping the entry's other
 * `mcp serve` flags and environment, and every other entry and setting of the file.
 * @throws PyroError invalid_argument when the file does not parse; usage for a scope the client lacks
 */
export function connectClient(options: OnrampOptions): Promise<ConfigChange> {
  return change(options);
}

/** Checks the client's pyro entry: present, runs an existing pyro, `mcp serve`, a known profile, enabled. */
export async function doctorClient(options: OnrampOptions): Promise<DoctorResult> {
  const { spec, t } = target(options);
  let file: ConfigFile;
  try {
    file = await readConfigFile(t.path, t.format);
  } catch (err) {
    if (!(err instanceof PyroError && err.details.problem === "config_invalid")) throw err;
    const problem: HostProblem = { code: "config_invalid", message: err.message, hint: err.hint ?? "" };
    return { ...t, ok: false, entry: null, problems: [problem] };
  }
  const raw = valueAt(file.data, spec.entryKeys(t.scope, options.ctx, file.data, SERVER_NAME));
  const entry = spec.read(raw);
  const problems = checkEntry(raw, entry, options.ctx, options.profiles);
  return { ...t, ok: problems.length === 0, entry: entry ?? null, problems };
}

/**
 * Fixes what {@link doctorClient} finds by writing the entry `connect` would (a healthy entry
 * is left alone); problems the rewrite cannot fix are returned in `problems`.
 * @throws PyroError invalid_argument when the file does not parse (repair by hand)
 */
export async function repairClient(options: OnrampOptions): Promise<RepairResult> {
  const before = await doctorClient(options);
  const invalid = before.problems.find((p) => p.code === "config_invalid");
  if (invalid) throw new PyroError("invalid_argument", invalid.message, { hint: invalid.hint });
  if (before.ok && options.profile === undefined) {
    const { t, spec } = target(options);
    const file = await readConfigFile(t.path, t.format);
    const entry = valueAt(file.data, spec.entryKeys(t.scope, options.ctx, file.data, SERVER_NAME));
    return {
      ...t,
      changed: false,
      dryRun: options.dryRun ?? false,
      backupPath: null,
      diff: "",
      entry: entry as Record<string, unknown>,
      fixed: [],
      problems: [],
    };
  }
  const result = await change(options);
  const { spec } = target(options);
  const after = checkEntry(result.entry, spec.read(result.entry), options.ctx, options.profiles);
  const left = new Set(after.map((p) => p.code));
  return {
    ...result,
    fixed: before.problems.map((p) => p.code).filter((c) => !left.has(c)),
    problems: after,
  };
}
