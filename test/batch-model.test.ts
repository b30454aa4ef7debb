// Batched adds and removes, a candidate rule (spec/batching.md, tla/DCA_Batch.tla), and
// the open TODO of join-then-leave. Today's rules welcome a joiner whose `left` the DC has
// read (tla/Gap_JoinLeave.cfg fails with NoWelcomeOrAddAfterLeft); the batched rules pass
// every MC_ci property at 3 users (tla/MC_batch.cfg; 4 users and the reduced model at 5
// are explicit runs, tla/models.json);
// joiners of one batch that do not rank each other by UID make two DCs
// (tla/BatchMutant_UnrankedJoiners.cfg fails with AtMostOneBelievesDc), so the passing
// checks have teeth: the same configuration with the tie-break removed fails, and with
// every batch-mate ranked first the group has no DC (BatchMutant_AllRankedBefore, QuiescentSomeDc).
// Budget: 45 s on one worker (30 s measured here under load; four small runs).
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTlc } from "../scripts/tlc/run.ts";
import { skipWithoutTlc, testJar } from "./local-tlc.ts";

const OUT = join("build", "test-batch-model");
const tlc = (spec: string, config: string, out: string) =>
  runTlc({ spec, config, jar: testJar(), workers: 1, quiet: true, outDir: join(OUT, out) });

describe.skipIf(skipWithoutTlc)("batched adds and removes (TLC)", () => {
  beforeAll(() => mkdir(OUT, { recursive: true }));
  afterAll(() => rm(OUT, { recursive: true, force: true }));

  it("today's rules welcome a joiner whose `left` the DC has read (Gap_JoinLeave, 6 states)", async () => {
    const run = await tlc("tla/Gap_JoinLeave.tla", "tla/Gap_JoinLeave.cfg", "gap");
    expect(run.outcome).toEqual({ kind: "property", name: "NoWelcomeOrAddAfterLeft" });
    expect(run.errorTrace?.length).toBe(6);
  }, 60_000);

  it("the must-fail variant differs from MC_batch only in the tie-break and the properties", async () => {
    const head = (t: string) => t.replace(/\\\*.*$/gm, "").split("INVARIANTS")[0]!.replace(/Users = \d|BatchRank = "\w+"/g, "").trim();
    const good = await readFile("tla/MC_batch.cfg", "utf8");
    const bad = await readFile("tla/BatchMutant_UnrankedJoiners.cfg", "utf8");
    expect(good).toContain('BatchRank = "Uid"');
    expect(bad).toContain('BatchRank = "None"');
    expect(head(bad)).toBe(head(good));
  });

  it("batch-mates that do not rank each other both believe they are the DC", async () => {
    const run = await tlc("tla/MC_batch.tla", "tla/BatchMutant_UnrankedJoiners.cfg", "mutant");
    expect(run.outcome).toEqual({ kind: "invariant", name: "AtMostOneBelievesDc" });
  }, 60_000);

  it("batch-mates that all rank each other before themselves leave the group without a DC", async () => {
    const run = await tlc("tla/MC_batch.tla", "tla/BatchMutant_AllRankedBefore.cfg", "all");
    expect(run.outcome).toEqual({ kind: "invariant", name: "QuiescentSomeDc" });
  }, 60_000);

  it("the batched rules pass every MC_ci property at 3 users", async () => {
    const run = await tlc("tla/MC_batch.tla", "tla/MC_batch.cfg", "pass");
    expect(run.outcome).toEqual({ kind: "ok" });
    expect(run.distinctStates).toBeGreaterThan(4000);
  }, 90_000);
});
