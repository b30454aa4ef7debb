// The widths of TLC's breadth-first levels (scripts/tlc/bfs-levels.ts): what a
// long run shows of how far it has to go.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeLevels, levelsFromSegments, LevelTracker } from "../bfs-levels.ts";
import { formatResumable, newLedger, runLevels } from "../resumable.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "bfs-levels-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** TLC's -tool framing of one message. */
const msg = (code: number, body: string) => `@!@!@STARTMSG ${code}:0 @!@!@\n${body}\n@!@!@ENDMSG ${code} @!@!@\n`;
const progress = (depth: number, distinct: number) =>
  msg(2200, `Progress(${depth}) at 2026-11-23 18:54:22: ${(distinct * 3).toLocaleString("en-US")} states generated (1 s/min), ${distinct.toLocaleString("en-US")} distinct states found (1 ds/min), 5 states left on queue.`);
const recovery = msg(2197, "Starting recovery from checkpoint /c/runs/MC-k/meta/26-11-23-16-12-12/");

function tracker(reports: [number, number][]): LevelTracker {
  const t = new LevelTracker();
  for (const [depth, distinct] of reports) t.note({ depth, distinct });
  return t;
}

describe("LevelTracker", () => {
  it("measures each level from the first report of its depth to the first of the next", () => {
    const t = tracker([[1, 1], [2, 10], [2, 40], [3, 100], [3, 130], [3, 150]]);
    expect(t.widths()).toEqual([
      { from: 1, to: 1, states: 9, open: false },
      { from: 2, to: 2, states: 90, open: false },
      { from: 3, to: 3, states: 50, open: true },
    ]);
  });

  it("joins depths one report spanned, and ignores reports without figures", () => {
    const t = tracker([[1, 1], [4, 30], [5, 70]]);
    t.note({ depth: 6 });
    t.note({ distinct: 999 });
    expect(t.widths()).toEqual([
      { from: 1, to: 3, states: 29, open: false },
      { from: 4, to: 4, states: 40, open: false },
      { from: 5, to: 5, states: 0, open: true },
    ]);
  });

  it("forgets the levels of a search that started over", () => {
    const t = tracker([[1, 1], [2, 50]]);
    t.reset();
    t.note({ depth: 1, distinct: 1 });
    expect(t.widths()).toEqual([{ from: 1, to: 1, states: 0, open: true }]);
  });
});

describe("describeLevels", () => {
  it("shows the last levels and says whether they still widen", () => {
    const widening = tracker([[26, 0], [27, 11_700_000], [28, 26_500_000], [29, 44_500_000], [29, 47_600_000]]).widths();
    expect(describeLevels(widening)).toBe("26: 11.7M, 27: 14.8M, 28: 18.0M, 29: ≥ 3.1M so far (still widening)");
    expect(describeLevels(widening, { count: 2 })).toBe("28: 18.0M, 29: ≥ 3.1M so far (still widening)");
    const narrowing = tracker([[40, 0], [41, 52_000], [42, 60_000], [43, 60_100]]).widths();
    expect(describeLevels(narrowing)).toBe("40: 52k, 41: 8000, 42: 100, 43: ≥ 0 so far (narrowing)");
  });

  it("does not call a trend from a span of several depths, nor from one level", () => {
    expect(describeLevels(tracker([[1, 0], [2, 500], [5, 600], [6, 900]]).widths())).toBe("1: 500, 2–4: 100, 5: 300, 6: ≥ 0 so far");
    expect(describeLevels(tracker([[1, 0], [4, 100], [5, 150], [6, 170], [6, 171]]).widths())).toBe("1–3: 100, 4: 50, 5: 20, 6: ≥ 1 so far (narrowing)");
    expect(describeLevels(tracker([[1, 0], [2, 5]]).widths())).toBe("1: 5, 2: ≥ 0 so far");
  });

  it("says nothing until one level is measured whole, and ends a finished search with the rest of it, no trend", () => {
    expect(describeLevels([])).toBeUndefined();
    expect(describeLevels(tracker([[4, 8]]).widths())).toBeUndefined();
    expect(describeLevels(tracker([[1, 1], [2, 3], [3, 9], [3, 12]]).widths(), { finished: true })).toBe("1: 2, 2: 6, 3 to the end: 3");
  });
});

describe("levelsFromSegments", () => {
  it("follows a run over its segments: a resumed one goes on, one that starts over forgets, a missing one is skipped", () => {
    const out = (n: number, text: string) => writeFileSync(join(dir, `segment-${n}.out`), text);
    out(1, `TLC2 Version 2.18\n${progress(1, 1)}${progress(2, 100)}${msg(2196, "Checkpointing completed")}${progress(3, 400)}`);
    // Resumed from a checkpoint at depth 2: its first reports repeat depths already measured.
    out(2, `${recovery}${msg(2198, "Recovery completed. 300 states examined. 9 states on queue.")}${progress(2, 300)}${progress(3, 420)}${progress(4, 900)}${progress(4, 1000)}`);
    const paths = [1, 2, 3].map((n) => join(dir, `segment-${n}.out`));
    expect(levelsFromSegments(paths).widths()).toEqual([
      { from: 1, to: 1, states: 99, open: false },
      { from: 2, to: 2, states: 300, open: false },
      { from: 3, to: 3, states: 500, open: false },
      { from: 4, to: 4, states: 100, open: true },
    ]);
    out(3, `${progress(1, 1)}${progress(2, 7)}`); // no recovery: the search started over
    expect(levelsFromSegments(paths).widths()).toEqual([
      { from: 1, to: 1, states: 6, open: false },
      { from: 2, to: 2, states: 0, open: true },
    ]);
  });

  it("reads a run's outputs through its ledger, and the run report shows them", () => {
    const l = newLedger({ config: "tla/MC.cfg", spec: "tla/M.tla", key: "k", fpIndex: 3 });
    l.segments.push({ n: 1, started: "", updated: "", seconds: 60, checkpoint: { at: "T1", distinct: 10 } });
    writeFileSync(join(dir, "segment-1.out"), `${progress(1, 1)}${progress(2, 10)}${progress(3, 30)}`);
    const levels = runLevels(dir, l);
    expect(levels).toBe("1: 9, 2: 20, 3: ≥ 0 so far (still widening)");
    l.final = { finishedAt: "T2", outcome: "no error", ok: true, exitCode: 0, tlc: "TLC" };
    expect(runLevels(dir, l)).toBe("1: 9, 2: 20, 3 to the end: 0");
    expect(formatResumable({ ledger: l, dir, exitCode: 2, levels })).toMatch(/\nLevels: +new distinct states per BFS level, by depth: 1: 9, 2: 20/);
    expect(formatResumable({ ledger: l, dir, exitCode: 2 })).not.toMatch(/Levels:/);
  });
});
