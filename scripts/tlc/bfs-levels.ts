// How wide TLC's breadth-first levels are, read from its progress reports.
//
// A breadth-first search cannot say how much is left, but the widths of its levels
// hint at it: while they grow the end is far off; once they shrink it is in sight.
// TLC reports its depth and the distinct states found so far about once a minute.
// The distinct count at the first report of a depth marks where that level began,
// to within a minute of work, so consecutive marks give the levels' widths. A long
// run is several TLC invocations (segments, see tlc-resumable.ts); their outputs
// are read in order, and a segment that did not recover from a checkpoint started
// the search over, so only it and the segments after it count.

import { readFileSync } from "node:fs";
import { EC, parseProgress, TlcOutputSplitter } from "./messages.ts";

export interface LevelWidth {
  /** The depth TLC reported; `to` > `from` when one minute spanned several depths. */
  from: number;
  to: number;
  /** Distinct states found while TLC reported these depths. */
  states: number;
  /** The level TLC is still in: its width so far. */
  open: boolean;
}

export class LevelTracker {
  /** Depth → distinct states at the first report of that depth. */
  private starts = new Map<number, number>();
  private latest = 0;

  /** Feeds one progress report; reports of a depth already seen only move "so far". */
  note(p: { depth?: number | undefined; distinct?: number | undefined }): void {
    if (p.depth === undefined || p.distinct === undefined) return;
    if (!this.starts.has(p.depth)) this.starts.set(p.depth, p.distinct);
    this.latest = Math.max(this.latest, p.distinct);
  }

  /** A search that starts over forgets the levels of the one before. */
  reset(): void {
    this.starts.clear();
    this.latest = 0;
  }

  widths(): LevelWidth[] {
    const depths = [...this.starts.keys()].sort((a, b) => a - b);
    return depths.map((d, i) => {
      const next = depths[i + 1];
      const start = this.starts.get(d)!;
      return next === undefined
        ? { from: d, to: d, states: this.latest - start, open: true }
        : { from: d, to: next - 1, states: this.starts.get(next)! - start, open: false };
    });
  }
}

const short = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${Math.round(n / 1e3)}k` : String(n);

/**
 * "27: 14.8M, 28: 18.0M, 29: ≥ 3.1M so far (still widening)": the last `count` levels and
 * their trend; undefined until one level has been measured whole. Once the search has
 * finished, its last level is the rest of the search.
 */
export function describeLevels(widths: LevelWidth[], opts: { count?: number; finished?: boolean } = {}): string | undefined {
  if (!widths.some((w) => !w.open)) return undefined;
  const shown = widths.slice(-(opts.count ?? 6)).map((w) => {
    const depth = w.to > w.from ? `${w.from}–${w.to}` : String(w.from);
    if (!w.open) return `${depth}: ${short(w.states)}`;
    return opts.finished ? `${depth} to the end: ${short(w.states)}` : `${depth}: ≥ ${short(w.states)} so far`;
  });
  // The two newest finished levels, if they are single adjacent depths: a span of several
  // depths is wider by construction, so it cannot be compared with one.
  const [a, b] = widths.filter((w) => !w.open).slice(-2);
  const comparable = a && b && a.from === a.to && b.from === b.to && b.from === a.from + 1;
  const trend = !comparable || opts.finished ? "" : b.states > a.states ? " (still widening)" : " (narrowing)";
  return `${shown.join(", ")}${trend}`;
}

/** The levels of a resumable run, from its segments' raw outputs (in order; missing ones skipped). */
export function levelsFromSegments(paths: string[]): LevelTracker {
  const tracker = new LevelTracker();
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      continue; // a segment stopped before TLC wrote anything
    }
    const splitter = new TlcOutputSplitter();
    const reports: ReturnType<typeof parseProgress>[] = [];
    let recovered = false;
    for (const ev of [...splitter.push(text), ...splitter.end()]) {
      if (ev.type !== "message") continue;
      if (ev.message.code === EC.TLC_CHECKPOINT_RECOVER_START) recovered = true;
      if (ev.message.code === EC.TLC_PROGRESS_STATS) reports.push(parseProgress(ev.message.body));
    }
    if (!recovered && reports.length > 0) tracker.reset();
    for (const r of reports) tracker.note(r);
  }
  return tracker;
}
