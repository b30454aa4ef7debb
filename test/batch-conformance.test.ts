// The batched rules' traces (traces/batch/, npm run traces -- --batch) replayed on
// impl/batch.ts with real MLS (conformance/replay/batch-replay.ts): the committed traces
// are current and take every batched action and detail; every step's mapped state
// equals the model's, the DC steps the room allows are the model's, MLS agrees. Teeth:
// the room with batch-mates unranked (BatchRank "None"), all ranked ("All"), today's
// one-joiner-per-Welcome rule, or without R16's skip diverges, at the step and field named; malformed traces are
// refused as bad input before any step. The replay and tie-break cases are
// test/batch-replay-cases.ts's, shared with the core's test. Budget: 20 s (about 6 s measured here).
import { copyFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { BATCH_TRACE_DIR, checkBatchTraces, REQUIRED_KEYS } from "../conformance/generate/batch-traces.ts";
import { TraceError } from "../conformance/model/vocabulary.ts";
import { replayBatchAll, replayBatchTrace } from "../conformance/replay/batch-replay.ts";
import { traceFiles } from "../conformance/replay/replay-all.ts";
import { readItf } from "../scripts/tlc/formats/itf.ts";
import { batchReplayCases } from "./batch-replay-cases.ts";

describe("the batched rules' traces on impl/batch.ts", () => {
  it("are current, and take every batched action and detail (recomputed from their states)", async () => {
    const r = await checkBatchTraces();
    expect(r.problems).toEqual([]);
    expect(r.files.length).toBeGreaterThanOrEqual(20);
    for (const key of REQUIRED_KEYS) expect(r.keys.has(key), key).toBe(true);
    // A trace made from another model is reported stale.
    const stale = await checkBatchTraces(BATCH_TRACE_DIR, () => "sha256:other");
    expect(stale.stale).toHaveLength(r.files.length);
  });

  it("are refused when they no longer take a batched detail (the check has teeth)", async () => {
    // Keep only the traces that take no batched Welcome: the check must name what is missing.
    const dir = await mkdtemp(join(tmpdir(), "batch-traces-"));
    for (const f of traceFiles(BATCH_TRACE_DIR)) {
      const t = await readItf(f);
      if (!t.states.some((s) => s["#meta"]?.action === "DcWelcome" && ((s["#meta"]?.params as { targets?: { "#set": number[] } }).targets?.["#set"].length ?? 0) > 1)) {
        await copyFile(f, join(dir, basename(f)));
      }
    }
    const r = await checkBatchTraces(dir);
    expect(r.problems.join("\n")).toMatch(/no trace takes .*DcWelcome batched/);
  });

  batchReplayCases(replayBatchAll, 20_000);

  it("catch a Welcome that leaves out a joiner (today's one-per-Welcome rule in the room)", async () => {
    const r = await replayBatchAll(traceFiles(BATCH_TRACE_DIR), { room: { batch: false } });
    expect(r.failures.length).toBeGreaterThan(0);
    expect(r.failures.map((f) => f.message).join("\n")).toMatch(/enabled DC steps: model \{DcWelcome\(1 → 2,3\)\}, implementation \{DcWelcome\(1 → 2\)\}/);
  }, 20_000);

  it("catch a DC that welcomes or adds a joiner it has seen leave instead of skipping it (the rule before R16)", async () => {
    const r = await replayBatchAll(traceFiles(BATCH_TRACE_DIR), { room: { skip: false } });
    expect(r.failures.length).toBeGreaterThan(0);
    const text = r.failures.map((f) => f.message).join("\n");
    expect(text).toMatch(/enabled DC steps: model \{DcSkip\(1 → 2\)\}, implementation \{DcWelcome\(1 → 2\)\}/);
    expect(text).toMatch(/enabled DC steps: model \{DcSkip\(1 → 2\)\}, implementation \{DcAdd\(1 → 2\)\}/);
  }, 20_000);

  it("refuse a malformed trace as bad input, naming the place, before any step", async () => {
    const file = traceFiles(BATCH_TRACE_DIR).find((f) => f.includes("DcRemove-batched"))!;
    const good = await readItf(file);
    const bad = (edit: (t: typeof good) => void) => {
      const t = structuredClone(good);
      edit(t);
      return replayBatchTrace(t, { file: "bad.itf.json" });
    };
    await expect(bad((t) => (t.states[2]!["#meta"]!.action = "DcAddFirst"))).rejects.toThrow(TraceError);
    await expect(bad((t) => (t.states[2]!["#meta"]!.action = "DcAddFirst"))).rejects.toThrow(/bad\.itf\.json: \$\.states\[2\]\["#meta"\]\.action: "DcAddFirst" is not an action of the batched model/);
    const dc = good.states.findIndex((s) => s["#meta"]?.action === "DcWelcome");
    await expect(bad((t) => ((t.states[dc]!["#meta"]!.params as Record<string, unknown>).targets = [2, 3]))).rejects.toThrow(/params\.targets: expected a non-empty set of users 1\.\.3/);
    await expect(bad((t) => ((t.states[dc]!.log as Record<string, unknown>[]).at(-1)!.targets = 2))).rejects.toThrow(/\$\.states\[\d+\]: log\[\d+\]\.targets: expected a set, got 2/);
  });
});
