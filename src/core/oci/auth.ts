/**
 * Registry authentication: basic credentials from the usual container credentials files
 * (config.ts lists them) and the bearer-token handshake of the distribution spec: a 401 with
 * `WWW-Authenticate: Bearer realm=...,service=...,scope=...` is answered by fetching a token
 * from the realm (anonymously, or with the basic credentials when there are some). Credential
 * helpers (`credsStore`, `credHelpers`) are not run. Secrets never go into errors or logs.
 */
import { readFile } from "node:fs/promises";

export interface BasicCredentials {
  username: string;
  password: string;
}

/** `auths` keys name a registry as `host`, `https://host` or `https://host/v1/`. */
function authKeyMatches(key: string, registry: string): boolean {
  const host = key.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
  return host === registry;
}

/** Basic credentials for `registry` from the first file that has some; undefined when none does. */
export async function findCredentials(
  registry: string,
  files: string[],
): Promise<BasicCredentials | undefined> {
  for (const file of files) {
    let json: { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
    try {
      json = JSON.parse(await readFile(file, "utf8"));
    } catch {
      continue; // missing or unreadable: the next file may have them
    }
    for (const [key, entry] of Object.entries(json.auths ?? {})) {
      if (!authKeyMatches(key, registry) || !entry) continue;
      if (entry.username && entry.password) return { username: entry.username, password: entry.password };
      if (entry.auth) {
        const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
        const colon = decoded.indexOf(":");
        if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
      }
    }
  }
  return undefined;
}

export function basicHeader(c: BasicCredentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="...",service="...",scope="..."` (quoted or bare values). */
export function parseChallenge(header: string): Challenge | undefined {
  const m = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!m?.[1]) return undefined;
  const params: Record<string, string> = {};
  for (const p of (m[2] ?? "").matchAll(/([A-Za-z_]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    if (p[1]) params[p[1].toLowerCase()] = p[2] ?? p[3] ?? "";
  }
  return { scheme: m[1].toLowerCase(), params };
}
