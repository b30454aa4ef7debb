// The room refuses `joined`/`left`/`skipped` entries an honest DS could not have
// appended (impl/rules.ts unexpectedArrival, unexpectedLeave, unexpectedSkip). That is
// sound only where TLC shows the algorithm never hands a member such an entry
// (tla/DCA_Inputs.tla). The Correct algorithm is checked with 4 users in
// tla/MC_ci.cfg; here every known-bad variant with 3 users, which pins
// LEFT_OF_UNKNOWN_POSSIBLE and SKIP_OF_UNEXPECTED_POSSIBLE to the variants that break
// LeftIsKnown and SkippedIsExpected with 3 users: a variant missing from one would make
// the room refuse honest entries, one listed needlessly would let forged ones through.
// Budget: about 90 s on a busy machine (one TLC run per variant, two or three for the listed ones).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LEFT_OF_UNKNOWN_POSSIBLE, SKIP_OF_UNEXPECTED_POSSIBLE } from "../impl/rules.ts";
import { VARIANTS, type Variant } from "../impl/types.ts";
import { configSection } from "../scripts/tlc/config.ts";
import { runTlc } from "../scripts/tlc/run.ts";
import { localJar, skipWithoutTlc, testJar } from "./local-tlc.ts";

const INPUT_INVARIANTS = ["LeftNotRepeated", "LeftIsKnown", "JoinedIsNext", "LastArrivalCoversKnown", "SkippedIsExpected"];

describe.skipIf(skipWithoutTlc)("DCA_Inputs under every variant (TLC, 3 users)", () => {
  const dir = mkdtempSync(join(tmpdir(), "inputs-model-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function check(variant: Variant, invariants: string[]) {
    const config = join(dir, `Inputs_${variant}_${invariants.length}.cfg`);
    writeFileSync(
      config,
      ["SPECIFICATION Spec", "CONSTANTS", "  Users = 3", `  Variant = "${variant}"`, "INVARIANTS", ...invariants.map((i) => `  ${i}`), ""].join("\n"),
    );
    return runTlc({ spec: "tla/DCA_Inputs.tla", config, jar: testJar(), workers: 1, outDir: join(dir, `out-${variant}-${invariants.length}`), quiet: true });
  }

  it("has a TLC jar (required in CI)", () => {
    expect(localJar, "no TLC jar found: run `make test`, which resolves one first").toBeDefined();
  });

  it("MC_ci checks the input invariants for the Correct algorithm", () => {
    const invariants = configSection(readFileSync("tla/MC_ci.cfg", "utf8"), "INVARIANTS");
    for (const i of INPUT_INVARIANTS) expect(invariants).toContain(i);
  });

  it.each(VARIANTS.filter((v) => v !== "Correct"))("%s", async (variant) => {
    const broken = [
      ...(LEFT_OF_UNKNOWN_POSSIBLE.includes(variant) ? ["LeftIsKnown"] : []),
      ...(SKIP_OF_UNEXPECTED_POSSIBLE.includes(variant) ? ["SkippedIsExpected"] : []),
    ];
    if (broken.length) {
      // TLC must find an honest entry breaking each check the room drops under this variant...
      for (const name of broken) {
        const run = await check(variant, [name]);
        expect(run.outcome, run.rawOutputPath).toEqual({ kind: "invariant", name });
      }
      // ...while the other checks, which the room keeps under this variant, still hold.
      const rest = await check(variant, INPUT_INVARIANTS.filter((i) => !broken.includes(i)));
      expect(rest.outcome, rest.rawOutputPath).toEqual({ kind: "ok" });
    } else {
      const run = await check(variant, INPUT_INVARIANTS);
      expect(run.outcome, run.rawOutputPath).toEqual({ kind: "ok" });
      expect(run.distinctStates).toBeGreaterThan(1000);
    }
  });
});
