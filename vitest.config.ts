import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "impl/**/*.test.ts", "conformance/**/*.test.ts", "scripts/tlc/test/**/*.test.ts"], // the TLC package's own tests too
    // build/ holds TLC output and scratch files, never tests.
    exclude: ["node_modules/**", "build/**"],
    environment: "node",
    testTimeout: 30_000,
    // Vitest's default (one worker fewer than the cores) runs the files one at a time on
    // the CI machine's 2 cores, and many of them mostly wait (on TLC, a DS, client
    // processes, Chromium): two at once took the suite from 596 s to 398 s there, all
    // passing (2026-12-05, the same fresh clone).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
