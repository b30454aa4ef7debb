// Debian's Chromium for the browser tests: where it is, the flags every headless run
// here needs, and the rule for when it is missing (skipped with a message outside CI,
// a failing test under CI, so a CI box without it cannot pass by skipping).
import { existsSync } from "node:fs";
import { describe, it } from "vitest";

export const CHROMIUM = "/usr/bin/chromium";

/** Headless, no sandbox (containers), nothing fetched from the network on its own. */
export const HEADLESS_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Whether Chromium is there; when it is not, registers the CI failure or warns. */
export function chromiumFor(suite: string, file: string): boolean {
  const have = existsSync(CHROMIUM);
  if (!have && process.env.CI) {
    describe(suite, () => {
      it("needs Chromium", () => {
        throw new Error(`${CHROMIUM} not found: install Debian's chromium package (apt-get install chromium) to run the browser test`);
      });
    });
  } else if (!have) {
    console.warn(`${file}: skipped, ${CHROMIUM} not found (install Debian's chromium package to run it; under CI this fails)`);
  }
  return have;
}
