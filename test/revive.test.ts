// Blind spot 1 (spec/zombie.md): a candidate rule for a dead room with live users,
// checked on tla/DCA_Revive.tla without changing DCA.tla. With all three parts of the
// candidate (re-bootstrap by a caught-up non-member that saw every present user leave,
// the DS telling an arrival who is present, stale removes dropped on entering) every
// MC_ci property and VQuiescentNotStranded hold at 3 users; without any one part, or
// with today's rules, TLC finds the counterexample named below. Budget: about 30 s (29 s measured here).
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTlc } from "../scripts/tlc/run.ts";
import { skipWithoutTlc, testJar } from "./local-tlc.ts";

const OUT = join("build", "test-revive");

async function check(candidate: string) {
  const text = await readFile("tla/MC_revive.cfg", "utf8");
  expect(text).toContain('Candidate = "Revive"');
  const cfg = join(OUT, `${candidate}.cfg`);
  await writeFile(cfg, text.replace('Candidate = "Revive"', `Candidate = "${candidate}"`));
  return runTlc({ spec: "tla/MC_revive.tla", config: cfg, jar: testJar(), workers: 1, quiet: true, outDir: join(OUT, candidate) });
}

describe.skipIf(skipWithoutTlc)("blind spot 1: a candidate re-bootstrap of a dead room (TLC)", () => {
  beforeAll(() => mkdir(OUT, { recursive: true }));
  afterAll(() => rm(OUT, { recursive: true, force: true }));

  it("with the whole candidate no live user is stranded and every MC_ci property holds", async () => {
    const run = await check("Revive");
    expect(run.outcome).toEqual({ kind: "ok" });
    expect(run.distinctStates).toBeGreaterThan(4182); // more than DCA.tla's 3-user states
  }, 60_000);

  it.each([
    ["Today", "VQuiescentNotStranded"],
    ["NoPresentList", "VQuiescentNotStranded"],
    ["KeepStaleRemoves", "QuiescentNoPendings"],
  ])("without a part (%s) TLC reports %s", async (candidate, property) => {
    const run = await check(candidate);
    expect(run.outcome).toEqual({ kind: "invariant", name: property });
  }, 60_000);
});
