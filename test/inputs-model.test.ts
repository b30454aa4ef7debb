// The room refuses `joined`/`left` entries an honest DS could not have appended
// (impl/rules.ts unexpectedArrival, unexpectedLeave). That is sound only where TLC
// shows the algorithm never hands a member such an entry (tla/DCA_Inputs.tla). The
// Correct algorithm is checked with 4 users in tla/MC_ci.cfg; here every known-bad
// variant with 3 users, which pins LEFT_OF_UNKNOWN_POSSIBLE to the variants that
// break LeftIsKnown with 3 users: a variant missing from it would make the room
// refuse honest departures, one listed needlessly would let forged ones through.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LEFT_OF_UNKNOWN_POSSIBLE } from "../impl/rules.ts";
import { VARIANTS, type Variant } from "../impl/types.ts";
import { configSection } from "../scripts/tlc/config.ts";
import { runTlc } from "../scripts/tlc/run.ts";
import { localJar, skipWithoutTlc, testJar } from "./local-tlc.ts";

const INPUT_INVARIANTS = ["LeftNotRepeated", "LeftIsKnown", "JoinedIsNext", "LastArrivalCoversKnown"];

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
    if (LEFT_OF_UNKNOWN_POSSIBLE.includes(variant)) {
      // TLC must find an honest `left` of a user the member does not know of...
      const run = await check(variant, INPUT_INVARIANTS);
      expect(run.outcome, run.rawOutputPath).toEqual({ kind: "invariant", name: "LeftIsKnown" });
      // ...while the other checks, which the room keeps under this variant, still hold.
      const rest = await check(variant, INPUT_INVARIANTS.filter((i) => i !== "LeftIsKnown"));
      expect(rest.outcome, rest.rawOutputPath).toEqual({ kind: "ok" });
    } else {
      const run = await check(variant, INPUT_INVARIANTS);
      expect(run.outcome, run.rawOutputPath).toEqual({ kind: "ok" });
      expect(run.distinctStates).toBeGreaterThan(1000);
    }
  });
});
