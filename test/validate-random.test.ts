// TLC validates a sample of randomized runs of the implementation: runs of the
// correct implementation are behaviours of the model; a run with a known-bad switch
// is not, and TLC names the step where it left the model.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { replayTrace } from "../conformance/replay.ts";
import { roomProperty } from "../conformance/room-commands.ts";
import type { ItfTrace } from "../scripts/lib/itf.ts";
import { validateRun } from "../scripts/lib/trace-validate.ts";

/** Recorded runs of the room property (fast-check, fixed seed), in the order they ran. */
async function sampleRuns(variant: "Correct" | "NoSkipOwnAdd", numRuns: number, seed: number) {
  const runs: { trace: ItfTrace; failed: boolean }[] = [];
  const property = roomProperty({ mls: false, variant, users: 4, arrivals: 5, maxCommands: 40 }, (h, error) =>
    runs.push({ trace: h.recorder.toItf(), failed: error !== undefined }),
  );
  await fc.check(property, { numRuns, seed, endOnFailure: true });
  return runs;
}

describe("TLC validates randomized runs of the implementation", () => {
  it("accepts a sample of runs of the correct implementation", async () => {
    const runs = await sampleRuns("Correct", 3, 20261123);
    expect(runs.length).toBe(3);
    const results = await Promise.all(
      runs.map((r, k) => validateRun(r.trace, { name: `random-correct-${k}`, explain: false })),
    );
    for (const [k, result] of results.entries()) {
      expect(result.accepted, `run ${k} rejected at step ${result.leftAt?.step}`).toBe(true);
      expect(result.steps).toBe(runs[k]!.trace.states.length - 1);
    }
    expect(results.reduce((n, r) => n + r.steps, 0)).toBeGreaterThan(20);
  }, 120_000);

  it("rejects a run of the NoSkipOwnAdd switch at the step where it leaves the model", async () => {
    const runs = await sampleRuns("NoSkipOwnAdd", 20, 7);
    const bad = runs.find((r) => r.failed);
    expect(bad, "the switch never failed the property").toBeDefined();
    const result = await validateRun(bad!.trace, { name: "random-noskip" });
    expect(result.accepted).toBe(false);
    // The replay on the correct implementation diverges at the same step.
    const replay = await replayTrace(bad!.trace, { file: "random NoSkipOwnAdd run", mls: false, variant: "Correct", stopAtDivergence: false }).catch(
      (e: { report?: { firstDivergence?: number } }) => e.report,
    );
    expect(result.leftAt?.step).toBe(replay?.firstDivergence);
  }, 120_000);
});
