// The cases every room of the batched rules must pass on the committed traces
// (traces/batch/), shared by test/batch-conformance.test.ts (impl/batch.ts) and
// test/core-batch-conformance.test.ts (the client core with batch: true): every trace
// followed with every batched action replayed, and the known-bad tie-breaks caught at the
// joiner's entry, at the field named. Not a test file itself: each caller gives its
// replay and its budget.
import { expect, it } from "vitest";
import { BATCH_TRACE_DIR } from "../conformance/generate/batch-traces.ts";
import { BATCH_REPLAYED_ACTIONS, type BatchSuiteResult } from "../conformance/replay/batch-replay.ts";
import { traceFiles } from "../conformance/replay/replay-all.ts";

/** Replays the trace files on one kind of room; `room.batchRank` switches it to a known-bad tie-break. */
export type ReplayAll = (files: string[], opts?: { room: { batchRank: "None" | "All" } }) => Promise<BatchSuiteResult>;

export function batchReplayCases(replayAll: ReplayAll, budgetMs: number): void {
  it("replay step by step with real MLS: state, enabled DC steps, epochs and safety numbers as the model's", async () => {
    const r = await replayAll(traceFiles(BATCH_TRACE_DIR));
    expect(r.failures.map((f) => f.message)).toEqual([]);
    for (const a of BATCH_REPLAYED_ACTIONS) expect(r.actions.get(a) ?? 0, a).toBeGreaterThan(0);
    expect(r.batchedSteps).toBeGreaterThanOrEqual(6);
    expect(r.steps).toBeGreaterThan(250);
  }, budgetMs);

  it("catch batch-mates that do not rank each other, or all rank each other, at the joiner's entry", async () => {
    for (const [batchRank, field] of [["None", /st\[3\]\.ahead: model \{1, 2\}, implementation \{1\}/], ["All", /st\[2\]\.ahead: model \{1\}, implementation \{1, 3\}/]] as const) {
      const r = await replayAll(traceFiles(BATCH_TRACE_DIR), { room: { batchRank } });
      expect(r.failures.length, batchRank).toBeGreaterThan(0);
      expect(r.failures.map((f) => f.message).join("\n")).toMatch(field);
      expect(r.failures.every((f) => f.step.action === "Read")).toBe(true);
    }
  }, budgetMs);
}
