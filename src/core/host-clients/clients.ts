/**
 * The MCP clients `pyro host` knows: where each keeps its server entries, per scope, and how
 * an entry looks in its own format. Each format is the one the client documents (URL beside
 * each spec); `ServerEntry` is the neutral shape the onramp logic works on.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { HOST_CLIENTS, HOST_SCOPES, type HostClient, type HostScope } from "../../contract/choices.js";
import type { ConfigFormat } from "./config-files.js";

export { HOST_CLIENTS, HOST_SCOPES, type HostClient, type HostScope };

/** The directories a client's config is found from (the CLI fills them from the environment). */
export interface HostContext {
  /** The user's home directory. */
  home: string;
  /** The project directory (project and local scopes). */
  cwd: string;
  /** `CODEX_HOME`. @default HOME/.codex */
  codexHome?: string | undefined;
  /** `XDG_CONFIG_HOME`. @default HOME/.config */
  xdgConfigHome?: string | undefined;
  /** `PATH`, to find a command given without a directory. @default "" (none found) */
  path?: string | undefined;
}

/** A stdio MCP server entry, whatever the client's spelling. */
export interface ServerEntry {
  command: string;
  args: string[];
  /** Extra environment variables for the server. */
  env: Record<string, string>;
  /** False when the client is told not to start it. */
  enabled: boolean;
}

export interface ClientSpec {
  name: HostClient;
  /** Where the client documents this format. */
  docs: string;
  format: ConfigFormat;
  scopes: readonly HostScope[];
  /** The config file of `scope`. */
  path(scope: HostScope, ctx: HostContext): string;
  /** Keys leading to the server entry named `name` inside the parsed file `data`. */
  entryKeys(scope: HostScope, ctx: HostContext, data: Record<string, unknown>, name: string): string[];
  /** The entry in neutral form; undefined when `raw` is not a stdio entry this client would run. */
  read(raw: unknown): ServerEntry | undefined;
  /** The client's own entry object for `entry` at `keys`, keeping `previous`'s other fields. */
  write(
    entry: ServerEntry,
    previous: Record<string, unknown> | undefined,
    keys: string[],
  ): Record<string, unknown>;
  /** What a new file starts with (before the entry is added). */
  skeleton: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((s) => typeof s === "string");
const stringRecord = (v: unknown): Record<string, string> =>
  isObject(v)
    ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === "string"))
    : {};

/**
 * Claude Code (https://code.claude.com/docs/en/mcp, "MCP installation scopes"): project scope
 * is `.mcp.json` in the project root; user scope is `mcpServers` at the top of `~/.claude.json`;
 * local scope is `projects[<project path>].mcpServers` in the same file. An entry is
 * `{"type": "stdio", "command": ..., "args": [...], "env": {...}}`.
 */
const claudeCode: ClientSpec = {
  name: "claude-code",
  docs: "https://code.claude.com/docs/en/mcp",
  format: "json",
  scopes: ["user", "project", "local"],
  path: (scope, ctx) => (scope === "project" ? join(ctx.cwd, ".mcp.json") : join(ctx.home, ".claude.json")),
  entryKeys: (scope, ctx, _data, name) =>
    scope === "local" ? ["projects", ctx.cwd, "mcpServers", name] : ["mcpServers", name],
  read(raw) {
    if (!isObject(raw) || typeof raw.command !== "string") return undefined;
    if (raw.type !== undefined && raw.type !== "stdio") return undefined;
    return {
      command: raw.command,
      args: isStringArray(raw.args) ? raw.args : [],
      env: stringRecord(raw.env),
      enabled: true,
    };
  },
  write: (entry, previous) => ({
    ...previous,
    type: "stdio",
    command: entry.command,
    args: entry.args,
    env: entry.env,
  }),
  skeleton: {},
};

/**
 * Codex (https://developers.openai.com/codex/mcp, "config.toml"): `[mcp_servers.<name>]` tables
 * in `$CODEX_HOME/config.toml` (default `~/.codex`), or `.codex/config.toml` of a trusted
 * project, with `command`, `args`, an `env` table, `enabled` and `tool_timeout_sec`.
 */
const codex: ClientSpec = {
  name: "codex",
  docs: "https://developers.openai.com/codex/mcp",
  format: "toml",
  scopes: ["user", "project"],
  path: (scope, ctx) =>
    scope === "project"
      ? join(ctx.cwd, ".codex", "config.toml")
      : join(ctx.codexHome ?? join(ctx.home, ".codex"), "config.toml"),
  entryKeys: (_scope, _ctx, _data, name) => ["mcp_servers", name],
  read(raw) {
    if (!isObject(raw) || typeof raw.command !== "string") return undefined;
    return {
      command: raw.command,
      args: isStringArray(raw.args) ? raw.args : [],
      env: stringRecord(raw.env),
      enabled: raw.enabled !== false,
    };
  },
  write(entry, previous) {
    const { env: _env, enabled: _enabled, ...rest } = previous ?? {};
    return {
      ...rest,
      command: entry.command,
      args: entry.args,
      // A workspace_exec may run longer than Codex's default per-call limit (docs/integrations.md).
      tool_timeout_sec: rest.tool_timeout_sec ?? 300,
      ...(Object.keys(entry.env).length > 0 ? { env: entry.env } : {}),
    };
  },
  skeleton: {},
};

/**
 * OpenCode (https://opencode.ai/docs/mcp-servers): `mcp.<name>` in `opencode.json` of the
 * project or `~/.config/opencode/opencode.json`, an entry being
 * `{"type": "local", "command": [cmd, ...args], "enabled": true, "environment": {...}}`.
 * Files already using the newer nesting (`mcp.servers.<name>`, with `disabled` instead of
 * `enabled`) are edited in that shape.
 */
const opencode: ClientSpec = {
  name: "opencode",
  docs: "https://opencode.ai/docs/mcp-servers",
  format: "json",
  scopes: ["user", "project"],
  path(scope, ctx) {
    const dir =
      scope === "project" ? ctx.cwd : join(ctx.xdgConfigHome ?? join(ctx.home, ".config"), "opencode");
    const jsonc = join(dir, "opencode.jsonc");
    return !existsSync(join(dir, "opencode.json")) && existsSync(jsonc) ? jsonc : join(dir, "opencode.json");
  },
  entryKeys: (_scope, _ctx, data, name) =>
    isObject(data.mcp) && isObject(data.mcp.servers) ? ["mcp", "servers", name] : ["mcp", name],
  read(raw) {
    if (!isObject(raw) || raw.type !== "local" || !isStringArray(raw.command) || raw.command.length === 0) {
      return undefined;
    }
    const [command, ...args] = raw.command as [string, ...string[]];
    return {
      command,
      args,
      env: stringRecord(raw.environment),
      enabled: raw.enabled !== false && raw.disabled !== true,
    };
  },
  write(entry, previous, keys) {
    const nested = keys[1] === "servers"; // the newer shape: no `enabled`, `disabled` to turn off
    const { disabled: _disabled, ...rest } = previous ?? {};
    return {
      ...rest,
      type: "local",
      command: [entry.command, ...entry.args],
      ...(nested ? {} : { enabled: true }),
      ...(Object.keys(entry.env).length > 0 ? { environment: entry.env } : {}),
    };
  },
  skeleton: { $schema: "https://opencode.ai/config.json" },
};

export const CLIENT_SPECS: Readonly<Record<HostClient, ClientSpec>> = {
  "claude-code": claudeCode,
  codex,
  opencode,
};
