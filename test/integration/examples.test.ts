/** examples/sdk-workspace.ts runs end to end against a real guest (one VM at a time). */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../examples/sdk-workspace.js";
import { requireGuest, usePyroHome } from "./fixtures.js";

const skip = requireGuest();
const pyro = usePyroHome();

describe.skipIf(skip)("examples", () => {
  let lines: string[] = [];
  beforeEach(() => {
    lines = [];
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      lines.push(args.join(" "));
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("examples/sdk-workspace.ts walks a workspace through its lifecycle", { timeout: 300_000 }, async () => {
    const started = Date.now();
    await main(pyro.home());
    process.stderr.write(`${lines.join("\n")}\n(${Date.now() - started} ms)\n`);
    for (const marker of [
      "created ws",
      "pushed",
      "exec:",
      "diff vs baseline",
      "exported",
      "service ticker is ready",
    ]) {
      expect(
        lines.some((l) => l.includes(marker)),
        marker,
      ).toBe(true);
    }
    expect(lines.some((l) => l.includes("started again"))).toBe(true);
    expect(lines.at(-1)).toMatch(/^\[sdk-workspace\] deleted /);
  });
});
