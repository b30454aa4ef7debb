// The batched rules' traces (traces/batch/) replayed on the real client core with
// `batch: true` (impl/room.ts over impl/client/core.ts, real MLS;
// conformance/replay/core-batch-replay.ts): every step's mapped state equals the model's,
// the DC steps the core allows are the model's, MLS agrees — the code the network client
// runs, not only the reference room impl/batch.ts. Teeth: the core with batch-mates
// unranked (BatchRank "None") or all ranked ("All") diverges at the joiner's entry, at the
// field named. Budget: 30 s (about 8 s measured here).
import { describe, expect, it } from "vitest";
import { BATCH_TRACE_DIR } from "../conformance/generate/batch-traces.ts";
import { BATCH_REPLAYED_ACTIONS } from "../conformance/replay/batch-replay.ts";
import { replayBatchAllOnCore } from "../conformance/replay/core-batch-replay.ts";
import { traceFiles } from "../conformance/replay/replay-all.ts";

describe("the batched rules' traces on the client core (batch: true)", () => {
  // @spec DCA_Batch!BDcWelcome DCA_Batch!BDcAdd DCA_Batch!BDcRemove DCA_Batch!BDcSkip DCA_Batch!BEnterGroup
  it("replay step by step with real MLS: state, enabled DC steps, epochs and safety numbers as the model's", async () => {
    const r = await replayBatchAllOnCore(traceFiles(BATCH_TRACE_DIR));
    expect(r.failures.map((f) => f.message)).toEqual([]);
    for (const a of BATCH_REPLAYED_ACTIONS) expect(r.actions.get(a) ?? 0, a).toBeGreaterThan(0);
    expect(r.batchedSteps).toBeGreaterThanOrEqual(6);
    expect(r.steps).toBeGreaterThan(250);
  }, 30_000);

  it("catch batch-mates that do not rank each other, or all rank each other, at the joiner's entry", async () => {
    for (const [batchRank, field] of [["None", /st\[3\]\.ahead: model \{1, 2\}, implementation \{1\}/], ["All", /st\[2\]\.ahead: model \{1\}, implementation \{1, 3\}/]] as const) {
      const r = await replayBatchAllOnCore(traceFiles(BATCH_TRACE_DIR), { room: { batchRank } });
      expect(r.failures.length, batchRank).toBeGreaterThan(0);
      expect(r.failures.map((f) => f.message).join("\n")).toMatch(field);
      expect(r.failures.every((f) => f.step.action === "Read")).toBe(true);
    }
  }, 30_000);
});
