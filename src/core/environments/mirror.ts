/**
 * Finds the Debian mirror for local environment builds from the host's own apt
 * configuration (never a host name of ours): `PYRO_DEBIAN_MIRROR` wins, then the first
 * `deb` source whose suite is the wanted one, in deb822 `*.sources` or one-line `*.list` files.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { PyroError } from "../../errors.js";

interface AptSource {
  types: string[];
  uris: string[];
  suites: string[];
}

/** Parses deb822 stanzas (`Types:`, `URIs:`, `Suites:`); other fields are ignored. */
export function parseDeb822(text: string): AptSource[] {
  return text
    .split(/\n\s*\n/)
    .map((stanza) => {
      const fields = new Map<string, string>();
      for (const line of stanza.split("\n")) {
        const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
        if (m?.[1] && m[2] !== undefined) fields.set(m[1].toLowerCase(), m[2].trim());
      }
      const words = (key: string) => (fields.get(key) ?? "").split(/\s+/).filter(Boolean);
      return { types: words("types"), uris: words("uris"), suites: words("suites") };
    })
    .filter((s) => s.uris.length > 0);
}

/** Parses one-line `deb [opts] URI SUITE COMPONENTS...` entries. */
export function parseOneLine(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const raw of text.split("\n")) {
    const line = raw
      .replace(/#.*/, "")
      .replace(/\[[^\]]*\]/, "")
      .trim();
    const [type, uri, suite] = line.split(/\s+/);
    if (type && uri && suite) out.push({ types: [type], uris: [uri], suites: [suite] });
  }
  return out;
}

/** Picks the first `deb` URI serving `suite`, or undefined. */
export function pickMirror(sources: AptSource[], suite: string): string | undefined {
  const hit = sources.find((s) => s.types.includes("deb") && s.suites.includes(suite));
  return hit?.uris[0];
}

async function readAptSources(aptDir: string): Promise<AptSource[]> {
  const sources: AptSource[] = [];
  const main = await readFile(join(aptDir, "sources.list"), "utf8").catch(() => "");
  sources.push(...parseOneLine(main));
  const dir = join(aptDir, "sources.list.d");
  const names = (await readdir(dir).catch(() => [] as string[])).sort();
  for (const name of names) {
    const text = await readFile(join(dir, name), "utf8").catch(() => "");
    if (name.endsWith(".sources")) sources.push(...parseDeb822(text));
    else if (name.endsWith(".list")) sources.push(...parseOneLine(text));
  }
  return sources;
}

/**
 * Resolves the mirror URI for `suite`.
 * @throws PyroError host_dependency_missing when neither the override nor apt names one.
 */
export async function resolveDebianMirror(
  suite: string,
  override: string | undefined,
  aptDir = "/etc/apt",
): Promise<string> {
  if (override) return override;
  const uri = pickMirror(await readAptSources(aptDir), suite);
  if (uri) return uri;
  throw new PyroError(
    "host_dependency_missing",
    `no Debian mirror for "${suite}" in the host's apt sources`,
    {
      hint: "set PYRO_DEBIAN_MIRROR to a Debian mirror URI (for example your organisation's mirror)",
    },
  );
}
