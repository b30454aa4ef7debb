// The cross-check of the reduced model (tla/DCA_Reduced.tla) against the model
// (tla/DCA.tla), by TLC itself:
//
//  1. TLC dumps the reduced model's state graph at N users (-dump dot). From it:
//     every caught-up state (an empty log: every active user has read everything)
//     and every Commit step (the ground truth `group` before and after).
//  2. Those sets are written into a generated module, and TLC explores the FULL
//     model at N users with two extra checks: every caught-up state it reaches is
//     one of the reduced model's (CaughtUpCovered), and every Commit step it takes
//     is one the reduced model takes (CommitCovered). Each check prints which of the
//     reduced model's states and steps it met (PrintT), so the other inclusion is
//     checked too: the reduced model reaches no caught-up state and takes no Commit
//     step that the full model does not. (It no longer holds by construction: the
//     reduced model drops log entries, so its states are not all states of the
//     model; spec/reduction.md, "Dropped entries".)
//  3. Every must-fail configuration of tla/ is run on the reduced model as well and
//     must fail with the same property (a liveness property in its quiescent-state
//     form, spec/reduction.md).
//
// A reduction that loses a reachable caught-up state, a Commit, or a known-bad
// variant's violation fails here (test/reduced-model.test.ts shows it does, with a
// deliberately over-reduced model).

import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDot, tlcStateGraph } from "../tlc/formats/dot-graph.ts";
import { itfToTla, parseTlaState, type ItfValue } from "../tlc/formats/tla-values.ts";
import type { ResolvedTlc } from "../tlc/resolve.ts";
import { runTlc, type TlcRun } from "../tlc/run.ts";
import { HasWork, readUsers } from "../../conformance/model/state-view.ts";
import { readManifest } from "./models.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const MODEL_FILES = ["DCA.tla", "DCA_Inputs.tla", "DCA_Reduced.tla"];

export interface CrosscheckOptions {
  /** Where DCA.tla, DCA_Inputs.tla and DCA_Reduced.tla are; default <repo>/tla. */
  tlaDir?: string;
  /** Default <repo>/build/crosscheck. */
  outRoot?: string;
  jar?: ResolvedTlc;
  workers?: number | "auto";
  /**
   * A candidate rule checked the same way (spec/batching.md): its module files, copied
   * beside the model's; the CONSTANTS lines its configurations add (its own constants and
   * TLC definition overrides), and those only the reduced model's run adds; the module the reduced model's run checks; and the module
   * the full model's coverage module extends (instead of DCA_Inputs).
   */
  candidate?: { files: string[]; constants: string; reducedConstants: string; reducedModule: string; extendsModule: string };
}

export interface ReducedSets {
  users: number;
  /** Distinct states of the reduced model. */
  states: number;
  /** Caught-up states as TLA+ records [st, nextUid, group], sorted. */
  caughtUp: string[];
  /** How many of the caught-up states are quiescent (no DC has work). */
  quiescent: number;
  /** Commit steps as TLA+ pairs <<group, group'>>, sorted. */
  commitSteps: string[];
}

export interface CoverageVerdict {
  users: number;
  reduced: ReducedSets;
  /** The full model's run with the coverage checks. */
  full: TlcRun;
  /** "covered" (the same in both), or which check failed. */
  verdict: "covered" | "caught-up state missing" | "commit step missing" | "caught-up state extra" | "commit step extra" | "error";
  detail: string;
}

/** A TLC run ended in an error, not a verdict. */
export class CrosscheckError extends Error {
  override name = "CrosscheckError";
}

const outRoot = (o: CrosscheckOptions) => resolve(o.outRoot ?? join(ROOT, "build", "crosscheck"));
const tlcOpts = (o: CrosscheckOptions) => ({ quiet: true, workers: o.workers ?? ("auto" as const), ...(o.jar ? { jar: o.jar } : {}) });

async function prepare(dir: string, o: CrosscheckOptions, modelFiles = MODEL_FILES): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const tla = o.tlaDir ?? join(ROOT, "tla");
  for (const f of [...modelFiles, ...(o.candidate?.files ?? [])]) await copyFile(join(tla, f), join(dir, f));
}

