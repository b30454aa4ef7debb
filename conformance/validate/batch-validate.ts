// Trace validation of the batched rules: a run of impl/batch.ts (BatchRoom), recorded
// through the batched refinement mapping (BatchRunRecorder, a ModelRunRecorder of
// run-recorder.ts), or of the client with batch: true (RunRecorder on a batch: true
// Room; network-merge.ts on a batched log), is checked by TLC against DCA with
// tla/DCA_Batch.tla's overrides. A run of DCA's single-target rules is refused, naming
// the mismatch (conformance/model/trace-rules.ts; validate-recorded.ts picks the validator)
// (tla/DCA_BatchValidate.tla, whose comment has the method;
// conformance/validate/trace-validate.ts does the same for impl/room.ts):
//  1. the run's shape is checked as the batched replay checks a trace (checkBatchTrace:
//     bad input, never a verdict);
//  2. build/validate-batch/<name>/ gets copies of the modules, a module ValidateRun.tla
//     defining the run as a constant (TraceDef) and validate.cfg with the overrides;
//  3. TLC (one worker, deadlock checking on): "Invariant NotFullyMatched is violated" =
//     accepted; "Deadlock reached" with i = m = rejected, the run left the model at ITF
//     step m; TLC's distinct states must be m + 1 (one chain), else no verdict.

