// The implementation, on real MLS, follows every committed model trace step by
// step; every action of the model is replayed; and every known-bad switch of the
// implementation makes the conformance suite fail.
import { describe, expect, it, vi } from "vitest";
import { ConformanceError, replayTrace } from "../conformance/replay/replay-trace.ts";
import { CORRECT_ACTIONS, replayAll, traceFiles, uncovered } from "../conformance/replay/replay-all.ts";
import { Room } from "../impl/room.ts";
import { VARIANTS, type Variant } from "../impl/types.ts";
import { readItf } from "../scripts/tlc/formats/itf.ts";

const modelTraces = traceFiles();
// TLC's counterexamples (npm run mutants); fuzz-*.itf.json are runs of the implementation.
const counterexamples = traceFiles("traces/counterexamples").filter((f) => /\/(Mutant|Regression|Liveness|Gap)_/.test(f));

describe("model traces replay on the implementation (real MLS)", () => {
  it("there are model traces to replay", () => {
    expect(modelTraces.length).toBeGreaterThanOrEqual(10);
  });

  it.each(modelTraces)("%s", async (file) => {
    const report = await replayTrace(await readItf(file), { file, mls: true });
    expect(report.firstDivergence).toBeUndefined();
  });

  it("replays every action of the model", async () => {
    const result = await replayAll(modelTraces, { mls: false });
    expect(result.failures).toEqual([]);
    expect(uncovered(result)).toEqual([]);
    for (const action of CORRECT_ACTIONS) expect(result.actions.get(action)).toBeGreaterThan(0);
  });
});

describe("teeth: every known-bad implementation switch fails the conformance suite", () => {
  const bad = VARIANTS.filter((v): v is Exclude<Variant, "Correct"> => v !== "Correct");
  it.each(bad)("%s", async (variant) => {
    const result = await replayAll(modelTraces, { mls: true, variant });
    expect(result.failures.length, `no model trace catches the ${variant} switch`).toBeGreaterThan(0);
    expect(result.failures[0]).toBeInstanceOf(ConformanceError);
  });
});

// @spec DCA!DcAddFirst — Mutant_AddBeforeWelcome replays the known-bad Add before its Welcome.
describe("TLC counterexamples replay on the implementation", () => {
  // With the same switch as the model variant, the implementation follows the bad
  // rule; for these three, real MLS refuses to go where the model went.
  const caughtByMls: Record<string, string> = {
    "Mutant_NoSkipOwnAdd.itf.json": "MLS epoch 1, model epoch 2",
    "Mutant_WelcomeOutOfOrder.itf.json": "not a member",
    "Mutant_DcLowestAlive.itf.json": "no MLS group",
  };
  it.each(counterexamples)("%s", async (file) => {
    const trace = await readItf(file);
    const expected = Object.entries(caughtByMls).find(([name]) => file.endsWith(name))?.[1];
    if (!expected) {
      const report = await replayTrace(trace, { file, mls: true });
      expect(report.firstDivergence).toBeUndefined();
      return;
    }
    const error = await replayTrace(trace, { file, mls: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConformanceError);
    expect((error as ConformanceError).message).toContain(expected);
  });
});

// @spec DCA_Inputs!LastArrival — the room checks arrivals against each member's last
// arrival read, a variable the model does not have: the replay compares it with the
// value the model's log implies, so a member that miscounts is caught at once.
describe("the implementation's last-arrival counter follows the model", () => {
  it("a member whose counter is one off is a divergence at the first step", async () => {
    const file = modelTraces[0]!;
    const real = Room.prototype.lastArrival;
    const spy = vi.spyOn(Room.prototype, "lastArrival").mockImplementation(function (this: Room, uid: number) {
      return real.call(this, uid) + 1;
    });
    try {
      const error = await replayTrace(await readItf(file), { file, mls: false }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConformanceError);
      expect((error as ConformanceError).message).toMatch(/lastArrival of member 1 \(DCA_Inputs!LastArrival\): model \d+, implementation \d+/);
      expect((error as ConformanceError).step.index).toBeLessThanOrEqual(1);
    } finally {
      spy.mockRestore();
    }
  });
});
