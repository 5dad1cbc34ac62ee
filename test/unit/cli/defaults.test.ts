/**
 * The CLI's copies of SDK defaults (src/cli/defaults.ts) equal the values
 * they copy: `--help` shows them and unset flags pass them to the SDK.
 */
import { describe, expect, it } from "vitest";
import * as cli from "../../../src/cli/defaults.js";
import * as sdk from "../../../src/sdk/index.js";

describe("src/cli/defaults.ts", () => {
  it("copies the SDK defaults", () => {
    expect(cli.DEFAULT_VCPU_COUNT).toBe(sdk.DEFAULT_VCPU_COUNT);
    expect(cli.DEFAULT_MEM_MIB).toBe(sdk.DEFAULT_MEM_MIB);
    expect(cli.DEFAULT_TIMEOUT_SECONDS).toBe(sdk.DEFAULT_TIMEOUT_SECONDS);
    expect(cli.DEFAULT_TTL_SECONDS).toBe(sdk.DEFAULT_TTL_SECONDS);
    expect(cli.MAX_FORK_COUNT).toBe(sdk.MAX_FORK_COUNT);
  });
});
