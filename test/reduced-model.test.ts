// The reduced model (tla/DCA_Reduced.tla) agrees with the model at 3 users, and the
// cross-check has teeth: a reduction that never lets a DC die between its Welcome
// and its Add (an interleaving that matters: spec/dca.md R8) is rejected twice, by
// a caught-up state of the full model it misses and by the published rule's fork it
// no longer finds. And a reduction that drops log entries that still matter (a
// `joined` and its `left`, both unread by a lagging DC, which change nothing in the
// end, one might think) is rejected by the other inclusion: it reaches a caught-up
// state the full model never reaches. It checks 3 and 4 users, as `npm run crosscheck`
// does. Budget: about 2 minutes (75 s measured on the quiet machine, 2026-12-05: 46 s of
// it the 4-user check on two workers; the rest on one).
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCoverage, mustFailConfigs, mustFailOnReduced, reducedConfig, reducedSets } from "../scripts/lib/reduction-crosscheck.ts";
import { runTlc } from "../scripts/tlc/run.ts";
import { skipWithoutTlc, testJar } from "./local-tlc.ts";

const OUT = join("build", "test-crosscheck");
const OVER = join(OUT, "over-reduced-model");
const OVER_DROP = join(OUT, "over-dropping-model");

/** tla/DCA_Reduced.tla with one piece of text replaced (which must be there), into dir. */
async function variant(dir: string, from: string, to: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const f of ["DCA.tla", "DCA_Inputs.tla"]) await copyFile(join("tla", f), join(dir, f));
  const text = await readFile(join("tla", "DCA_Reduced.tla"), "utf8");
  expect(text).toContain(from);
  await writeFile(join(dir, "DCA_Reduced.tla"), text.replace(from, to));
}

describe.skipIf(skipWithoutTlc)("the reduced model against the model (TLC)", () => {
  const o = () => ({ jar: testJar(), outRoot: join(OUT, "runs"), workers: 1 as const });

  beforeAll(async () => {
    await rm(OUT, { recursive: true, force: true });
    // A known-bad reduction: no Leave of a DC that is between its Welcome and its Add.
    const rnext = "RNext == IF EagerPending \\/ DropPending THEN ReadEager ELSE Next";
    await variant(OVER, rnext, `${rnext} /\\ \\A u \\in Uids : st[u].adding # NoUid => st'[u].status # "gone"`);
    // An over-eager dropping: also a `joined` with its `left` after it, and a `left` with its
    // `joined` before it, when every active user still to read them could skip them.
    await variant(
      OVER_DROP,
      "      [] OTHER              -> FALSE",
      [
        '      [] m.type = "joined"  -> \\E j \\in (i + 1)..Len(l) : l[j].type = "left" /\\ l[j].uid = m.uid',
        '      [] m.type = "left"    -> \\E j \\in (s.cursor + 1)..(i - 1) : l[j].type = "joined" /\\ l[j].uid = m.uid',
      ].join("\n"),
    );
  });
  afterAll(() => rm(OUT, { recursive: true, force: true }));

  it("at 3 users the full model reaches no caught-up state and takes no Commit step the reduced one misses", async () => {
    const sets = await reducedSets(3, o());
    expect(sets.states).toBeLessThan(4049); // the full model's count at 3 users
    expect(sets.caughtUp.length).toBeGreaterThan(0);
    expect(sets.commitSteps.length).toBeGreaterThan(0);
    const v = await checkCoverage(sets, o());
    expect(v.verdict, v.detail).toBe("covered");
    expect(v.detail).toContain(`it meets all ${sets.caughtUp.length} caught-up states and ${sets.commitSteps.length} Commit steps`);
    expect(v.full.distinctStates).toBe(4049);
  }, 120_000);

  it("at 4 users too, in both directions: the same caught-up states and Commit steps (issue 13's bound for the cross-check)", async () => {
    // Both TLC workers: the full model at 4 users is MC_ci's state space (about a minute).
    const o4 = { ...o(), workers: 2 as const };
    const sets = await reducedSets(4, o4);
    expect(sets.states).toBeLessThan(714_047 / 100); // the reduction must still cut the 4-user model a hundredfold
    const v = await checkCoverage(sets, o4);
    expect(v.verdict, v.detail).toBe("covered");
    expect(v.full.distinctStates).toBe(714_047);
    expect(sets.caughtUp.length).toBe(1556);
    expect(sets.quiescent).toBe(216);
    expect(sets.commitSteps.length).toBe(231);
  }, 300_000);

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

  it("rejects a reduction that drops a `joined` and its `left` both still unread by a lagging DC", async () => {
    const bad = { ...o(), tlaDir: OVER_DROP };
    const sets = await reducedSets(3, bad);
    const v = await checkCoverage(sets, bad);
    expect(v.verdict, v.detail).toBe("caught-up state extra");
  }, 120_000);

  // @spec DCA!QuiescentNotStranded DCA!Revive R15
  it("blind spot 1 is closed: a dead room strands live users only without the revive (tla/Gap_DeadRoom.cfg, NoRevive)", async () => {
    const text = await readFile("tla/Gap_DeadRoom.cfg", "utf8");
    expect(text).toContain('Variant = "NoRevive"');
    const gap = await runTlc({ spec: "tla/DCA.tla", config: "tla/Gap_DeadRoom.cfg", jar: testJar(), workers: 1, quiet: true, outDir: join(OUT, "gap") });
    expect(gap.outcome).toEqual({ kind: "invariant", name: "QuiescentNotStranded" });
    const closed = join(OUT, "closed.cfg");
    await writeFile(closed, text.replace('Variant = "NoRevive"', 'Variant = "Correct"'));
    const run = await runTlc({ spec: "tla/DCA.tla", config: closed, jar: testJar(), workers: 1, quiet: true, outDir: join(OUT, "closed") });
    expect(run.outcome).toEqual({ kind: "ok" });
    expect(run.distinctStates).toBe(4049);
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
