// Step labels of a DCA trace: the acting user and target of each step, recorded in
// #meta.params or derived from two consecutive states (TLC's counterexamples record
// none), and how a step is written ("DcWelcome(2 → 3)"). Pure: the viewer uses it
// without loading the implementation or MLS; the replay uses it too.

import type { ItfTrace } from "../../scripts/tlc/formats/itf.ts";
import type { ItfValue } from "../../scripts/tlc/formats/tla-values.ts";
import { diffValues } from "./diff.ts";

export interface StepParams {
  u?: number;
  target?: number;
}

/** Where a step's parameters came from: recorded by the trace, or derived from consecutive states. */
export type ParamsFrom = "recorded" | "derived" | "none";

export const formatParams = (p: StepParams) =>
  p.u === undefined ? "" : `(${p.u}${p.target === undefined ? "" : ` → ${p.target}`})`;

const asRecord = (v: ItfValue | undefined) => v as unknown as Record<string, ItfValue>;

/** Actions that need to know who acted (params.u, recorded or derived); Join's UID is the room's to give. */
export const NEEDS_ACTOR = new Set(["Leave", "Read", "DcWelcome", "DcAdd", "DcRemove", "DcSkip", "DcAddFirst", "DcLateWelcome", "Revive", "Announce", "Stop"]);

/** Parameters of step i: recorded in #meta.params, else derived from the states (TLC counterexamples). */
export function stepParams(trace: ItfTrace, i: number): { params: StepParams; from: ParamsFrom } {
  const meta = trace.states[i]!["#meta"] ?? {};
  if (meta.params && typeof meta.params === "object") return { params: meta.params as StepParams, from: "recorded" };
  return deriveStepParams(trace, i);
}

/** Parameters of step i as the states show them, whatever #meta.params says; throws when they do not tell. */
export function deriveStepParams(trace: ItfTrace, i: number): { params: StepParams; from: ParamsFrom } {
  const action = String(trace.states[i]!["#meta"]?.action ?? "");
  const prev = trace.states[i - 1]!, next = trace.states[i]!;
  const before = prev.st as ItfValue[], after = next.st as ItfValue[];
  const rec = (v: ItfValue | undefined) => asRecord(v);
  if (action === "Join") return { params: { u: prev.nextUid as number }, from: "derived" };
  if (action === "AllGone" || action === "Initial predicate") return { params: {}, from: "none" };
  if (action === "Leave") {
    const u = before.findIndex((s, k) => rec(s).status === "active" && rec(after[k]).status === "gone");
    return { params: { u: u + 1 }, from: "derived" };
  }
  // Read and the DC's steps: the one active user whose state changed beyond the log
  // compaction that shifts every cursor alike.
  const active = before.map((s, k) => k).filter((k) => rec(before[k]).status === "active" && rec(after[k]).status === "active");
  const shift = (k: number) => (rec(after[k]).cursor as number) - (rec(before[k]).cursor as number);
  const minShift = Math.min(...active.map(shift));
  const same = (k: number) => {
    const a = { ...rec(before[k]), cursor: 0 }, b = { ...rec(after[k]), cursor: 0 };
    return diffValues(a as unknown as ItfValue, b as unknown as ItfValue).length === 0;
  };
  const changed = active.filter((k) => shift(k) > minShift || !same(k));
  const candidates = changed.length ? changed : action === "Read" && active.length === 1 ? active : [];
  if (candidates.length !== 1) {
    throw new Error(`step ${i} (${action}): cannot tell which user acted from the states (candidates ${candidates.map((k) => k + 1).join(", ") || "none"})`);
  }
  const u = candidates[0]! + 1;
  const log = next.log as ItfValue[];
  const last = log.length ? rec(log[log.length - 1]) : undefined;
  // A DC step's target is whom its entry is about: a Welcome's or Commit's target, a skip's joiner (R16).
  const about = last && (last.type === "skipped" ? last.uid : last.target);
  const target = action.startsWith("Dc") && typeof about === "number" ? about : undefined;
  return { params: target === undefined ? { u } : { u, target }, from: "derived" };
}
