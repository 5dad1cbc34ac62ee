import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"], testTimeout: 10_000 } },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          // Guests boot under TCG here (1-3 s each); two files at a time is what 2 cores can carry.
          testTimeout: 180_000,
          hookTimeout: 180_000,
          maxWorkers: 2,
          minWorkers: 1,
          fileParallelism: true,
        },
      },
    ],
  },
});
