import { mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HostPathPolicy } from "../../../src/mcp/host-paths.js";

describe("HostPathPolicy", () => {
  const root = mkdtempSync(join(tmpdir(), "pyro-roots-"));
  mkdirSync(join(root, "proj", "src"), { recursive: true });
  symlinkSync("/etc", join(root, "proj", "etc-link"));
  const policy = new HostPathPolicy([join(root, "proj")]);

  it("allows paths inside a root, existing or not", () => {
    expect(policy.check("seed_path", join(root, "proj", "src"))).toBe(join(root, "proj", "src"));
    expect(policy.check("output_path", join(root, "proj", "out", "new.txt"))).toBe(
      join(root, "proj", "out", "new.txt"),
    );
  });

  it.each([
    ["/etc/cron.d/evil", "an absolute path elsewhere"],
    ["../escape", "a relative climb"],
    ["etc-link/cron.d/evil", "a symlink inside the root that leads out"],
  ])("refuses %s (%s)", (path) => {
    const full = path.startsWith("/") ? path : join(root, "proj", path);
    expect(() => policy.check("output_path", full)).toThrow(
      expect.objectContaining({ code: "host_path_not_allowed" }),
    );
  });

  it("refuses a sibling whose name extends the root's", () => {
    expect(() => policy.check("seed_path", join(root, "project2"))).toThrow(
      expect.objectContaining({ code: "host_path_not_allowed" }),
    );
  });
});
