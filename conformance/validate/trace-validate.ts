// Trace validation (as CCF and etcd-raft do it): TLC decides whether a recorded
// run -- an ITF trace of the model's variables, as conformance/validate/run-recorder.ts writes
// it, or any trace of tla/DCA.tla -- is a behaviour of the model, and if not, at
// which step it left the model. A run of the batched rules (conformance/model/trace-rules.ts)
// is refused here, naming the mismatch: batch-validate.ts checks it
// (validate-recorded.ts, which `npm run validate` runs, picks by the run's form).
//
// How (the auditor's account is at the top of tla/DCA_Validate.tla):
//  1. The trace's shape is checked and normalised here, so that TLC only ever
//     compares like with like: first the checks every reader of a DCA trace makes
//     (conformance/model/vocabulary.ts: DCA!TypeOK's shapes, the model's actions, a
//     known variant; the replay and the viewer make the same), then this file's
//     own (exactly DCA's four variables and record fields, TLC's integers).
//     A trace that fails them is bad input (TraceInputError), never a verdict.
//  2. A directory build/validate/<name>/ gets copies of tla/DCA.tla and
//     tla/DCA_Validate.tla, a module ValidateRun.tla that EXTENDS DCA_Validate
//     and defines the run as a TLA+ constant (TraceDef; standard modules only,
//     so there is no reading JSON at check time), and validate.cfg.
//  3. TLC (one worker, deadlock checking on) runs it. "Invariant NotFullyMatched
//     is violated" = accepted; "Deadlock reached" = rejected, and the last state
//     of TLC's trace holds i = m, the number of recorded states matched: the run
//     left the model at step m (0-based ITF index). TLC's distinct-state count
//     must be m + 1 (the reachable states are one chain); anything else is an
//     error, never a verdict.
//  4. On rejection (m > 0), a second small run (ExplainRun.tla, explain.cfg, on
//     the two states m-1 and m) says what the recorded step leads to in the model
//     (diffed field by field against the recorded state m) and whether state m is
//     reachable from state m-1 by some other step of DCA.

