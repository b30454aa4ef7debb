// TLC validates recorded runs of impl/batch.ts against the batched rules
// (tla/DCA_BatchValidate.tla, conformance/validate/batch-validate.ts): random runs of the
// room (fast-check, fixed seed) and a committed trace are behaviours of DCA with
// tla/DCA_Batch.tla's overrides; a run of the room with batch-mates unranked
// (BatchRank "None") is not, and TLC names the step where it left the model: the joiner's
// Read of the Add that confirms its batched Welcome; a tampered trace is refused at the
// tampered step. About 3 s of TLC per run. Budget: 40 s (about 20 s measured here).
import { describe, expect, it } from "vitest";
import { runBatchCampaign, type BatchHarness } from "../conformance/random/batch-engine.ts";
import { RunFailure } from "../conformance/random/property-engine.ts";
import { batchVerdictLine, validateBatchRun } from "../conformance/validate/batch-validate.ts";
import { readItf, type ItfTrace } from "../scripts/tlc/formats/itf.ts";
import { skipWithoutTlc, testJar } from "./local-tlc.ts";

const CAMPAIGN = { users: 4, arrivals: 6, maxCommands: 40 } as const;

describe.skipIf(skipWithoutTlc)("TLC validates recorded runs of impl/batch.ts against the batched rules", () => {
  it("accepts random runs of the batched room, batched steps included", async () => {
    // The first two runs (fixed seed) with a batched Welcome, Add or Remove.
    const runs: ItfTrace[] = [];
    await runBatchCampaign({ ...CAMPAIGN, numRuns: 10, seed: 21, onRun: (h: BatchHarness) => {
      if (h.batched > 0 && runs.length < 2) runs.push(h.recorder.toItf());
    } });
    expect(runs).toHaveLength(2);
    for (const [k, trace] of runs.entries()) {
      const r = await validateBatchRun(trace, { name: `batch-random-${k}`, jar: testJar() });
      expect(r.accepted, batchVerdictLine(r)).toBe(true);
      expect(r.matched).toBe(trace.states.length);
    }
  }, 60_000);

  it("rejects a run with batch-mates unranked, at the joiner's entering step", async () => {
    const r = await runBatchCampaign({ ...CAMPAIGN, numRuns: 50, seed: 16, batchRank: "None", shrink: false });
    expect(r.failed).toBe(true);
    const failure = r.error as RunFailure;
    const v = await validateBatchRun(r.trace!, { name: "batch-rank-none", jar: testJar() });
    expect(v.accepted).toBe(false);
    // The joiner enters with the wrong rank before the two DCs show: TLC stops there.
    expect(v.leftAt!.action).toBe("Read");
    expect(v.leftAt!.step).toBeLessThanOrEqual(failure.stateIndex);
    expect(batchVerdictLine(v)).toMatch(/^rejected: the implementation left the batched rules at step \d+ \(Read\(\d\)\)/);
    // The state before it is a behaviour of the model: the run up to there is accepted.
    const prefix = { ...r.trace!, states: r.trace!.states.slice(0, v.leftAt!.step) };
    expect((await validateBatchRun(prefix, { name: "batch-rank-none-prefix", jar: testJar() })).accepted).toBe(true);
  }, 60_000);

  it("rejects a tampered committed trace at the tampered step", async () => {
    // (The committed traces are behaviours of the model by construction; the replay checks them.)
    const trace = await readItf("traces/batch/cover-Leave-dc-mid-batch.itf.json");
    const k = trace.states.findIndex((s) => s["#meta"]?.action === "DcWelcome");
    const bad = structuredClone(trace);
    // The Welcome leaves out joiner 3: its entry names {2} only.
    const log = bad.states[k]!.log as { targets?: unknown }[];
    log.at(-1)!.targets = { "#set": [2] };
    const v = await validateBatchRun(bad, { name: "batch-tampered", jar: testJar() });
    expect(v.accepted).toBe(false);
    expect(v.leftAt!.step).toBe(k);
  }, 60_000);
});