const record = (fields: Record<string, string>) =>
  `[${Object.entries(fields)
    .map(([k, v]) => `${k} |-> ${v}`)
    .join(", ")}]`;

function field(state: Record<string, ItfValue>, name: string, where: string): ItfValue {
  const v = state[name];
  if (v === undefined) throw new CrosscheckError(`${where}: the state has no variable ${name}: not a state of the DCA model`);
  return v;
}

const isEmptyLog = (v: ItfValue) => Array.isArray(v) ? v.length === 0 : typeof v === "object" && v !== null && "#tup" in v && (v["#tup"] as unknown[]).length === 0;

/** Whether no active user of a caught-up state has DC work (DCA!HasWork through the typed view of st). */
// A caught-up state has an empty log: every active user has read all 0 entries (DCA!CanRevive).
const quiescentAt = (st: ItfValue): boolean => readUsers({ st }).every((u) => !HasWork(u, "Correct", 0));

/** Step 1: the reduced model's caught-up states and Commit steps at `users` users. */
export async function reducedSets(users: number, o: CrosscheckOptions = {}, spec = "DCA_Reduced.tla"): Promise<ReducedSets> {
  const dir = join(outRoot(o), `reduced-${users}`);
  await prepare(dir, o);
  await writeFile(join(dir, "reduced.cfg"), `SPECIFICATION RSpec\nCONSTANTS\n  Users = ${users}\n  Variant = "Correct"\n${o.candidate ? o.candidate.constants + o.candidate.reducedConstants : ""}`);
  const dump = join(dir, "graph.dot");
  const run = await runTlc({ ...tlcOpts(o), spec: join(dir, o.candidate?.reducedModule ?? spec), config: join(dir, "reduced.cfg"), outDir: join(dir, "tlc"), extraArgs: ["-dump", "dot", dump] });
  if (run.outcome.kind !== "ok") throw new CrosscheckError(`TLC on the reduced model at ${users} users: ${JSON.stringify(run.outcome)} (see ${run.rawOutputPath})`);
  const graph = tlcStateGraph(parseDot(await readFile(dump, "utf8"), dump), dump);
  const values = new Map<string, Record<string, ItfValue>>();
  for (const [id, s] of graph.states) values.set(id, parseTlaState(s.stateText));
  const caughtUp = new Set<string>();
  let quiescent = 0;
  for (const [id, s] of values) {
    if (!isEmptyLog(field(s, "log", `${dump} state ${id}`))) continue;
    const text = record({ st: itfToTla(s.st!), nextUid: itfToTla(s.nextUid!), group: itfToTla(s.group!) });
    // (The typed view reads DCA.tla's entries, not a candidate's: no quiescent count for one.)
    if (!caughtUp.has(text) && !o.candidate && quiescentAt(s.st!)) quiescent++;
    caughtUp.add(text);
  }
  const commitSteps = new Set<string>();
  for (const e of graph.edges) {
    const g = itfToTla(field(values.get(e.from)!, "group", `${dump} line ${e.line}`));
    const g2 = itfToTla(field(values.get(e.to)!, "group", `${dump} line ${e.line}`));
    if (g !== g2) commitSteps.add(`<<${g}, ${g2}>>`);
  }
  return { users, states: graph.states.size, caughtUp: [...caughtUp].sort(), quiescent, commitSteps: [...commitSteps].sort() };
}

