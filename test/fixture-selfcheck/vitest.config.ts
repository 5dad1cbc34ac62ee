/**
 * Runs only the deliberately failing guest test that test/integration/fixture-selfcheck.test.ts
 * starts as a child process; the repo's own config never includes it.
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/fixture-selfcheck/*.guest.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
