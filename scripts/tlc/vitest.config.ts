// The package's own tests (`npm test -w tlc-driver`, or `npm test` in this folder),
// on its own tiny specs in test/fixtures/. The repository's `make test` runs them too
// (its vitest.config.ts includes scripts/tlc/test/).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
  },
});
