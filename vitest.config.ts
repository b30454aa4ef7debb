import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "impl/**/*.test.ts", "conformance/**/*.test.ts", "scripts/tlc/test/**/*.test.ts"], // the TLC package's own tests too
    // build/ holds TLC output and scratch files, never tests.
    exclude: ["node_modules/**", "build/**"],
    environment: "node",
    testTimeout: 30_000,
  },
});
