/**
 * Workspace secrets (docs/workspaces.md): values live host-side in `secrets/secrets.json` (0600,
 * in a 0700 directory; never in workspace.json, logs or errors) and in the guest only under
 * `/run/pyro-secrets` (tmpfs, written by the agent after every boot). The record keeps
 * names and source kinds only.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { PyroError } from "../../errors.js";
import type { SupervisorClient } from "../../supervisor/client.js";
import { writeJsonAtomic } from "../fs-atomic.js";

export const SECRET_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Largest secret value, in bytes (the agent's limit too). */
export const MAX_SECRET_BYTES = 65_536;
export const MAX_SECRETS = 64;
/** What replaces every secret value in output, logs and errors. */
export const REDACTED = "[REDACTED]";

/** A secret as given at create: a literal value or a host file to read it from. */
export type SecretSource = { name: string; value: string } | { name: string; filePath: string };

export interface Secret {
  name: string;
  source_kind: "literal" | "file";
  value: Buffer;
}

/**
 * Reads and checks the secrets given at create. Errors name the secret, never its value.
 * @throws PyroError invalid_argument (bad or duplicate name, empty or oversized value, unreadable file)
 */
export async function resolveSecrets(sources: SecretSource[]): Promise<Secret[]> {
  if (sources.length > MAX_SECRETS) {
    throw new PyroError("invalid_argument", `at most ${MAX_SECRETS} secrets per workspace`);
  }
  const seen = new Set<string>();
  const out: Secret[] = [];
  for (const s of sources) {
    if (!SECRET_NAME_RE.test(s.name)) {
      throw new PyroError("invalid_argument", `secret name "${s.name}" must match ${SECRET_NAME_RE.source}`);
    }
    if (seen.has(s.name)) throw new PyroError("invalid_argument", `secret "${s.name}" is given twice`);
    seen.add(s.name);
    const value = "filePath" in s ? await readSecretFile(s.name, s.filePath) : Buffer.from(s.value, "utf8");
    if (value.length === 0) throw new PyroError("invalid_argument", `secret "${s.name}" is empty`);
    if (value.length > MAX_SECRET_BYTES) {
      throw new PyroError("invalid_argument", `secret "${s.name}" is larger than ${MAX_SECRET_BYTES} bytes`);
    }
    out.push({ name: s.name, source_kind: "filePath" in s ? "file" : "literal", value });
  }
  return out;
}

/**
 * A secret file's value: a regular file of at most {@link MAX_SECRET_BYTES} (checked before
 * reading, so /dev/zero or a FIFO cannot stall or exhaust the host), minus one trailing
 * newline, the way `$(cat file)` reads it: the guest's trimmed copy must still be redacted.
 */
async function readSecretFile(name: string, path: string): Promise<Buffer> {
  const refuse = (why: string, cause?: unknown) =>
    new PyroError("invalid_argument", `secret file "${path}" for "${name}" ${why}`, { cause });
  let value: Buffer;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw refuse("is not a regular file");
    if (st.size > MAX_SECRET_BYTES + 2) throw refuse(`is larger than ${MAX_SECRET_BYTES} bytes`);
    value = await readFile(path);
  } catch (err) {
    throw err instanceof PyroError ? err : refuse("cannot be read", err);
  }
  if (value.subarray(-2).toString() === "\r\n") return value.subarray(0, -2);
  if (value.subarray(-1).toString() === "\n") return value.subarray(0, -1);
  return value;
}

const secretsFile = (secretsDir: string) => join(secretsDir, "secrets.json");

/** Writes the values (base64) to `secretsDir/secrets.json`, 0600, atomically. */
export async function storeSecrets(secretsDir: string, secrets: Secret[]): Promise<void> {
  const body = secrets.map((s) => ({
    name: s.name,
    source_kind: s.source_kind,
    value_b64: s.value.toString("base64"),
  }));
  await writeJsonAtomic(secretsFile(secretsDir), { secrets: body });
}

/** The stored secrets; none when the file is missing. @throws PyroError state_corrupt */
export async function loadSecrets(secretsDir: string): Promise<Secret[]> {
  let text: string;
  try {
    text = await readFile(secretsFile(secretsDir), "utf8");
  } catch {
    return [];
  }
  try {
    const parsed = JSON.parse(text) as {
      secrets: { name: string; source_kind: "literal" | "file"; value_b64: string }[];
    };
    return parsed.secrets.map((s) => ({
      name: s.name,
      source_kind: s.source_kind,
      value: Buffer.from(s.value_b64, "base64"),
    }));
  } catch {
    throw new PyroError("state_corrupt", `the secrets file in "${secretsDir}" is unreadable`);
  }
}

/** Writes the secrets into the guest's `/run/pyro-secrets` (the agent replaces the whole set). */
export async function materializeSecrets(client: SupervisorClient, secrets: Secret[]): Promise<void> {
  const body = { secrets: secrets.map((s) => ({ name: s.name, value_b64: s.value.toString("base64") })) };
  await client.json("PUT", "/v1/agent/secrets", body);
}

/**
 * Parses `NAME[=ENV_VAR]` mappings into the agent's `secret_env` (`{ENV_VAR: NAME}`), checking
 * each name against the workspace's secrets.
 * @throws PyroError invalid_argument (malformed), secret_not_found
 */
export function secretEnv(specs: string[], known: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of specs) {
    const [name = "", env = name] = spec.split("=", 2);
    if (!SECRET_NAME_RE.test(name) || !ENV_NAME_RE.test(env)) {
      throw new PyroError("invalid_argument", `secret env "${spec}" must be NAME or NAME=ENV_VAR`);
    }
    if (!known.includes(name)) {
      throw new PyroError("secret_not_found", `the workspace has no secret "${name}"`, {
        hint: "secrets are given at create: --secret NAME=VALUE or --secret-file NAME=PATH",
      });
    }
    out[env] = name;
  }
  return out;
}

/**
 * Replaces every secret value in whole texts. The agent already redacts guest output as it
 * streams (values split across chunks included); this second pass covers what the host
 * itself holds: argv in history, error messages, and anything a future path forgets.
 */
export class Redactor {
  /** One alternation, longest first: a single pass never re-reads its own `[REDACTED]`. */
  private readonly pattern: RegExp | undefined;

  constructor(secrets: Pick<Secret, "value">[]) {
    const escaped = secrets
      .map((s) => s.value.toString("utf8"))
      .filter((v) => v.length > 0)
      .sort((a, b) => b.length - a.length)
      .map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    this.pattern = escaped.length > 0 ? new RegExp(escaped.join("|"), "g") : undefined;
  }

  get empty(): boolean {
    return this.pattern === undefined;
  }

  text(s: string): string {
    return this.pattern ? s.replace(this.pattern, REDACTED) : s;
  }

  /** Redacts every string inside a JSON-like value (records, arrays). */
  deep<T>(value: T): T {
    if (this.empty) return value;
    if (typeof value === "string") return this.text(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.deep(v)) as T;
    if (value && typeof value === "object" && !(value instanceof Buffer)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.deep(v);
      return out as T;
    }
    return value;
  }

  /** The same error with its message (and hint) redacted. */
  error(err: unknown): unknown {
    if (this.empty || !(err instanceof Error)) return err;
    const message = this.text(err.message);
    if (err instanceof PyroError) {
      return new PyroError(err.code, message, {
        ...(err.hint !== undefined ? { hint: this.text(err.hint) } : {}),
        ...(err.details !== undefined ? { details: this.deep(err.details) } : {}),
      });
    }
    return message === err.message ? err : new Error(message);
  }
}
