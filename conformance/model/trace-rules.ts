// Which rules a trace of DCA's variables is of: today's single-target rules (tla/DCA.tla)
// or the batched rules (DCA.tla with tla/DCA_Batch.tla's overrides, spec/batching.md).
// Told by the form of the values, which the two refinement mappings write differently
// (conformance/model/refinement.ts, batch-refinement.ts): under the batched rules every
// local state st[u] has a `batch` field and every welcome, add and remove entry a
// `targets` set; under DCA's neither, and an entry has a `target`. A header
// (`#meta.batch`, written by the recorders and the network merge) is checked against the
// form when present, never trusted instead of it. A trace that mixes the two forms, or
// whose header says the other rules, is bad input: the message names both places.

import { TraceError } from "./vocabulary.ts";

export type TraceRules = "batched" | "single";

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === "object" && v !== null && !Array.isArray(v);
/** A sequence as ITF writes it: a JSON array or {"#tup": [...]}. */
const items = (v: unknown): unknown[] => (Array.isArray(v) ? v : isRec(v) && Array.isArray(v["#tup"]) ? v["#tup"] : []);

/** What each rule set calls itself in messages. */
export const RULES_NAME: Record<TraceRules, string> = {
  batched: "the batched rules (tla/DCA_Batch.tla)",
  single: "DCA's single-target rules (tla/DCA.tla)",
};

/**
 * The rules the trace's values are written in; "single" when nothing says (a value that
 * is not a trace at all is left to the shape checks). Throws TraceError, naming `where`
 * and the places, for a trace mixing the forms or a header contradicting them.
 */
export function traceRules(trace: unknown, where = "trace"): TraceRules {
  const first: Partial<Record<TraceRules, string>> = {};
  const saw = (rules: TraceRules, path: string) => (first[rules] ??= path);
  const states = isRec(trace) ? items(trace.states) : [];
  states.forEach((state, k) => {
    if (!isRec(state)) return;
    items(state.st).forEach((s, n) => isRec(s) && saw("batch" in s ? "batched" : "single", `$.states[${k}].st[${n}]${"batch" in s ? ".batch" : " (no batch field)"}`));
    items(state.log).forEach((e, n) => {
      if (!isRec(e)) return;
      if ("targets" in e) saw("batched", `$.states[${k}].log[${n}].targets`);
      else if ("target" in e) saw("single", `$.states[${k}].log[${n}].target`);
    });
  });
  if (first.batched && first.single) {
    throw new TraceError(`${where}: mixes the two rules' forms: ${first.batched} is of ${RULES_NAME.batched}, ${first.single} of ${RULES_NAME.single}`);
  }
  const rules: TraceRules = first.batched ? "batched" : "single";
  const header = isRec(trace) && isRec(trace["#meta"]) ? trace["#meta"].batch : undefined;
  if (header !== undefined && header !== (rules === "batched")) {
    throw new TraceError(`${where}: $["#meta"].batch says ${JSON.stringify(header)}, but its values are of ${RULES_NAME[rules]} (${first[rules] ?? "no states"})`);
  }
  return rules;
}

/** Refuses a trace of the other rules than `expected`, naming both (a TraceError); returns nothing otherwise. */
export function expectRules(trace: unknown, expected: TraceRules, where: string, instead: string): void {
  const rules = traceRules(trace, where);
  if (rules !== expected) {
    throw new TraceError(`${where}: a run of ${RULES_NAME[rules]}, not of ${RULES_NAME[expected]}: ${instead}`);
  }
}
