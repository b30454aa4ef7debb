// Batched adds and removes, a candidate rule (spec/batching.md, tla/DCA_Batch.tla), and
// join-then-leave (R16). The rule before R16 welcomes a joiner whose `left` the DC has
// read (tla/Mutant_NoSkip.cfg fails with NoWelcomeOrAddAfterLeft, 6 states), and so do
// the batched rules without R16's skip (the same batched configuration with
// Variant = "NoSkip"); the batched rules pass every MC_ci property, R16's included, at 3
// users (tla/MC_batch.cfg; 4 users and the reduced model at 5 are explicit runs,
// tla/models.json);
// joiners of one batch that do not rank each other by UID make two DCs
// (tla/BatchMutant_UnrankedJoiners.cfg fails with AtMostOneBelievesDc), so the passing
// checks have teeth: the same configuration with the tie-break removed fails, and with
// every batch-mate ranked first the group has no DC (BatchMutant_AllRankedBefore, QuiescentSomeDc).
// Budget: 60 s on one worker (five small runs).
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
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

  // @spec DCA!NoWelcomeOrAddAfterLeft DCA!DcSkip R16
  it("the rule before R16 welcomes a joiner whose `left` the DC has read (Mutant_NoSkip, 6 states)", async () => {
    const run = await tlc("tla/DCA.tla", "tla/Mutant_NoSkip.cfg", "noskip");
    expect(run.outcome).toEqual({ kind: "property", name: "NoWelcomeOrAddAfterLeft" });
    expect(run.errorTrace?.length).toBe(6);
  }, 60_000);

  it("so do the batched rules without R16's skip: a batch then welcomes a joiner that has left", async () => {
    const good = await readFile("tla/MC_batch.cfg", "utf8");
    expect(good).toContain("  NoWelcomeOrAddAfterLeft\n");
    const cfg = join(OUT, "batch-noskip.cfg");
    await writeFile(cfg, good.replace('Variant = "Correct"', 'Variant = "NoSkip"').replace(/INVARIANTS[\s\S]*$/, "PROPERTIES\n  NoWelcomeOrAddAfterLeft\n"));
    const run = await tlc("tla/MC_batch.tla", cfg, "batch-noskip");
    expect(run.outcome).toEqual({ kind: "property", name: "NoWelcomeOrAddAfterLeft" });
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
