/** `pyro mcp serve`: the only command that loads the MCP server and the MCP SDK. */
import { randomBytes } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { mkdir, open, readFile } from "node:fs/promises";
import { isIP } from "node:net";
import { join } from "node:path";
import type { McpProfile } from "../../contract/choices.js";
import { PyroError } from "../../sdk/index.js";
import type { CliContext } from "../context.js";
import { phaseLine } from "../output.js";

/** Flags of `pyro mcp serve`. */
export interface ServeFlags {
  /** Checked by commander (`.choices()`). */
  profile: McpProfile;
  allowedRoot?: string[];
  http?: string;
  tokenFile?: string;
  allowedHost?: string[];
}

/** True for 127.0.0.0/8, ::1 and `localhost`: addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "");
  if (bare === "localhost" || bare === "::1") return true;
  return isIP(bare) === 4 && bare.startsWith("127.");
}

/**
 * `HOST:PORT`, `[V6]:PORT` or a bare `PORT` (loopback) as a bind address.
 * @throws PyroError usage for anything else or a port outside 0-65535
 */
export function parseListenAddress(value: string): { host: string; port: number } {
  const m = /^(?:(\[[0-9A-Fa-f:.]+\]|[^:[\]]+):)?(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || port > 65_535) {
    throw new PyroError("usage", `--http must be HOST:PORT, [IPv6]:PORT or PORT, got "${value}"`, {
      hint: "e.g. --http 127.0.0.1:8765",
    });
  }
  return { host: (m[1] ?? "127.0.0.1").replace(/^\[|\]$/g, ""), port };
}

/** Resolves when stdin ends or closes, or when the CLI is interrupted. */
function untilStdinCloses(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    process.stdin.once("end", resolve);
    process.stdin.once("close", resolve);
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/** Serves the profile on stdio (or HTTP with `--http`); in-flight tool calls are aborted at the end (their VMs deleted). */
export async function serve(ctx: CliContext, flags: ServeFlags) {
  const profile = flags.profile;
  if (flags.http !== undefined) return serveOverHttp(ctx, flags, flags.http, profile);
  if (flags.tokenFile !== undefined || flags.allowedHost !== undefined) {
    throw new PyroError("usage", "--token-file and --allowed-host only apply with --http HOST:PORT");
  }
  // A stray console.log from any library would corrupt the protocol stream: send it to stderr.
  console.log = console.error;
  console.info = console.error;
  const [{ createMcpServer }, { StdioServerTransport }] = await Promise.all([
    import("../../mcp/server.js"),
    import("@modelcontextprotocol/sdk/server/stdio.js"),
  ]);
  const allowedRoots = flags.allowedRoot;
  const server = createMcpServer(await ctx.pyro(), { profile, ...(allowedRoots ? { allowedRoots } : {}) });
  const closed = untilStdinCloses(ctx.signal);
  await server.connect(new StdioServerTransport());
  await closed;
  await server.close();
}

/** Name of the token file `--http` creates on loopback when no token is given (in PYRO_HOME). */
export const GENERATED_TOKEN_FILE = "mcp-http-token";

/**
 * The bearer token, from `--token-file`, else `PYRO_MCP_TOKEN`, else (loopback only) the
 * token file in the state dir, created 0600 with 32 random bytes the first time. Never
 * serving without a token keeps other local users and web pages (DNS rebinding) out, even
 * on loopback. The token itself is never printed; only where it is.
 * @throws PyroError usage without a token on a non-loopback address; invalid_argument for an
 *   unreadable or empty token file
 */
async function resolveToken(
  flags: ServeFlags,
  loopback: boolean,
  stateDir: string,
): Promise<{ token: string; source: string }> {
  if (flags.tokenFile !== undefined)
    return { token: readTokenFile(flags.tokenFile), source: flags.tokenFile };
  // The CLI's own secret, not a Pyro setting: read here rather than in core/config.ts.
  const fromEnv = process.env.PYRO_MCP_TOKEN?.trim();
  if (fromEnv) return { token: fromEnv, source: "PYRO_MCP_TOKEN" };
  if (!loopback) {
    throw new PyroError("usage", "--http on a non-loopback address needs a bearer token", {
      hint: "pass --token-file FILE or set PYRO_MCP_TOKEN (at least 16 characters)",
    });
  }
  const path = join(stateDir, GENERATED_TOKEN_FILE);
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  try {
    // `wx`: two servers starting at once never overwrite each other's token.
    const handle = await open(path, "wx", 0o600);
    try {
      await handle.writeFile(`${randomBytes(32).toString("base64url")}\n`);
    } finally {
      await handle.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  return { token: (await readFile(path, "utf8")).trim(), source: path };
}

/** The token in `path` (trimmed); warns when other users may read it. @throws PyroError invalid_argument */
function readTokenFile(path: string): string {
  let token: string;
  try {
    token = readFileSync(path, "utf8").trim();
  } catch (err) {
    throw new PyroError("invalid_argument", `cannot read --token-file "${path}": ${(err as Error).message}`);
  }
  if (!token) throw new PyroError("invalid_argument", `--token-file "${path}" is empty`);
  if ((statSync(path).mode & 0o077) !== 0) {
    process.stderr.write(`warning: --token-file "${path}" is readable by other users (chmod 600 it)\n`);
  }
  return token;
}

/** `--http HOST:PORT`: serves until SIGINT/SIGTERM, then closes every session (aborting their calls). */
async function serveOverHttp(ctx: CliContext, flags: ServeFlags, listen: string, profile: McpProfile) {
  const { serveMcpOverHttp } = await import("../../mcp/server.js");
  const { host, port } = parseListenAddress(listen);
  const pyro = await ctx.pyro();
  const { token, source } = await resolveToken(flags, isLoopbackHost(host), pyro.config.stateDir);
  const handle = await serveMcpOverHttp(pyro, {
    host,
    port,
    token,
    profile,
    ...(flags.allowedRoot ? { allowedRoots: flags.allowedRoot } : {}),
    ...(flags.allowedHost ? { allowedHosts: flags.allowedHost } : {}),
  });
  phaseLine("mcp", { url: handle.url, profile, token: source });
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) return resolve();
    ctx.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  await handle.close();
}
