// TLC's random walks (-simulate): the arguments that make TLC write each walk to a
// file, the walk files it wrote, each read back as its states' TLA+ texts, and
// whether the run succeeded (TLC 1.7.x/1.8 end a good -simulate run with
// "Finished" only, no success message).

import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { TlcRun } from "./run.ts";

/** The walks TLC writes: into `dir`, `walks` of them, each of at most `depth` states, from `seed`. */
export interface SimulateOptions {
  dir: string;
  walks: number;
  depth: number;
  seed: number;
}

/** TLC's arguments for `o`: walk files `dir/walk_<worker>_<n>`. */
export const simulateArgs = (o: SimulateOptions): string[] => ["-simulate", `file=${join(o.dir, "walk")},num=${o.walks}`, "-depth", String(o.depth), "-seed", String(o.seed)];

/** True when a -simulate run found no violation and ended normally. */
export function simulationSucceeded(run: TlcRun): boolean {
  if (run.outcome.kind === "ok") return true;
  return (
    run.outcome.kind === "error" &&
    run.outcome.message === "TLC finished without reporting success or a violation" &&
    run.exitCode === 0 &&
    run.errorTrace === undefined
  );
}

/** The walk files TLC wrote into `dir` (walk_<worker>_<n>, n counting from 0), by worker then n. */
export async function walkFiles(dir: string): Promise<string[]> {
  return (await readdir(dir))
    .map((f) => ({ f, m: /^walk_(\d+)_(\d+)$/.exec(f) }))
    .filter((x) => x.m)
    .sort((a, b) => Number(a.m![1]) - Number(b.m![1]) || Number(a.m![2]) - Number(b.m![2]))
    .map((x) => x.f);
}

/**
 * Reads one walk file: a module of definitions `STATE_1 == <state>` … in TLA+
 * syntax. Returns the state texts in order.
 */
export function parseSimulationFile(text: string, source = "simulation trace"): string[] {
  const header = /^STATE_(\d+) ==[ \t]*$/gm;
  const heads = [...text.matchAll(header)];
  if (heads.length === 0) throw new Error(`${source}: no "STATE_<n> ==" definition (not a TLC -simulate trace file)`);
  const end = /^={4,}\s*$/m.exec(text);
  const stop = end ? end.index : text.length;
  return heads.map((h, i) => {
    const n = Number(h[1]);
    if (n !== i + 1) throw new Error(`${source}: STATE_${n} where STATE_${i + 1} was expected`);
    const from = h.index + h[0].length;
    const to = i + 1 < heads.length ? heads[i + 1]!.index : stop;
    return text.slice(from, to).trim();
  });
}