import { copyFile, mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { diffValues } from "../model/diff.ts";
import { VARIANTS } from "../../impl/types.ts";
import { expectRules } from "../model/trace-rules.ts";
import { checkDcaTrace as checkDcaShape, DCA_VARS, KNOWN_ACTIONS, TraceError } from "../model/vocabulary.ts";
import { ItfError, validateItf, type ItfTrace } from "../../scripts/tlc/formats/itf.ts";
import { isItfRecord, itfToTla, parseTlaState, type ItfValue } from "../../scripts/tlc/formats/tla-values.ts";
import { describeOutcome, type TraceStep } from "../../scripts/tlc/messages.ts";
import type { ResolvedTlc, ResolveOptions } from "../../scripts/tlc/resolve.ts";
import { runTlc, type TlcRun } from "../../scripts/tlc/run.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** Text that goes into a TLA+ line comment: one line, printable ASCII (and arrows). */
const commentSafe = (s: string) => s.replace(/[^\x20-\x7E→]/g, "?");

/** The input is not a trace of tla/DCA.tla (or cannot be checked); no verdict. */
export class TraceInputError extends Error {
  override name = "TraceInputError";
}

/** TLC ran but gave no verdict (evaluation error, unexpected outcome, inconsistent counts). */
export class TraceValidationError extends Error {
  override name = "TraceValidationError";
  constructor(
    message: string,
    readonly rawOutputPath?: string,
  ) {
    super(message);
  }
}

export interface StepLabel {
  u?: number;
  target?: number;
}

export interface ValidateOptions {
  /** Names the directory build/validate/<name>/ (letters, digits, - _ .); default "run". */
  name?: string;
  /** Default <repo>/build/validate. */
  outRoot?: string;
  /** The model variant to check against; default "Correct" (whatever the implementation's switch). */
  variant?: string;
  /** Where DCA.tla and DCA_Validate.tla are; default <repo>/tla. */
  tlaDir?: string;
  /** Default: resolveTlc(). */
  jar?: ResolvedTlc;
  resolve?: ResolveOptions;
  /** On rejection, run TLC once more to explain the divergence (default true). */
  explain?: boolean;
  /** Where the trace came from, for the generated module's header. */
  source?: string;
}

export interface Divergence {
  /** The 0-based index (ITF "#meta".index) of the first state that does not follow. */
  step: number;
  /** The recorded action and parameters of that state ("" if none recorded). */
  action: string;
  params: StepLabel;
  /**
   * "not-initial": state 0 is not an initial state of DCA;
   * "no-step": no step of DCA leads from state step-1 to state step;
   * "other-step": state step follows from state step-1 by a step of DCA, but not by the recorded one;
   * undefined: not explained (explain: false).
   */
  kind?: "not-initial" | "no-step" | "other-step";
  /** Whether the recorded step is enabled in state step-1 (when explained). */
  enabled?: boolean;
  /**
   * Where the state the recorded step leads to in the model differs from the recorded
   * state; when it can lead to several (no user recorded), the closest of them.
   */
  differences?: { path: string; model: string; recorded: string }[];
  /** How many distinct states the recorded step can lead to in the model. */
  successors?: number;
}

export interface TlcRunInfo {
  purpose: "validate" | "explain";
  outcome: string;
  seconds?: number;
  wallSeconds: number;
  distinctStates?: number;
  rawOutputPath: string;
}

export interface ValidationResult {
  accepted: boolean;
  /** Steps (transitions) in the trace: states - 1. */
  steps: number;
  /** How many recorded states TLC matched (all of them when accepted). */
  matched: number;
  leftAt?: Divergence;
  users: number;
  variant: string;
  tlc: { label: string; version?: string; jar: string; java?: string; runs: TlcRunInfo[] };
  /** The validation run's raw TLC output. */
  rawOutputPath: string;
  /** build/validate/<name>/ */
  dir: string;
  warnings: string[];
}

// ---------------------------------------------------------------------------
// Shape check and normalisation

const TLC_INT_MAX = 2 ** 31 - 1; // TLC's integers are Java ints

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === "object" && v !== null && !Array.isArray(v);

class Shape {
  constructor(readonly where: string) {}

  fail(path: string, what: string): never {
    throw new TraceInputError(`${this.where}: ${path}: ${what}`);
  }

  int(v: unknown, path: string): number {
    let n: number | undefined;
    if (typeof v === "number" && Number.isInteger(v)) n = v;
    else if (isRec(v) && typeof v["#bigint"] === "string" && /^-?\d+$/.test(v["#bigint"])) n = Number(v["#bigint"]);
    if (n === undefined) this.fail(path, `expected an integer, found ${show(v)}`);
    if (Math.abs(n) > TLC_INT_MAX) this.fail(path, `${n} is beyond TLC's integers (±${TLC_INT_MAX})`);
    return n;
  }

  bool(v: unknown, path: string): boolean {
    if (typeof v !== "boolean") this.fail(path, `expected a boolean, found ${show(v)}`);
    return v;
  }

  str(v: unknown, path: string): string {
    if (typeof v !== "string") this.fail(path, `expected a string, found ${show(v)}`);
    return v;
  }

  /** A sequence: a JSON array, {"#tup": […]}, or {"#map"} with keys exactly 1..n. */
  seq(v: unknown, path: string): unknown[] {
    if (Array.isArray(v)) return v;
    if (isRec(v) && Array.isArray(v["#tup"])) return v["#tup"];
    if (isRec(v) && Array.isArray(v["#map"])) {
      const pairs = v["#map"] as unknown[];
      const byKey = new Map<number, unknown>();
      for (const p of pairs) {
        if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== "number") this.fail(path, "expected a sequence (a function with domain 1..n)");
        byKey.set(p[0], p[1]);
      }
      const out: unknown[] = [];
      for (let k = 1; k <= byKey.size; k++) {
        if (!byKey.has(k)) this.fail(path, "expected a sequence (a function with domain 1..n)");
        out.push(byKey.get(k));
      }
      return out;
    }
    return this.fail(path, `expected a sequence, found ${show(v)}`);
  }

  intSeq(v: unknown, path: string): ItfValue {
    return this.seq(v, path).map((x, k) => this.int(x, `${path}[${k}]`));
  }

  intSet(v: unknown, path: string): ItfValue {
    if (!isRec(v) || !Array.isArray(v["#set"]) || Object.keys(v).length !== 1) this.fail(path, `expected a set {"#set": […]}, found ${show(v)}`);
    const xs = (v["#set"] as unknown[]).map((x, k) => this.int(x, `${path}["#set"][${k}]`));
    return { "#set": [...new Set(xs)].sort((a, b) => a - b) };
  }

  /** A record with exactly these fields, each normalised by its check. */
  record(v: unknown, path: string, fields: Record<string, (x: unknown, p: string) => ItfValue>): ItfValue {
    if (!isItfRecord(v)) this.fail(path, `expected a record, found ${show(v)}`);
    const missing = Object.keys(fields).filter((f) => !(f in v));
    if (missing.length) this.fail(path, `record is missing field${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
    const extra = Object.keys(v).filter((f) => !(f in fields));
    if (extra.length) this.fail(path, `record has field${extra.length > 1 ? "s" : ""} ${extra.join(", ")} that DCA does not have`);
    const out: Record<string, ItfValue> = {};
    for (const [f, check] of Object.entries(fields)) out[f] = check(v[f], `${path}.${f}`);
    return out;
  }

  entry(v: unknown, path: string): ItfValue {
    const type = isRec(v) ? v.type : undefined;
    const int = (x: unknown, p: string) => this.int(x, p);
    const str = (x: unknown, p: string) => this.str(x, p);
    switch (type) {
      case "joined":
      case "left":
        return this.record(v, path, { type: str, uid: int });
      case "skipped":
        return this.record(v, path, { type: str, uid: int, sender: int });
      case "welcome":
        return this.record(v, path, {
          type: str,
          target: int,
          epoch: int,
          sender: int,
          members: (x, p) => this.intSet(x, p),
          removes: (x, p) => this.intSeq(x, p),
        });
      case "add":
      case "remove":
        return this.record(v, path, { type: str, target: int, epoch: int, sender: int, parent: int });
      default:
        return this.fail(path, `expected a DCA log entry (type joined, left, skipped, welcome, add or remove), found ${show(v)}`);
    }
  }

  member(v: unknown, path: string): ItfValue {
    const int = (x: unknown, p: string) => this.int(x, p);
    const set = (x: unknown, p: string) => this.intSet(x, p);
    const seq = (x: unknown, p: string) => this.intSeq(x, p);
    return this.record(v, path, {
      status: (x, p) => this.str(x, p),
      cursor: int,
      welcomed: (x, p) => this.bool(x, p),
      tentative: (x, p) => (isRec(x) && x.type === "none" ? this.record(x, p, { type: (y, q) => this.str(y, q) }) : this.entry(x, p)),
      epoch: int,
      by: int,
      members: set,
      ahead: set,
      pendingAdds: seq,
      pendingRemoves: seq,
      adding: int,
    });
  }

  group(v: unknown, path: string): ItfValue {
    const int = (x: unknown, p: string) => this.int(x, p);
    const set = (x: unknown, p: string) => this.intSet(x, p);
    return this.record(v, path, { epoch: int, by: int, members: set, removed: set });
  }
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export interface CheckedState {
  index: number;
  action: string;
  params: StepLabel;
  vars: { log: ItfValue; st: ItfValue; nextUid: ItfValue; group: ItfValue };
}

export interface CheckedTrace {
  users: number;
  states: CheckedState[];
  warnings: string[];
}

/**
 * Checks that `trace` is a trace of tla/DCA.tla and normalises its values; throws
 * TraceInputError (one line: `where`, the JSON path, what is wrong). Runs
 * conformance/model/vocabulary.ts's checkDcaTrace first, after the cheap top-level
 * checks whose messages say more here (DCA's variables, a non-empty trace).
 */
export function checkDcaTrace(trace: unknown, where = "trace"): CheckedTrace {
  const shape: Shape = new Shape(where); // explicitly typed, so `never` narrows
  if (!isRec(trace)) shape.fail("$", "expected an ITF trace (a JSON object)");
  const vars = trace.vars;
  if (!Array.isArray(vars) || !vars.every((v) => typeof v === "string")) shape.fail("$.vars", "expected the list of variable names");
  const names = [...(vars as string[])].sort();
  if (names.join() !== DCA_VARS.join()) {
    shape.fail("$.vars", `not a trace of tla/DCA.tla: its variables are [${names.join(", ")}], DCA's are [${DCA_VARS.join(", ")}]`);
  }
  const states = trace.states;
  if (!Array.isArray(states) || states.length === 0) shape.fail("$.states", "expected a non-empty array of states");
  // What every reader of a DCA trace checks (the replay and the viewer too): ITF
  // values, DCA!TypeOK's shapes (statuses, UIDs within 1..Users, cursors within
  // the log, entry types), the model's actions (or a recorded Quiesced claim), a
  // known #meta.variant. A trace that fails them is bad input, never a verdict.
  try {
    checkDcaShape(validateItf(trace, where), where);
  } catch (e) {
    if (e instanceof ItfError || e instanceof TraceError) throw new TraceInputError(e.message);
    throw e;
  }
  const warnings: string[] = [];
  if (trace.loop !== undefined) warnings.push(`the trace is a lasso (loop back to state ${String(trace.loop)}); only its finite prefix is validated`);
  let users: number | undefined;
  const out = (states as unknown[]).map((s, k): CheckedState => {
    const at = `$.states[${k}]`;
    if (!isRec(s)) shape.fail(at, "expected a state object");
    const extra = Object.keys(s).filter((x) => x !== "#meta" && !(DCA_VARS as readonly string[]).includes(x));
    if (extra.length) shape.fail(at, `keys that are not DCA variables: ${extra.join(", ")}`);
    for (const v of DCA_VARS) if (!(v in s)) shape.fail(at, `state is missing variable ${v}`);
    const st = shape.seq(s.st, `${at}.st`);
    if (st.length === 0) shape.fail(`${at}.st`, "expected one local state per user (Users >= 1)");
    if (users === undefined) users = st.length;
    else if (st.length !== users) shape.fail(`${at}.st`, `${st.length} users, but state 0 has ${users}`);
    const meta = isRec(s["#meta"]) ? s["#meta"] : {};
    const action = meta.action === undefined ? "" : shape.str(meta.action, `${at}["#meta"].action`);
    const params: StepLabel = {};
    if (meta.params !== undefined) {
      if (!isRec(meta.params)) shape.fail(`${at}["#meta"].params`, `expected an object, found ${show(meta.params)}`);
      for (const p of ["u", "target"] as const) {
        const x = meta.params[p];
        if (x === undefined) continue;
        const n = shape.int(x, `${at}["#meta"].params.${p}`);
        if (n < 0) shape.fail(`${at}["#meta"].params.${p}`, `expected a UID, found ${n}`);
        params[p] = n;
      }
    }
    return {
      index: k,
      action,
      params,
      vars: {
        log: shape.seq(s.log, `${at}.log`).map((e, n) => shape.entry(e, `${at}.log[${n}]`)),
        st: st.map((m, n) => shape.member(m, `${at}.st[${n}]`)),
        nextUid: shape.int(s.nextUid, `${at}.nextUid`),
        group: shape.group(s.group, `${at}.group`),
      },
    };
  });
  // Every step after state 0 names one of KNOWN_ACTIONS (the shape check saw to it);
  // only state 0 (recorded as "Init", or TLC's initial predicate) is unlabelled.
  const meta = isRec(trace["#meta"]) ? trace["#meta"] : {};
  if (typeof meta.users === "number" && meta.users !== users) {
    shape.fail('$["#meta"].users', `says ${meta.users} users, but the states have ${users}`);
  }
  return { users: users!, states: out, warnings };
}

// ---------------------------------------------------------------------------
// Generated modules

function traceRecord(s: CheckedState): string {
  const labelled = KNOWN_ACTIONS.includes(s.action);
  const rec: Record<string, ItfValue> = {
    ...s.vars,
    action: s.action,
    u: s.params.u ?? 0,
    target: s.params.target ?? 0,
  };
  const label = `state ${s.index}: ${s.action || "(no action recorded)"}${formatLabel(s.params)}${s.index > 0 && !labelled ? " -- checked against all of DCA!Next" : ""}`;
  return `    \\* ${commentSafe(label)}\n    ${itfToTla(rec)}`;
}

function traceModule(name: string, header: string, states: CheckedState[]): string {
  return [
    `${"-".repeat(20)} MODULE ${name} ${"-".repeat(20)}`,
    ...header.split("\n").map((l) => `\\* ${commentSafe(l)}`),
    "EXTENDS DCA_Validate",
    "",
    "TraceDef == <<",
    states.map(traceRecord).join(",\n"),
    ">>",
    "=".repeat(60),
    "",
  ].join("\n");
}

function config(users: number, variant: string, next: string, invariant: string): string {
  return [
    "\\* Generated by conformance/validate/trace-validate.ts (see tla/DCA_Validate.tla). Deadlock checking stays ON.",
    "INIT Init",
    `NEXT ${next}`,
    `INVARIANT ${invariant}`,
    "CONSTANTS",
    `  Users = ${users}`,
    `  Variant = ${JSON.stringify(variant)}`,
    "  Trace <- TraceDef",
    "",
  ].join("\n");
}

export const formatLabel = (p: StepLabel) =>
  p.u === undefined ? (p.target === undefined ? "" : `(→ ${p.target})`) : `(${p.u}${p.target === undefined ? "" : ` → ${p.target}`})`;

// ---------------------------------------------------------------------------
// Running TLC and reading its verdict

/** The counter i of a TLC trace state. */
function counterOf(step: TraceStep | undefined, rawOutputPath: string): number {
  if (!step) throw new TraceValidationError("TLC printed no trace", rawOutputPath);
  const i = parseTlaState(step.stateText).i;
  if (typeof i !== "number") throw new TraceValidationError(`TLC's trace state has no counter i: ${step.stateText.slice(0, 200)}`, rawOutputPath);
  return i;
}

function runInfo(purpose: TlcRunInfo["purpose"], run: TlcRun, wallSeconds: number): TlcRunInfo {
  return {
    purpose,
    outcome: run.outcome.kind === "error" ? `error: ${run.outcome.message}` : describeOutcome(run.outcome),
    ...(run.seconds !== undefined ? { seconds: run.seconds } : {}),
    wallSeconds,
    ...(run.distinctStates !== undefined ? { distinctStates: run.distinctStates } : {}),
    rawOutputPath: run.rawOutputPath,
  };
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Validates one run with TLC. Throws TraceInputError for input that is not a DCA trace, TraceValidationError when TLC gives no verdict. */
export async function validateRun(trace: ItfTrace | unknown, opts: ValidateOptions = {}): Promise<ValidationResult> {
  const name = opts.name ?? "run";
  if (!SAFE_NAME.test(name) || name.includes("..")) throw new TraceInputError(`run name ${JSON.stringify(name)}: use letters, digits, "-", "_", "."`);
  const variant = opts.variant ?? "Correct";
  if (!(VARIANTS as readonly string[]).includes(variant)) throw new TraceInputError(`unknown variant ${JSON.stringify(variant)}; DCA's are ${VARIANTS.join(", ")}`);
  // A run of the batched rules is never checked against DCA.tla's single-target steps.
  try {
    expectRules(trace, "single", opts.source ?? name, "TLC checks it against tla/DCA_BatchValidate.tla (validateBatchRun in batch-validate.ts; npm run validate chooses by the trace's form)");
  } catch (e) {
    if (e instanceof TraceError) throw new TraceInputError(e.message);
    throw e;
  }
  const checked = checkDcaTrace(trace, opts.source ?? name);
  const { users, states } = checked;

  const tlaDir = opts.tlaDir ?? join(ROOT, "tla");
  const dir = resolve(opts.outRoot ?? join(ROOT, "build", "validate"), name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const m of ["DCA.tla", "DCA_Validate.tla"]) await copyFile(join(tlaDir, m), join(dir, m));
  const header = [
    "Generated by conformance/validate/trace-validate.ts: do not edit. See tla/DCA_Validate.tla.",
    `The run${opts.source ? ` ${opts.source}` : ""}: ${states.length} states, Users = ${users}, checked against Variant "${variant}".`,
  ].join("\n");
  await writeFile(join(dir, "ValidateRun.tla"), traceModule("ValidateRun", header, states));
  await writeFile(join(dir, "validate.cfg"), config(users, variant, "Next", "NotFullyMatched"));

  const tlcOpts = {
    workers: 1,
    quiet: true,
    ...(opts.jar ? { jar: opts.jar } : {}),
    ...(opts.resolve ? { resolve: opts.resolve } : {}),
  };
  const started = Date.now();
  const run = await runTlc({ ...tlcOpts, spec: join(dir, "ValidateRun.tla"), config: join(dir, "validate.cfg"), outDir: join(dir, "tlc-validate") });
  const runs = [runInfo("validate", run, (Date.now() - started) / 1000)];
  const raw = run.rawOutputPath;
  const base = {
    steps: states.length - 1,
    users,
    variant,
    tlc: { label: run.tlc.label, ...(run.tlc.version ? { version: run.tlc.version } : {}), jar: run.tlc.jar, ...(run.tlc.java ? { java: run.tlc.java } : {}), runs },
    rawOutputPath: raw,
    dir,
    warnings: [...checked.warnings, ...run.warnings],
  };

  const o = run.outcome;
  if (o.kind === "invariant" && o.name === "NotFullyMatched") {
    const i = counterOf(run.errorTrace?.at(-1), raw);
    if (i !== states.length) throw new TraceValidationError(`TLC reported the whole run matched, but its last state has i = ${i}, not ${states.length}`, raw);
    if (run.distinctStates !== undefined && run.distinctStates !== i + 1) {
      throw new TraceValidationError(`TLC matched the whole run but found ${run.distinctStates} distinct states, not ${i + 1}: the states are not one chain`, raw);
    }
    return { accepted: true, matched: states.length, ...base };
  }
  if (o.kind !== "deadlock") {
    const what = o.kind === "ok" ? "TLC found neither the end of the run nor a deadlock (was deadlock checking turned off?)" : `TLC gave no verdict: ${describeOutcome(o)}${o.kind === "error" ? `: ${o.message}` : ""}`;
    throw new TraceValidationError(`${what} (raw output: ${raw})`, raw);
  }
  const m = counterOf(run.errorTrace?.at(-1), raw);
  if (m < 0 || m >= states.length) throw new TraceValidationError(`TLC deadlocked at i = ${m}, outside 0..${states.length - 1}`, raw);
  if (run.distinctStates !== undefined && run.distinctStates !== m + 1) {
    throw new TraceValidationError(`TLC deadlocked at i = ${m} but found ${run.distinctStates} distinct states, not ${m + 1}: the states are not one chain`, raw);
  }
  const at = states[m]!;
  const leftAt: Divergence = { step: m, action: at.action, params: at.params };
  if (m === 0) leftAt.kind = "not-initial";
  else if (opts.explain ?? true) {
    const t = Date.now();
    const explained = await explain(dir, states[m - 1]!, at, users, variant, header, tlcOpts);
    runs.push(runInfo("explain", explained.run, (Date.now() - t) / 1000));
    Object.assign(leftAt, explained.divergence);
  }
  return { accepted: false, matched: m, leftAt, ...base };
}

// -continue: report every successor, not only the first. -deadlock turns deadlock
// checking OFF here (the successors have no successors: that is not news), so the
// outcome is a NoSuccessor violation per successor, or none at all.
const EXPLAIN_ARGS = ["-continue", "-deadlock"];

async function explain(
  dir: string,
  before: CheckedState,
  after: CheckedState,
  users: number,
  variant: string,
  header: string,
  tlcOpts: { workers: number; quiet: boolean; jar?: ResolvedTlc; resolve?: ResolveOptions },
): Promise<{ run: TlcRun; divergence: Partial<Divergence> }> {
  await writeFile(join(dir, "ExplainRun.tla"), traceModule("ExplainRun", `${header}\nStates ${before.index} and ${after.index} only: why the second does not follow.`, [before, after]));
  await writeFile(join(dir, "explain.cfg"), config(users, variant, "ExplainNext", "NoSuccessor"));
  const run = await runTlc({ ...tlcOpts, spec: join(dir, "ExplainRun.tla"), config: join(dir, "explain.cfg"), outDir: join(dir, "tlc-explain"), extraArgs: EXPLAIN_ARGS });
  const raw = run.rawOutputPath;
  if (run.outcome.kind === "error" || (run.outcome.kind !== "ok" && !(run.outcome.kind === "invariant" && run.outcome.name === "NoSuccessor"))) {
    throw new TraceValidationError(`explaining step ${after.index}: TLC gave no answer: ${describeOutcome(run.outcome)}${run.outcome.kind === "error" ? `: ${run.outcome.message}` : ""} (raw output: ${raw})`, raw);
  }
  // With -continue TLC prints one two-state counterexample per successor (1: Trace[1],
  // 2: a successor): the parser keeps the first as errorTrace and the others in laterTraces.
  const texts = new Set([run.errorTrace ?? [], ...(run.laterTraces ?? [])].flat().filter((s) => s.index === 2).map((s) => s.stateText));
  const successors = [...texts].map((t) => parseTlaState(t));
  const labelled = successors.filter((s) => s.i === 1);
  const reachable = successors.some((s) => s.i === 2);
  const divergence: Partial<Divergence> = {
    kind: reachable ? "other-step" : "no-step",
    enabled: labelled.length > 0,
    successors: labelled.length,
  };
  // Against the recorded state: the one successor, or the closest of several
  // (several when the run records no user, e.g. TLC's counterexamples).
  const diffs = labelled
    .map((model) => DCA_VARS.flatMap((v) => diffValues(model[v], after.vars[v], v)).map((d) => ({ path: d.path, model: d.model, recorded: d.impl })))
    .sort((a, b) => a.length - b.length);
  if (diffs.length > 0) divergence.differences = diffs[0]!;
  return { run, divergence };
}

/** One line: the verdict as the CLI prints it. */
export function verdictLine(r: ValidationResult): string {
  if (r.accepted) return `accepted: TLC found the run to be a behaviour of DCA (${r.steps} step${r.steps === 1 ? "" : "s"})`;
  const d = r.leftAt!;
  const step = `${d.action || "no action recorded"}${formatLabel(d.params)}`;
  if (d.kind === "not-initial") return `rejected: the implementation left the model at step 0 (${step}): the recorded state 0 is not an initial state of DCA`;
  const head = `rejected: the implementation left the model at step ${d.step} (${step})`;
  if (d.kind === "other-step") return `${head}: state ${d.step} follows from state ${d.step - 1} by some step of DCA, but not by the recorded ${step}`;
  return `${head}: no step of DCA leads from state ${d.step - 1} to the recorded state ${d.step}`;
}
