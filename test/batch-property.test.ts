// Property-based tests of the batched rules on real MLS (conformance/random/batch-engine.ts):
// fast-check drives impl/batch.ts with the commands of conformance/random/property-engine.ts
// (joins, leaves — the DC's too —, reads, the DC steps the room offers, quiesce), and after
// every step the model's invariants and step properties (conformance/random/invariants.ts)
// hold on the room mapped to the batched model, MLS agrees with it, and every quiesce ends
// converged with one safety number. Teeth: the known-bad tie-breaks of tla/DCA_Batch.tla's
// BatchRank, switched on in the room, fail the property with the property TLC reports
// for them (spec/batching.md section 2), and so does the room without R16's skip
// (NoWelcomeOrAddAfterLeft). Budget: 25 s (about 8 s measured here).
import { describe, expect, it } from "vitest";
import { runBatchCampaign } from "../conformance/random/batch-engine.ts";
import { RunFailure } from "../conformance/random/property-engine.ts";

const CAMPAIGN = { users: 4, arrivals: 6, maxCommands: 40 } as const;

describe("random runs of impl/batch.ts against the model's properties (real MLS)", () => {
  it("the batched rules keep every invariant and step property, and every quiesce converges", async () => {
    const r = await runBatchCampaign({ ...CAMPAIGN, numRuns: 50, seed: 16 });
    expect(r.failed, String((r.error as Error | undefined)?.message)).toBe(false);
    expect(r.numRuns).toBe(50);
    for (const a of ["Join", "Leave", "Read", "DcWelcome", "DcAdd", "DcRemove", "DcSkip", "Revive"]) expect(r.actions.get(a) ?? 0, a).toBeGreaterThan(0);
    expect(r.batched).toBeGreaterThan(10); // Welcomes, Adds and Removes of two targets or more
    expect(r.converged).toBeGreaterThan(20);
  }, 30_000);

  it("batch-mates that do not rank each other make two DCs (AtMostOneBelievesDc)", async () => {
    const r = await runBatchCampaign({ ...CAMPAIGN, numRuns: 50, seed: 16, batchRank: "None", shrink: false });
    expect(r.failed).toBe(true);
    expect(r.error).toBeInstanceOf(RunFailure);
    expect((r.error as RunFailure).property).toBe("AtMostOneBelievesDc");
  }, 30_000);

  it("a DC that welcomes a joiner it has seen leave, instead of skipping it, breaks NoWelcomeOrAddAfterLeft (R16)", async () => {
    const r = await runBatchCampaign({ ...CAMPAIGN, numRuns: 50, seed: 16, skip: false, shrink: false });
    expect(r.failed).toBe(true);
    expect((r.error as RunFailure).property).toBe("NoWelcomeOrAddAfterLeft");
  }, 30_000);

  it("batch-mates that all rank each other leave the group without a DC", async () => {
    const r = await runBatchCampaign({ ...CAMPAIGN, numRuns: 50, seed: 16, batchRank: "All", shrink: false });
    expect(r.failed).toBe(true);
    const names = (r.error as RunFailure).violations.map((v) => v.property);
    expect(names.some((n) => ["QuiescentSomeDc", "QuiescentNoPendings", "Converged"].includes(n)), names.join()).toBe(true);
  }, 30_000);
});
