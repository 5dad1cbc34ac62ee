import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parsePublish, requirePublishable } from "../../../../src/core/workspaces/published-ports.js";
import {
  loadSecrets,
  Redactor,
  resolveSecrets,
  secretEnv,
  storeSecrets,
} from "../../../../src/core/workspaces/secrets.js";
import { PyroError } from "../../../../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "pyro-secrets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const codeOf = async (p: Promise<unknown> | (() => unknown)) => {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (err) {
    return { code: (err as PyroError).code, message: (err as Error).message };
  }
  return undefined;
};

describe("resolveSecrets", () => {
  it("reads literal and file secrets and records their source kind", async () => {
    const file = join(dir, "api-key");
    writeFileSync(file, "from-a-file\n");
    const s = await resolveSecrets([
      { name: "TOKEN", value: "s3cr3t-value" },
      { name: "API_KEY", filePath: file },
    ]);
    expect(s.map((x) => [x.name, x.source_kind, x.value.toString()])).toEqual([
      ["TOKEN", "literal", "s3cr3t-value"],
      // One trailing newline goes, as with $(cat file): the trimmed form is what tools use.
      ["API_KEY", "file", "from-a-file"],
    ]);
    writeFileSync(file, "two-lines\nkept\r\n");
    const [crlf] = await resolveSecrets([{ name: "K", filePath: file }]);
    expect(crlf?.value.toString()).toBe("two-lines\nkept");
  });

  it("refuses secret files that are not small regular files before reading them", async () => {
    expect((await codeOf(resolveSecrets([{ name: "Z", filePath: "/dev/zero" }])))?.message).toMatch(
      /not a regular file/,
    );
    const big = join(dir, "big");
    writeFileSync(big, Buffer.alloc(70_000, 97));
    expect((await codeOf(resolveSecrets([{ name: "B", filePath: big }])))?.message).toMatch(/larger than/);
    expect((await codeOf(resolveSecrets([{ name: "D", filePath: dir }])))?.code).toBe("invalid_argument");
  });

  it("refuses bad names, duplicates, empty values and unreadable files without echoing values", async () => {
    expect((await codeOf(resolveSecrets([{ name: "1BAD", value: "hunter2" }])))?.code).toBe(
      "invalid_argument",
    );
    const dup = await codeOf(
      resolveSecrets([
        { name: "A", value: "hunter2" },
        { name: "A", value: "hunter3" },
      ]),
    );
    expect(dup?.code).toBe("invalid_argument");
    expect(dup?.message).not.toContain("hunter");
    expect((await codeOf(resolveSecrets([{ name: "A", value: "" }])))?.code).toBe("invalid_argument");
    expect((await codeOf(resolveSecrets([{ name: "A", filePath: join(dir, "missing") }])))?.code).toBe(
      "invalid_argument",
    );
  });
});

describe("secret store", () => {
  it("round-trips values through a 0600 file in a 0700 directory", async () => {
    const secretsDir = join(dir, "ws", "secrets");
    await storeSecrets(secretsDir, await resolveSecrets([{ name: "TOKEN", value: "välue\u0000bytes" }]));
    expect(statSync(join(secretsDir, "secrets.json")).mode & 0o777).toBe(0o600);
    expect(statSync(secretsDir).mode & 0o777).toBe(0o700);
    const back = await loadSecrets(secretsDir);
    expect(back[0]?.value.toString()).toBe("välue\u0000bytes");
    expect(await loadSecrets(join(dir, "nowhere"))).toEqual([]);
  });
});

describe("secretEnv", () => {
  it("maps NAME and NAME=VAR to the agent's {ENV_VAR: NAME}", () => {
    expect(secretEnv(["TOKEN", "API_KEY=KEY"], ["TOKEN", "API_KEY"])).toEqual({
      TOKEN: "TOKEN",
      KEY: "API_KEY",
    });
  });
  it("refuses unknown secrets and malformed specs", async () => {
    expect((await codeOf(() => secretEnv(["NOPE"], ["TOKEN"])))?.code).toBe("secret_not_found");
    expect((await codeOf(() => secretEnv(["TOKEN=1X"], ["TOKEN"])))?.code).toBe("invalid_argument");
  });
});

describe("Redactor", () => {
  const r = new Redactor([{ value: Buffer.from("abc") }, { value: Buffer.from("abcdef") }]);
  it("replaces every value, the longest first", () => {
    expect(r.text("x abcdef y abc z")).toBe("x [REDACTED] y [REDACTED] z");
  });
  it("redacts nested records and errors", () => {
    expect(r.deep({ a: ["abc"], b: { c: "1abcdef2" }, n: 3 })).toEqual({
      a: ["[REDACTED]"],
      b: { c: "1[REDACTED]2" },
      n: 3,
    });
    const e = r.error(new PyroError("internal", "failed with abcdef", { hint: "abc" })) as PyroError;
    expect([e.code, e.message, e.hint]).toEqual(["internal", "failed with [REDACTED]", "[REDACTED]"]);
  });
  it("never re-reads its own marker (a value that is a letter of [REDACTED])", () => {
    const r2 = new Redactor([{ value: Buffer.from("E") }, { value: Buffer.from("hunter2") }]);
    expect(r2.text("echo hunter2 HELLO")).toBe("echo [REDACTED] H[REDACTED]LLO");
    const re = new Redactor([{ value: Buffer.from("a.b*(c)") }]);
    expect(re.text("x a.b*(c) axbb")).toBe("x [REDACTED] axbb");
  });

  it("is a no-op without secrets", () => {
    expect(new Redactor([]).text("abc")).toBe("abc");
  });
});

describe("parsePublish", () => {
  it("parses [HOST_PORT:]GUEST_PORT", () => {
    expect(parsePublish("18080:8080")).toEqual({ hostPort: 18080, guestPort: 8080 });
    expect(parsePublish("8080")).toEqual({ hostPort: 0, guestPort: 8080 });
  });
  it("refuses ports out of range and other shapes", async () => {
    for (const bad of ["0", "70000", "0:80", "a:80", "80:", "1:2:3"]) {
      expect((await codeOf(() => parsePublish(bad)))?.code, bad).toBe("invalid_argument");
    }
  });
  it("is refused unless the policy is egress+published-ports", async () => {
    expect((await codeOf(() => requirePublishable("ws_1", "egress")))?.code).toBe("published_ports_disabled");
    expect((await codeOf(() => requirePublishable("ws_1", "off")))?.code).toBe("published_ports_disabled");
    expect(await codeOf(() => requirePublishable("ws_1", "egress+published-ports"))).toBeUndefined();
  });
});
