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

export function traceFiles(dir: string = MODEL_TRACE_DIR): string[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith(".itf.json"))
    .sort()
    .map((n) => join(dir, n));
}

export interface SuiteResult {
  reports: ReplayReport[];
  failures: ConformanceError[];
  /** Steps replayed per action name. */
  actions: Map<string, number>;
  /** Steps replayed per action with its parameters, e.g. "DcWelcome(1 → 3)". */
  combinations: Map<string, number>;
  steps: number;
}

export async function replayAll(files: string[], opts: { mls?: boolean; variant?: Variant } = {}): Promise<SuiteResult> {
  const result: SuiteResult = { reports: [], failures: [], actions: new Map(), combinations: new Map(), steps: 0 };
  for (const file of files) {
    const trace = await readItf(file);
    let report: ReplayReport;
    try {
      report = await replayTrace(trace, { file, mls: opts.mls ?? true, ...(opts.variant ? { variant: opts.variant } : {}) });
    } catch (e) {
      if (!(e instanceof ConformanceError)) throw e;
      result.failures.push(e);
      report = e.report;
    }
    result.reports.push(report);
    for (const step of report.steps.slice(1)) {
      // A step counts as exercised only if the implementation matched the model after it.
      if (step.differences.length || step.mlsProblems.length || step.refused) continue;
      result.steps++;
      result.actions.set(step.action, (result.actions.get(step.action) ?? 0) + 1);
      const combo = `${step.action}${formatParams(step.params)}`;
      result.combinations.set(combo, (result.combinations.get(combo) ?? 0) + 1);
    }
  }
  return result;
}

export const uncovered = (r: SuiteResult): string[] => CORRECT_ACTIONS.filter((a) => !r.actions.has(a));
