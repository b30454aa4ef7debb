// TLC's verdict on a recorded run of either rule set: what `npm run validate` runs. The
// run's form says which (conformance/model/trace-rules.ts: a run of the batched rules has
// st[u].batch and entries with `targets`; a `#meta.batch` header must agree): a run of
// DCA's single-target rules goes to trace-validate.ts (tla/DCA_Validate.tla), a run of
// the batched rules — the client with batch: true, recorded in-process (RunRecorder) or
// merged from network clients (network-merge.ts), or impl/batch.ts — to batch-validate.ts
// (tla/DCA_BatchValidate.tla). Never the one against the other's model: each validator
// also refuses the other form by itself.

import type { ItfTrace } from "../../scripts/tlc/formats/itf.ts";
import { traceRules, type TraceRules } from "../model/trace-rules.ts";
import { TraceError } from "../model/vocabulary.ts";
import { validateBatchRun, type BatchValidation } from "./batch-validate.ts";
import { TraceInputError, validateRun, type ValidateOptions, type ValidationResult } from "./trace-validate.ts";

export type RecordedValidation = { rules: "single"; result: ValidationResult } | { rules: "batched"; result: BatchValidation };

/** Validates the run against the model its form names. Throws TraceInputError for bad input (a mixed form included), TraceValidationError when TLC gives no verdict. */
export async function validateRecordedRun(trace: ItfTrace | unknown, opts: ValidateOptions = {}): Promise<RecordedValidation> {
  const where = opts.source ?? opts.name ?? "run";
  let rules: TraceRules;
  try {
    rules = traceRules(trace, where);
  } catch (e) {
    if (e instanceof TraceError) throw new TraceInputError(e.message);
    throw e;
  }
  if (rules === "single") return { rules, result: await validateRun(trace, opts) };
  if (opts.variant !== undefined && opts.variant !== "Correct") throw new TraceInputError(`${where}: a run of the batched rules is checked with variant Correct only, not ${opts.variant}`);
  try {
    const result = await validateBatchRun(trace as ItfTrace, {
      ...(opts.name ? { name: opts.name } : {}),
      ...(opts.outRoot ? { outRoot: opts.outRoot } : {}),
      ...(opts.jar ? { jar: opts.jar } : {}),
      source: where,
    });
    return { rules, result };
  } catch (e) {
    if (e instanceof TraceError) throw new TraceInputError(e.message);
    throw e;
  }
}
