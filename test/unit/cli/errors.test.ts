/** The CLI's one error format and exit statuses (src/cli/errors.ts), for usage and SDK errors. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { printError, UsageError } from "../../../src/cli/errors.js";
import { exitStatus } from "../../../src/errors.js";
import { PyroError } from "../../../src/sdk/index.js";
import { captureOutput } from "../../support/capture-output.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("printError", () => {
  it("prints a usage error and its hint on stderr, exit 2", async () => {
    const { out, err } = captureOutput();
    const code = await printError(
      new UsageError("unknown option '--bogus'", "see `pyro --help`"),
      false,
      false,
    );
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err.join("")).toBe("error[usage]: unknown option '--bogus'\nhint: see `pyro --help`\n");
  });

  it("prints one JSON document on stdout with --json", async () => {
    const { out, err } = captureOutput();
    const code = await printError(new UsageError('--mem-mib expects a whole number, got "x"'), true, false);
    expect(code).toBe(2);
    expect(err).toEqual([]);
    expect(JSON.parse(out.join(""))).toEqual({
      error: { code: "usage", message: '--mem-mib expects a whole number, got "x"' },
    });
  });

  it("keeps a PyroError's code and hint; anything else is internal, exit 1", async () => {
    const { err } = captureOutput();
    const notFound = new PyroError("workspace_not_found", 'no workspace "x"', {
      hint: "see `pyro workspace list`",
    });
    expect(await printError(notFound, false, false)).toBe(1);
    expect(await printError(new Error("boom\nsecond line"), false, false)).toBe(1);
    expect(err.join("")).toBe(
      'error[workspace_not_found]: no workspace "x"\nhint: see `pyro workspace list`\nerror[internal]: boom\n',
    );
  });

  it("adds the full message and the stack of an internal error with --verbose", async () => {
    const { err } = captureOutput();
    await printError(new Error("boom\nsecond line"), false, true);
    const text = err.join("");
    expect(text.startsWith("error[internal]: boom\nboom\nsecond line\n")).toBe(true);
    expect(text).toContain("at ");
  });
});

describe("exitStatus", () => {
  it("maps usage and invalid_argument to 2, interrupted to 130, the rest to 1", () => {
    expect(exitStatus("usage")).toBe(2);
    expect(exitStatus("invalid_argument")).toBe(2);
    expect(exitStatus("interrupted")).toBe(130);
    expect(exitStatus("workspace_not_found")).toBe(1);
  });
});
