import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Guests boot under TCG here (1-3 s each, a core apiece): two test files at a time is
    // what 2 cores carry. Applies to both projects.
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    projects: [
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"], testTimeout: 10_000 } },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