import { copyFile, mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { BatchRoom } from "../../impl/batch.ts";
import type { ItfTrace } from "../../scripts/tlc/formats/itf.ts";
import { itfToTla, parseTlaState, type ItfValue } from "../../scripts/tlc/formats/tla-values.ts";
import { describeOutcome } from "../../scripts/tlc/messages.ts";
import type { ResolvedTlc } from "../../scripts/tlc/resolve.ts";
import { runTlc } from "../../scripts/tlc/run.ts";
import { expectRules } from "../model/trace-rules.ts";
import { batchModelOf, checkBatchTrace, formatBatchParams, type BatchStepParams } from "../replay/batch-replay.ts";
import { batchItfParams, ModelRunRecorder } from "./run-recorder.ts";
import { TraceValidationError } from "./trace-validate.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The modules the generated one extends, copied next to it. */
const MODULES = ["DCA.tla", "DCA_Inputs.tla", "DCA_Batch.tla", "DCA_BatchValidate.tla"];
/** DCA's single-target operators replaced by DCA_Batch's (as in tla/MC_batch.cfg). */
const OVERRIDES = [
  "Fresh <- BFresh",
  "ApplyCommit <- BApplyCommit",
  "ApplyToMember <- BApplyToMember",
  "ApplyToGroup <- BApplyToGroup",
  "EnterGroup <- BEnterGroup",
  "OnWelcome <- BOnWelcome",
  "ConfirmsWelcome <- BConfirmsWelcome",
  "DcStep <- BDcStep",
  "TypeOK <- BTypeOK",
  "NoDoubleCommit <- BNoDoubleCommit",
  "Targets <- BTargets",
];

/** Records a BatchRoom run as a trace of the batched model's variables (ITF), for TLC and the batched replay. */
export class BatchRunRecorder extends ModelRunRecorder<BatchStepParams> {
  constructor(room: BatchRoom, users: number) {
    super(
      () => batchModelOf(room, users),
      batchItfParams,
      () => ({
        description: "A run of impl/batch.ts, mapped to the batched model's variables (conformance/model/batch-refinement.ts)",
        source: "impl/batch.ts",
        variant: "Correct",
        batchRank: room.batchRank,
        users,
        batch: true,
      }),
    );
  }
}

export interface BatchValidation {
  accepted: boolean;
  steps: number;
  matched: number;
  /** Where the run left the model: the ITF index of the first state that does not follow, and its recorded step. */
  leftAt?: { step: number; action: string; params: BatchStepParams };
  users: number;
  seconds: number;
  rawOutputPath: string;
  dir: string;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** TLC's verdict on a recorded BatchRoom run. Throws TraceError for bad input, TraceValidationError when TLC gives no verdict. */
export async function validateBatchRun(trace: ItfTrace, opts: { name?: string; outRoot?: string; jar?: ResolvedTlc; /** Where the trace came from, for error messages. */ source?: string } = {}): Promise<BatchValidation> {
  const name = opts.name ?? "run";
  if (!SAFE_NAME.test(name) || name.includes("..")) throw new Error(`run name ${JSON.stringify(name)}: use letters, digits, "-", "_", "."`);
  // A run of DCA's single-target rules is never checked against the batched steps.
  expectRules(trace, "batched", opts.source ?? name, "TLC checks it against tla/DCA_Validate.tla (validateRun in trace-validate.ts; npm run validate chooses by the trace's form)");
  const { users, steps } = checkBatchTrace(trace, opts.source ?? name);
  const dir = resolve(opts.outRoot ?? join(ROOT, "build", "validate-batch"), name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const m of MODULES) await copyFile(join(ROOT, "tla", m), join(dir, m));
  const records = trace.states.map((s, k) => {
    const { action, params } = steps[k]!;
    const rec: Record<string, ItfValue> = {
      log: s.log as ItfValue, st: s.st as ItfValue, nextUid: s.nextUid as ItfValue, group: s.group as ItfValue,
      action: k === 0 ? "" : action, u: params.u ?? 0, targets: { "#set": params.targets ?? [] },
    };
    return `    \\* state ${k}: ${(k === 0 ? "Init" : action + formatBatchParams(params)).replace(/[^\x20-\x7E]/g, "?")}\n    ${itfToTla(rec)}`;
  });
  await writeFile(
    join(dir, "ValidateRun.tla"),
    [
      `${"-".repeat(20)} MODULE ValidateRun ${"-".repeat(20)}`,
      "\\* Generated by conformance/validate/batch-validate.ts: do not edit. See tla/DCA_BatchValidate.tla.",
      `\\* The run ${name}: ${trace.states.length} states, Users = ${users}.`,
      "EXTENDS DCA_BatchValidate",
      "",
      "TraceDef == <<",
      records.join(",\n"),
      ">>",
      "=".repeat(60),
      "",
    ].join("\n"),
  );
  await writeFile(
    join(dir, "validate.cfg"),
    [
      "\\* Generated by conformance/validate/batch-validate.ts (see tla/DCA_BatchValidate.tla). Deadlock checking stays ON.",
      "INIT VInit",
      "NEXT VNext",
      "INVARIANT NotFullyMatched",
      "CONSTANTS",
      `  Users = ${users}`,
      '  Variant = "Correct"',
      '  BatchRank = "Uid"',
      "  Trace <- TraceDef",
      ...OVERRIDES.map((o) => `  ${o}`),
      "",
    ].join("\n"),
  );
  const started = Date.now();
  const run = await runTlc({ workers: 1, quiet: true, ...(opts.jar ? { jar: opts.jar } : {}), spec: join(dir, "ValidateRun.tla"), config: join(dir, "validate.cfg"), outDir: join(dir, "tlc-validate") });
  const raw = run.rawOutputPath;
  const base = { steps: trace.states.length - 1, users, seconds: (Date.now() - started) / 1000, rawOutputPath: raw, dir };
  const counter = () => {
    const last = run.errorTrace?.at(-1);
    const i = last ? parseTlaState(last.stateText).i : undefined;
    if (typeof i !== "number") throw new TraceValidationError(`TLC's trace has no state with a counter i (raw output: ${raw})`, raw);
    if (run.distinctStates !== undefined && run.distinctStates !== i + 1) {
      throw new TraceValidationError(`TLC stopped at i = ${i} but found ${run.distinctStates} distinct states, not ${i + 1}: the states are not one chain (raw output: ${raw})`, raw);
    }
    return i;
  };
  const o = run.outcome;
  if (o.kind === "invariant" && o.name === "NotFullyMatched") {
    const i = counter();
    if (i !== trace.states.length) throw new TraceValidationError(`TLC reported the whole run matched, but its last state has i = ${i}, not ${trace.states.length}`, raw);
    return { accepted: true, matched: i, ...base };
  }
  if (o.kind !== "deadlock") {
    throw new TraceValidationError(`TLC gave no verdict: ${describeOutcome(o)}${o.kind === "error" ? `: ${o.message}` : ""} (raw output: ${raw})`, raw);
  }
  const m = counter();
  if (m < 0 || m >= trace.states.length) throw new TraceValidationError(`TLC deadlocked at i = ${m}, outside 0..${trace.states.length - 1}`, raw);
  return { accepted: false, matched: m, leftAt: { step: m, action: m === 0 ? "Init" : steps[m]!.action, params: steps[m]!.params }, ...base };
}

/** One line: the verdict. */
export function batchVerdictLine(r: BatchValidation): string {
  if (r.accepted) return `accepted: TLC found the run to be a behaviour of the batched rules (${r.steps} steps)`;
  const d = r.leftAt!;
  if (d.step === 0) return "rejected: the recorded state 0 is not an initial state of the batched rules";
  return `rejected: the implementation left the batched rules at step ${d.step} (${d.action}${formatBatchParams(d.params)}): no such step leads from state ${d.step - 1} to the recorded state ${d.step}`;
}

/** The report both commands print (npm run validate on a batched run, npm run validate:batch): the run, TLC, the verdict. */
export function batchReportLines(file: string, r: BatchValidation): string[] {
  return [
    `Trace:   ${file} (${r.steps + 1} states, Users = ${r.users}), checked against the batched rules (tla/DCA_BatchValidate.tla, BatchRank "Uid")`,
    `TLC:     ${r.seconds.toFixed(1)} s, one worker; output ${relative(process.cwd(), r.dir) || r.dir}`,
    "",
    batchVerdictLine(r),
    ...(!r.accepted && r.leftAt!.step > 0 ? [`  states 0..${r.leftAt!.step - 1} are a behaviour of the batched rules`] : []),
  ];
}