function coverageModule(sets: ReducedSets, extendsModule = "DCA_Inputs"): string {
  const seq = (items: string[]) => (items.length === 0 ? "<<>>" : `<<\n    ${items.join(",\n    ")}\n  >>`);
  return [
    "------------------------------ MODULE Coverage ------------------------------",
    "\\* Generated by scripts/lib/reduction-crosscheck.ts: do not edit.",
    `\\* What the reduced model (tla/DCA_Reduced.tla) reaches at ${sets.users} users, and the checks`,
    "\\* that the full model reaches nothing else (see spec/reduction.md).",
    "\\* Each check prints the index of the reduced model's state or step it met, so that",
    "\\* scripts/lib/reduction-crosscheck.ts can tell whether the full model meets them all.",
    `EXTENDS ${extendsModule}, TLC`,
    `ReducedCaughtUp == ${seq(sets.caughtUp)}`,
    `ReducedCommitSteps == ${seq(sets.commitSteps)}`,
    "Met(tag, q, x) == \\E k \\in DOMAIN q : q[k] = x /\\ PrintT(<<tag, k>>)",
    'CaughtUpCovered == log = <<>> => Met("caught-up", ReducedCaughtUp, [st |-> st, nextUid |-> nextUid, group |-> group])',
    "CommitCovered == [][group' # group => Met(\"commit\", ReducedCommitSteps, <<group, group'>>)]_vars",
    "=============================================================================",
    "",
  ].join("\n");
}

/** The indices the coverage checks printed (PrintT in TLC's output: <<"caught-up", 3>>), by tag. */
export function metIndices(tlcOutput: string): Map<string, Set<number>> {
  const met = new Map<string, Set<number>>();
  for (const m of tlcOutput.matchAll(/<<"(caught-up|commit)", (\d+)>>/g)) {
    const tag = m[1]!;
    if (!met.has(tag)) met.set(tag, new Set());
    met.get(tag)!.add(Number(m[2]));
  }
  return met;
}

/**
 * Step 2: the full model at the same bound reaches no caught-up state and takes no Commit step the
 * reduced model misses, and meets every caught-up state and Commit step the reduced model has.
 */
export async function checkCoverage(sets: ReducedSets, o: CrosscheckOptions = {}): Promise<CoverageVerdict> {
  const dir = join(outRoot(o), `full-${sets.users}`);
  await prepare(dir, o, ["DCA.tla", "DCA_Inputs.tla"]);
  await writeFile(join(dir, "Coverage.tla"), coverageModule(sets, o.candidate?.extendsModule));
  await writeFile(
    join(dir, "coverage.cfg"),
    `SPECIFICATION Spec\nCONSTANTS\n  Users = ${sets.users}\n  Variant = "Correct"\n${o.candidate?.constants ?? ""}INVARIANTS\n  CaughtUpCovered\nPROPERTIES\n  CommitCovered\n`,
  );
  const full = await runTlc({ ...tlcOpts(o), spec: join(dir, "Coverage.tla"), config: join(dir, "coverage.cfg"), outDir: join(dir, "tlc") });
  const o2 = full.outcome;
  const last = full.errorTrace?.at(-1);
  const where = last ? ` (TLC's trace: ${full.errorTrace!.length} states; see ${full.rawOutputPath})` : "";
  if (o2.kind === "ok") {
    // The other inclusion: the full model met every caught-up state and Commit step of the reduced one.
    const met = metIndices(await readFile(full.rawOutputPath, "utf8"));
    const extra = (tag: string, items: string[]) => items.findIndex((_, i) => !met.get(tag)?.has(i + 1));
    const state = extra("caught-up", sets.caughtUp);
    if (state >= 0) return { users: sets.users, reduced: sets, full, verdict: "caught-up state extra", detail: `the reduced model reaches a caught-up state the full model does not (${met.get("caught-up")?.size ?? 0} of its ${sets.caughtUp.length} met): ${sets.caughtUp[state]}` };
    const step = extra("commit", sets.commitSteps);
    if (step >= 0) return { users: sets.users, reduced: sets, full, verdict: "commit step extra", detail: `the reduced model takes a Commit step the full model does not (${met.get("commit")?.size ?? 0} of its ${sets.commitSteps.length} met): ${sets.commitSteps[step]}` };
    return { users: sets.users, reduced: sets, full, verdict: "covered", detail: `${full.distinctStates} distinct states of the full model checked; it meets all ${sets.caughtUp.length} caught-up states and ${sets.commitSteps.length} Commit steps of the reduced model` };
  }
  if (o2.kind === "invariant" && o2.name === "CaughtUpCovered")
    return { users: sets.users, reduced: sets, full, verdict: "caught-up state missing", detail: `the full model reaches a caught-up state the reduced model does not${where}` };
  if (o2.kind === "property")
    return { users: sets.users, reduced: sets, full, verdict: "commit step missing", detail: `the full model takes a Commit step the reduced model does not${where}` };
  return { users: sets.users, reduced: sets, full, verdict: "error", detail: `TLC: ${JSON.stringify(o2)} (see ${full.rawOutputPath})` };
}

