import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  parseDeb822,
  parseOneLine,
  pickMirror,
  resolveDebianMirror,
} from "../../../src/core/environments/mirror.js";

const deb822 = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://mirror.example.test/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example.test/debian-security
Suites: bookworm-security
Components: main
`;

describe("Debian mirror discovery", () => {
  it("reads deb822 stanzas", () => {
    const sources = parseDeb822(deb822);
    expect(sources).toHaveLength(2);
    expect(pickMirror(sources, "bookworm")).toBe("http://mirror.example.test/debian");
  });
  it("reads one-line sources with options", () => {
    const sources = parseOneLine(
      "deb [arch=amd64 signed-by=/k] http://m.test/debian bookworm main\n# deb http://x y z",
    );
    expect(pickMirror(sources, "bookworm")).toBe("http://m.test/debian");
  });
  it("prefers the override, then the host's apt configuration", async () => {
    const apt = mkdtempSync(join(tmpdir(), "pyro-apt-"));
    mkdirSync(join(apt, "sources.list.d"));
    writeFileSync(join(apt, "sources.list.d", "debian.sources"), deb822);
    expect(await resolveDebianMirror("bookworm", undefined, apt)).toBe("http://mirror.example.test/debian");
    expect(await resolveDebianMirror("bookworm", "http://override.test/debian", apt)).toBe(
      "http://override.test/debian",
    );
  });
  it("fails with a hint when apt names no mirror for the suite", async () => {
    const apt = mkdtempSync(join(tmpdir(), "pyro-apt-"));
    writeFileSync(join(apt, "sources.list"), "deb http://archive.ubuntu.test/ubuntu noble main\n");
    await expect(resolveDebianMirror("bookworm", undefined, apt)).rejects.toMatchObject({
      code: "host_dependency_missing",
    });
  });
});
