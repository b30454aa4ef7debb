// TLC validates a sample of randomized runs of the implementation: runs of the
// correct implementation are behaviours of the model; a run with a known-bad switch
// is not, and TLC names the step where it left the model.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { replayTrace } from "../conformance/replay/replay-trace.ts";
import { roomProperty, teethCampaign, type CampaignOptions } from "../conformance/random/property-engine.ts";
import type { ItfTrace } from "../scripts/tlc/formats/itf.ts";
import { validateRun } from "../conformance/validate/trace-validate.ts";
import { VARIANTS, type Variant } from "../impl/types.ts";

/** Recorded runs of the room property (fast-check, fixed seed), in the order they ran. */
async function sampleRuns(variant: Variant, numRuns: number, seed: number) {
  return sampleCampaign({ ...teethCampaign(variant), numRuns, seed });
}

async function sampleCampaign(campaign: CampaignOptions & { seed: number }) {
  const { numRuns, seed } = campaign;
  const runs: { trace: ItfTrace; failed: boolean }[] = [];
  const property = roomProperty(campaign, (h, error) => {
    // Where the implementation has nothing left to do, the run says so: TLC checks the
    // claim against the correct model (DCA!Quiescent), which catches a DC ignoring work.
    const idle = h.room.uids().every((u) => h.room.state(u).status !== "active" || h.room.state(u).cursor === h.room.log.length);
    if (idle && h.room.enabledDcSteps().length === 0) h.recorder.record("Quiesced", {});
    runs.push({ trace: h.recorder.toItf(), failed: error !== undefined });
  });
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

  // Each known-bad switch: the first run the property suite fails (before shrinking)
  // is not a behaviour of the correct model. IgnoreRemoves is caught at its "Quiesced"
  // claim: the correct model still has a remove to make there.
  const bad = VARIANTS.filter((v) => v !== "Correct");
  it.each(bad)("rejects a failing random run of the %s switch", async (variant) => {
    const runs = await sampleCampaign(teethCampaign(variant));
    const failing = runs.find((r) => r.failed);
    expect(failing, `the ${variant} switch never failed the property`).toBeDefined();
    const result = await validateRun(failing!.trace, { name: `random-${variant}`, explain: false });
    expect(result.accepted, `TLC accepted a run of ${variant}`).toBe(false);
    expect(result.leftAt?.step).toBeGreaterThan(0);
  }, 120_000);
});
