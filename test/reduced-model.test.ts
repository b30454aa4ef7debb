// The reduced model (tla/DCA_Reduced.tla) agrees with the model at 3 users, and the
// cross-check has teeth: a reduction that never lets a DC die between its Welcome
// and its Add (an interleaving that matters: spec/dca.md R8) is rejected twice, by
// a caught-up state of the full model it misses and by the published rule's fork it
// no longer finds. `npm run crosscheck` (make test) runs the same at 3 and 4 users.
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCoverage, mustFailConfigs, mustFailOnReduced, reducedConfig, reducedSets } from "../scripts/lib/reduction-crosscheck.ts";
import { runTlc } from "../scripts/tlc/run.ts";
import { skipWithoutTlc, testJar } from "./local-tlc.ts";

const OUT = join("build", "test-crosscheck");
const OVER = join(OUT, "over-reduced-model");

describe.skipIf(skipWithoutTlc)("the reduced model against the model (TLC)", () => {
  const o = () => ({ jar: testJar(), outRoot: join(OUT, "runs"), workers: 1 as const });

  beforeAll(async () => {
    // A known-bad reduction: no Leave of a DC that is between its Welcome and its Add.
    await rm(OUT, { recursive: true, force: true });
    await mkdir(OVER, { recursive: true });
    for (const f of ["DCA.tla", "DCA_Inputs.tla"]) await copyFile(join("tla", f), join(OVER, f));
    const text = await readFile(join("tla", "DCA_Reduced.tla"), "utf8");
    const rnext = "RNext == IF EagerPending THEN ReadEager ELSE Next";
    expect(text).toContain(rnext);
    await writeFile(
      join(OVER, "DCA_Reduced.tla"),
      text.replace(rnext, `RNext == IF EagerPending THEN ReadEager\n  ELSE Next /\\ \\A u \\in Uids : st[u].adding # NoUid => st'[u].status # "gone"`),
    );
  });
  afterAll(() => rm(OUT, { recursive: true, force: true }));

  it("at 3 users the full model reaches no caught-up state and takes no Commit step the reduced one misses", async () => {
    const sets = await reducedSets(3, o());
    expect(sets.states).toBeLessThan(4182); // the full model's count at 3 users
    expect(sets.caughtUp.length).toBeGreaterThan(0);
    expect(sets.commitSteps.length).toBeGreaterThan(0);
    const v = await checkCoverage(sets, o());
    expect(v.verdict, v.detail).toBe("covered");
    expect(v.full.distinctStates).toBe(4182);
  }, 120_000);

  it("every must-fail configuration fails on the reduced model with the same property", async () => {
    const all = await mustFailConfigs();
    expect(all.length).toBeGreaterThanOrEqual(9);
    for (const m of all) {
      const r = await mustFailOnReduced(m, o()); // at the configuration's own bound
      expect(r.caught, `${m.config}: expected ${r.reducedExpected}, TLC reported ${r.reported}`).toBe(true);
    }
  }, 240_000);

  it("rejects a reduction that never lets a DC die between Welcome and Add", async () => {
    const bad = { ...o(), tlaDir: OVER };
    const sets = await reducedSets(3, bad);
    const v = await checkCoverage(sets, bad);
    expect(v.verdict).toBe("caught-up state missing");
    const published = (await mustFailConfigs()).find((m) => m.config === "Regression_FirstWelcomeCounts.cfg")!;
    const r = await mustFailOnReduced(published, bad);
    expect(r.caught).toBe(false);
    expect(r.reported).toBe("ok");
  }, 180_000);

  it("blind spot 1 is open: today's rules strand live users in a dead room (tla/Gap_DeadRoom.cfg fails)", async () => {
    const run = await runTlc({ spec: "tla/Gap_DeadRoom.tla", config: "tla/Gap_DeadRoom.cfg", jar: testJar(), workers: 1, quiet: true, outDir: join(OUT, "gap") });
    expect(run.outcome).toEqual({ kind: "invariant", name: "QuiescentNotStranded" });
  }, 60_000);

  it("states each liveness property by its quiescent-state form", () => {
    const cfg = 'SPECIFICATION FairSpec\nCONSTANTS\n  Users = 3\n  Variant = "AddBeforeWelcome"\nPROPERTIES\n  JoinerEventuallyWelcomed\n';
    const r = reducedConfig(cfg, "JoinerEventuallyWelcomed");
    expect(r.expected).toBe("QuiescentJoinersWelcomed");
    expect(r.text).toContain("SPECIFICATION RSpec");
    expect(r.text).toContain('Variant = "AddBeforeWelcome"');
    expect(r.text).not.toContain("PROPERTIES");
  });
});
