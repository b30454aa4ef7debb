import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "impl/**/*.test.ts", "conformance/**/*.test.ts"],
    // build/ holds TLC output and scratch files, never tests.
    exclude: ["node_modules/**", "build/**"],
    environment: "node",
    testTimeout: 30_000,
  },
});
