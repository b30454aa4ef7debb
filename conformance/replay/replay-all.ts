// Replays a set of model traces on the implementation and counts which model
// actions (and action/parameter combinations) the replays exercised.

import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { Variant } from "../../impl/types.ts";
import { readItf } from "../../scripts/tlc/formats/itf.ts";
import { ConformanceError, formatParams, replayTrace, type ReplayReport } from "./replay-trace.ts";

import { CORRECT_ACTIONS } from "../model/vocabulary.ts";

export { CORRECT_ACTIONS };

export const MODEL_TRACE_DIR = "traces/model";

/** The traces (*.itf.json) in `dir`, sorted: the model's by default; the batched (BATCH_TRACE_DIR) and zombie traces are listed the same way. */
export function traceFiles(dir: string = MODEL_TRACE_DIR): string[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith(".itf.json"))
    .sort()
    .map((n) => join(dir, n));
}

/** What a suite of replays counts: the reports, the divergences, and the steps the implementation matched. */
export interface Tally<R, E> {
  reports: R[];
  failures: E[];
  /** Steps replayed per action name. */
  actions: Map<string, number>;
  /** Steps replayed per action with its parameters, e.g. "DcWelcome(1 → 3)". */
  combinations: Map<string, number>;
  steps: number;
}

export type SuiteResult = Tally<ReplayReport, ConformanceError>;

/** A replayed step as both replays (the model's and the batched rules') report it. */
interface ReplayedStep {
  action: string;
  differences: readonly unknown[];
  mlsProblems: readonly unknown[];
  refused?: string;
}

/**
 * Replays every file with `replay`, collecting divergences (a `Divergence`, carrying the report
 * so far) instead of stopping, and counts the steps the implementation matched; `onMatched`
 * sees each of them. Any other error (bad input) is thrown. replayAll and the batched
 * replayBatchAll (batch-replay.ts) both go through it.
 */
export async function tallyReplays<R extends { steps: ReplayedStep[] }, E extends Error & { report: R }>(
  files: string[],
  replay: (file: string) => Promise<R>,
  Divergence: abstract new (...args: never[]) => E,
  label: (step: R["steps"][number]) => string,
  onMatched: (step: R["steps"][number]) => void = () => {},
): Promise<Tally<R, E>> {
  const result: Tally<R, E> = { reports: [], failures: [], actions: new Map(), combinations: new Map(), steps: 0 };
  for (const file of files) {
    let report: R;
    try {
      report = await replay(file);
    } catch (e) {
      if (!(e instanceof Divergence)) throw e;
      result.failures.push(e);
      report = e.report;
    }
    result.reports.push(report);
    for (const step of report.steps.slice(1)) {
      // A step counts as exercised only if the implementation matched the model after it.
      if (step.differences.length || step.mlsProblems.length || step.refused) continue;
      result.steps++;
      result.actions.set(step.action, (result.actions.get(step.action) ?? 0) + 1);
      const combo = label(step);
      result.combinations.set(combo, (result.combinations.get(combo) ?? 0) + 1);
      onMatched(step);
    }
  }
  return result;
}

export async function replayAll(files: string[], opts: { mls?: boolean; variant?: Variant } = {}): Promise<SuiteResult> {
  return tallyReplays(
    files,
    async (file) => replayTrace(await readItf(file), { file, mls: opts.mls ?? true, ...(opts.variant ? { variant: opts.variant } : {}) }),
    ConformanceError,
    (step) => `${step.action}${formatParams(step.params)}`,
  );
}

export const uncovered = (r: SuiteResult): string[] => CORRECT_ACTIONS.filter((a) => !r.actions.has(a));