// --- Step 3: the must-fail configurations on the reduced model ---------------------

/** Liveness properties and the quiescent-state invariant that stands for each (tla/DCA_Reduced.tla). */
export const QUIESCENT_FORM: Readonly<Record<string, string>> = {
  JoinerEventuallyWelcomed: "QuiescentJoinersWelcomed",
  EventuallyConverged: "QuiescentConverged",
};

export interface MustFail {
  /** The configuration's file name, and where it is. */
  config: string;
  path: string;
  /** The property the configuration's header says TLC must report. */
  expected: string;
}

/**
 * The must-fail configurations of the model's known-bad variants, from the one list of
 * model checks (tla/models.json): the entries in mode must-fail with a variant.
 */
export async function mustFailConfigs(tlaDir = join(ROOT, "tla")): Promise<MustFail[]> {
  return readManifest(join(tlaDir, ".."))
    .filter((m) => m.mode === "must-fail" && m.variant !== undefined && m.expect !== "pass")
    .map((m) => ({ config: m.config, path: join(tlaDir, m.config), expected: (m.expect as { name: string }).name }));
}

/** A must-fail configuration rewritten for the reduced model: RSpec, liveness as its quiescent form. */
export function reducedConfig(text: string, expected: string): { text: string; expected: string } {
  const body = text.replace(/\\\*.*$/gm, "");
  const users = /Users\s*=\s*(\d+)/.exec(body)?.[1];
  const variant = /Variant\s*=\s*("[^"]*")/.exec(body)?.[1];
  if (!users || !variant) throw new CrosscheckError("a must-fail configuration without Users and Variant");
  const quiescent = QUIESCENT_FORM[expected];
  if (quiescent) return { text: `SPECIFICATION RSpec\nCONSTANTS\n  Users = ${users}\n  Variant = ${variant}\nINVARIANTS\n  ${quiescent}\n`, expected: quiescent };
  return { text: body.replace(/SPECIFICATION\s+(Spec|FairSpec)\b/, "SPECIFICATION RSpec"), expected };
}

export interface MustFailResult extends MustFail {
  /** The property checked on the reduced model (the quiescent form for liveness). */
  reducedExpected: string;
  reported: string;
  caught: boolean;
  distinct?: number;
  seconds?: number;
}

const reportedName = (run: TlcRun) =>
  run.outcome.kind === "invariant" || run.outcome.kind === "property" ? `${run.outcome.kind} ${run.outcome.name ?? "?"}` : run.outcome.kind === "error" ? `error: ${run.outcome.message}` : run.outcome.kind;

/** Runs one must-fail configuration on the reduced model. */
export async function mustFailOnReduced(m: MustFail, o: CrosscheckOptions = {}, spec = "DCA_Reduced.tla"): Promise<MustFailResult> {
  const dir = join(outRoot(o), "must-fail", basename(m.config, ".cfg"));
  await prepare(dir, o);
  const cfg = reducedConfig(await readFile(m.path, "utf8"), m.expected);
  await writeFile(join(dir, "reduced.cfg"), cfg.text);
  const run = await runTlc({ ...tlcOpts(o), spec: join(dir, spec), config: join(dir, "reduced.cfg"), outDir: join(dir, "tlc") });
  const name = run.outcome.kind === "invariant" || run.outcome.kind === "property" ? run.outcome.name : undefined;
  return {
    ...m,
    reducedExpected: cfg.expected,
    reported: reportedName(run),
    caught: name === cfg.expected,
    ...(run.distinctStates !== undefined ? { distinct: run.distinctStates } : {}),
    ...(run.seconds !== undefined ? { seconds: run.seconds } : {}),
  };
}
