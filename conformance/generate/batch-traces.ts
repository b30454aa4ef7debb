// The traces of the batched rules (traces/batch/; npm run traces -- --batch): what
// conformance/generate/model-traces.ts does for tla/DCA.tla, for DCA with the batched
// overrides of tla/DCA_Batch.tla (spec/batching.md section 2), through the recording
// wrapper tla/DCA_BatchRecord.tla:
//   1. TLC dumps the whole state graph of BatchRecord_3users.cfg; for every key -- an
//      action with its parameters ("DcWelcome u=1 targets={2,3}") or a detail of the
//      step ("DcWelcome batched": two joiners or more in one Welcome) -- a shortest
//      path through it, extended by the users' own steps to a quiescent state
//      (the generic cover, scripts/tlc/graph-cover.ts, as for traces/model/);
//   2. random walks of BatchRecord_4users.cfg (-simulate, fixed seeds);
//   3. each becomes traces/batch/<name>.itf.json; stale files are removed.
// checkBatchTraces: the committed traces are valid ITF, carry the current hash of the
// batched model, and together take every batched action and every batched detail
// (REQUIRED_KEYS), recomputed from their states, not read from their #meta.

import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { writeItf, type ItfState, type ItfTrace } from "../../scripts/tlc/formats/itf.ts";
import { coverage, pickWalk, selectCoverPaths, type KeyedEdge } from "../../scripts/tlc/graph-cover.ts";
import { resolveTlc, type ResolvedTlc } from "../../scripts/tlc/resolve.ts";
import { Believes, GroupDead, Quiescent, view, type ModelLike, type Msg, type UserState } from "../model/state-view.ts";
import { DCA_VARS } from "../model/vocabulary.ts";
import { modelHash } from "./model-source-hash.ts";
import { readCommittedTraces, simulateWalks, slug, stateGraph, type RecordRecipe, type State } from "./model-traces.ts";
import type { DcaStep } from "./trace-select.ts";

export const BATCH_TRACE_DIR = "traces/batch";
export const BATCH_SPEC = "tla/DCA_BatchRecord.tla";
export const BATCH_GRAPH_CONFIG = "tla/BatchRecord_3users.cfg";
export const BATCH_WALK_CONFIG = "tla/BatchRecord_4users.cfg";
/** The modules a batched trace depends on (its modelHash covers them and its configuration). */
export const BATCH_MODEL_FILES = ["DCA.tla", "DCA_Inputs.tla", "DCA_Batch.tla", "DCA_BatchRecord.tla"] as const;
export const batchModelHash = (config: string) => modelHash(config, BATCH_MODEL_FILES);
/** The actions of DCA's Next with DcStep as the batched rule's BDcStep (tla/DCA_BatchRecord.tla, RecNext). */
export const BATCH_ACTIONS = ["Join", "Leave", "Read", "DcWelcome", "DcAdd", "DcRemove", "DcSkip", "Revive", "AllGone"] as const;
/** The actions every set of batched traces must take (AllGone is a stutter). */
export const BATCH_CORRECT_ACTIONS = ["Join", "Leave", "Read", "DcWelcome", "DcAdd", "DcRemove", "DcSkip", "Revive"] as const;
/**
 * What the batched traces must show beyond the actions (issue 16): a Welcome and an Add of
 * two joiners or more, a Remove of two departures or more, a DC leaving between the
 * Welcome and the Add of a batch, joiners confirmed by a batched Add (they rank each
 * other by UID), a dead room reviving, and R16's skips: of a joiner of the batch under way
 * (the batch abandoned) and of a pending joiner, read by the others.
 */
export const REQUIRED_KEYS = [
  "DcWelcome batched",
  "DcAdd batched",
  "DcRemove batched",
  "Leave role=dc-mid-batch",
  "Read entry=add-confirms-batched-welcome",
  "Revive with-joiners",
  "DcSkip mid-batch",
  "DcSkip pending",
  "Read entry=skipped",
] as const;
export const WALK_SEEDS = [1, 7, 42] as const;
const WALKS_PER_SEED = 200;
const WALK_DEPTH = 40;
const GENERATED_BY = "npm run traces -- --batch";

const fmtSet = (xs: readonly number[]) => `{${xs.join(",")}}`;

/** A recorded step's targets (DCA_BatchRecord records a set), ascending. */
export function stepTargets(step: DcaStep): number[] | undefined {
  const t = step.params.targets as { "#set"?: unknown } | undefined;
  if (t === undefined) return undefined;
  const xs = Array.isArray(t["#set"]) ? (t["#set"] as unknown[]) : undefined;
  if (!xs || !xs.every((x) => typeof x === "number")) throw new Error(`targets is not a set of UIDs: ${JSON.stringify(t)}`);
  return [...(xs as number[])].sort((a, b) => a - b);
}

/** "DcWelcome u=1 targets={2,3}", "Read u=2", "AllGone". */
export function batchStepKey(step: DcaStep): string {
  const u = step.params.u;
  const targets = stepTargets(step);
  return [step.action, ...(u === undefined ? [] : [`u=${String(u)}`]), ...(targets ? [`targets=${fmtSet(targets)}`] : [])].join(" ");
}

/** The DC step as the replay compares enabled steps: "DcWelcome(1 → 2,3)", "Revive(2)". */
export function enabledText(step: DcaStep): string {
  const targets = stepTargets(step);
  return targets ? `${step.action}(${String(step.params.u)} → ${targets.join(",")})` : `${step.action}(${String(step.params.u)})`;
}

/** What user s makes of entry m (the batched OnMessage, tla/DCA_Batch.tla), for choosing traces. */
function readOutcome(s: UserState, m: Msg): string {
  switch (m.type) {
    case "joined":
    case "left":
    case "skipped":
      return m.type;
    case "welcome":
      if (!m.targets.includes(s.uid)) return "welcome-other";
      if (s.welcomed) return "welcome-self-repeat";
      return s.tentative ? "welcome-self-replaces" : "welcome-self";
    default: {
      if (!s.welcomed) {
        const w = s.tentative;
        const confirms = m.type === "add" && m.targets.includes(s.uid) && w !== null && m.sender === w.sender && m.epoch + 1 === w.epoch;
        if (!confirms) return "commit-before-welcome";
        if (s.pendingRemoves.some((x) => x < Math.min(...w.members))) return "add-confirms-welcome-dropping-stale-removes";
        if (w.removes.some((x) => !s.pendingRemoves.includes(x))) return "add-confirms-welcome-with-unseen-removes";
        return w.targets.length > 1 ? "add-confirms-batched-welcome" : "add-confirms-welcome";
      }
      if (m.sender === s.uid) return "commit-own";
      return m.epoch === s.epoch && m.parent === s.by ? `${m.type}-apply${m.targets.length > 1 ? "-batched" : ""}` : `${m.type}-reject`;
    }
  }
}

/** The keys of a batched step from state `pre`: its main key, then the details it shows. */
export function batchKeys(pre: ModelLike, step: DcaStep): string[] {
  const keys = [batchStepKey(step)];
  const state = view(pre);
  const u = step.params.u;
  const s = typeof u === "number" ? state.st[u - 1] : undefined;
  if (!s) return keys;
  const targets = stepTargets(step) ?? [];
  switch (step.action) {
    case "Read": {
      const m = state.log[s.cursor];
      if (m) keys.push(`Read entry=${readOutcome(s, m)}`);
      break;
    }
    case "Leave":
      keys.push(`Leave role=${s.adding !== 0 ? (s.batch.length > 1 ? "dc-mid-batch" : "dc-mid-add") : Believes(s, "Correct") ? "dc" : s.welcomed ? "member" : s.tentative ? "joiner-tentative" : "joiner"}`);
      break;
    case "Revive":
      keys.push(s.pendingAdds.length > 0 ? "Revive with-joiners" : "Revive alone");
      if (s.tentative) keys.push("Revive drops-tentative");
      break;
    case "DcWelcome":
      if (targets.length > 1) keys.push("DcWelcome batched");
      if (s.pendingRemoves.length > 0) keys.push("DcWelcome carries-removes");
      if (targets.some((t) => state.st[t - 1]?.tentative)) keys.push("DcWelcome replaces-tentative");
      break;
    case "DcAdd":
    case "DcRemove":
      if (targets.length > 1) keys.push(`${step.action} batched`);
      break;
    case "DcSkip": // R16: a joiner of the batch under way (abandoned), or a pending one
      keys.push(`DcSkip ${s.adding !== 0 ? "mid-batch" : "pending"}`);
      break;
  }
  return keys;
}

export const BATCH_RECIPE: RecordRecipe = {
  spec: BATCH_SPEC,
  graphConfig: BATCH_GRAPH_CONFIG,
  walkConfig: BATCH_WALK_CONFIG,
  buildName: "BatchRecord_3users",
  vars: DCA_VARS,
  actions: BATCH_ACTIONS,
  labelOf: (action) => `Rec${action}`,
  keysOf: batchKeys,
};

interface Candidate {
  name: string;
  chosenBy: string;
  config: string;
  states: { vars: State; step: DcaStep; enabled?: string[] }[];
  extra: { [k: string]: unknown };
}

function toItf(c: Candidate, jar: ResolvedTlc, tlcVersion: string | undefined): ItfTrace {
  const states: ItfState[] = c.states.map(({ vars, step, enabled }, index) => ({
    "#meta": { index, action: step.action, params: step.params, ...(enabled ? { enabled } : {}) },
    ...vars,
  }));
  return {
    "#meta": {
      format: "ITF",
      "format-description": "https://apalache-mc.org/docs/adr/015adr-trace.html",
      description: "A behaviour of DCA under the batched rules (tla/DCA_Batch.tla, BatchRank \"Uid\"), to replay step by step on impl/batch.ts. See traces/README.md.",
      source: BATCH_SPEC,
      config: c.config,
      variant: "Correct",
      batchRank: "Uid",
      modelHash: batchModelHash(c.config),
      tlc: { label: jar.label, version: tlcVersion },
      chosenBy: c.chosenBy,
      ...c.extra,
      generatedBy: GENERATED_BY,
    },
    vars: [...DCA_VARS],
    states,
  };
}

const usersOwnStep = (e: KeyedEdge) => !/^(Join|Leave|AllGone)\b/.test(e.keys[0]!);
const isMain = (k: string) => k === "AllGone" || /^\w+ u=/.test(k);

export interface BatchGeneration {
  coverageReport: string;
  lines: string[];
  traces: number;
  /** Actions or required keys that no trace takes. */
  missing: string[];
  seconds: number;
}

export async function generateBatchTraces(log: (line: string) => void): Promise<BatchGeneration> {
  const started = Date.now();
  const jar = await resolveTlc();
  const { model, run } = await stateGraph(jar, log, BATCH_RECIPE);
  log(`state graph: ${model.distinctStates.toLocaleString("en-US")} states, ${model.edgeCount.toLocaleString("en-US")} edges (TLC ${run.seconds ?? "?"} s)`);
  const quiescent = model.states.map((s) => Quiescent(s.vars, "Correct").length === 0);
  const dead = model.states.map((s) => GroupDead(s.vars));
  const sel = selectCoverPaths(model.graph, { goals: [(n) => quiescent[n]! && !dead[n]!, (n) => quiescent[n]!], extendVia: usersOwnStep });
  const enabledDc = new Map<number, string[]>();
  for (const e of model.graph.edges) {
    const step = model.states[e.to]!.step;
    if (!step.action.startsWith("Dc") && step.action !== "Revive") continue;
    const list = enabledDc.get(e.from) ?? [];
    const text = enabledText(step);
    if (!list.includes(text)) list.push(text);
    enabledDc.set(e.from, list);
  }
  const candidates: Candidate[] = sel.paths.map((p) => ({
    name: `cover-${slug(p.key.replace(/ targets=\{([\d,]+)\}/, (_, t: string) => ` to ${t.replace(/,/g, "-")}`))}`,
    chosenBy: `cover: ${p.key}`,
    config: BATCH_GRAPH_CONFIG,
    states: p.path.nodes.map((n) => ({ ...model.states[n]!, enabled: (enabledDc.get(n) ?? []).sort() })),
    extra: {
      keyStep: p.keyStep,
      covers: p.covers,
      endsQuiescent: p.goal !== undefined,
      endsWithLiveGroup: !dead[p.path.nodes.at(-1)!]!,
      graph: { distinctStates: model.distinctStates, edges: model.edgeCount },
    },
  }));
  let walkVersion: string | undefined;
  for (const seed of WALK_SEEDS) {
    log(`random walks: TLC -simulate on ${BATCH_WALK_CONFIG}, seed ${seed}`);
    const w = await simulateWalks(jar, seed, log, { ...BATCH_RECIPE, buildName: "BatchRecord_4users" });
    walkVersion ??= w.run.tlc.version;
    const best = pickWalk(w.keys, (k) => k.startsWith("Dc"));
    const walk = w.walks[best]!;
    candidates.push({
      name: `walk-4users-seed${seed}`,
      chosenBy: `random walk seed ${seed}`,
      config: BATCH_WALK_CONFIG,
      states: walk,
      extra: {
        walk: `${w.files[best]} of ${WALKS_PER_SEED} walks made by TLC -simulate -depth ${WALK_DEPTH} -seed ${seed}, the one with the most distinct steps (then the most DC steps); cut after the first AllGone`,
        covers: [...new Set(w.keys[best])].sort(),
        endsQuiescent: Quiescent(walk.at(-1)!.vars, "Correct").length === 0,
        endsWithLiveGroup: !GroupDead(walk.at(-1)!.vars),
      },
    });
  }

  const covered = new Set(candidates.flatMap((c) => c.extra.covers as string[]));
  const main = coverage(sel.reachable.filter(isMain), covered);
  const detail = coverage(sel.reachable.filter((k) => !isMain(k)), covered);
  const rows = [["action", "combinations reachable", "covered", "edges in graph"]];
  for (const a of BATCH_ACTIONS) {
    const r = main.rows.find((x) => x.group === a);
    rows.push([a, String(r?.reachable ?? 0), String(r?.covered ?? 0), String(model.edgesPerAction.get(a) ?? 0)]);
  }
  rows.push(["total", String(main.total.reachable), String(main.total.covered), String(model.edgeCount)]);
  const detailRows = [["step detail", "reachable", "covered"]];
  for (const k of sel.reachable.filter((x) => !isMain(x))) detailRows.push([k, "1", covered.has(k) ? "1" : "0"]);
  const table = (rs: string[][]) => {
    const widths = rs[0]!.map((_, i) => Math.max(...rs.map((r) => r[i]!.length)));
    return rs.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd()).join("\n");
  };
  const coverageReport =
    `\nCoverage of ${BATCH_GRAPH_CONFIG} (${model.distinctStates} states, ${model.edgeCount} edges) by ${candidates.length} traces:\n${table(rows)}\n\n${table(detailRows)}\n` +
    `(action, parameters): ${main.total.covered}/${main.total.reachable} covered; step details: ${detail.total.covered}/${detail.total.reachable}\n\n`;

  await mkdir(BATCH_TRACE_DIR, { recursive: true });
  const written = new Set<string>();
  const lines: string[] = [];
  for (const c of candidates) {
    const version = c.config === BATCH_WALK_CONFIG ? (walkVersion ?? run.tlc.version) : run.tlc.version;
    const file = join(BATCH_TRACE_DIR, `${c.name}.itf.json`);
    if (written.has(file)) throw new Error(`two traces are named ${file}`);
    await writeItf(file, toItf(c, jar, version));
    written.add(file);
    lines.push(`${file}  ${c.states.length - 1} steps  ${c.chosenBy}`);
  }
  for (const f of await readdir(BATCH_TRACE_DIR)) {
    const file = join(BATCH_TRACE_DIR, f);
    if (f.endsWith(".itf.json") && !written.has(file)) {
      await rm(file);
      lines.push(`${file}  removed (not regenerated)`);
    }
  }
  const keys = new Set(candidates.flatMap((c) => c.states.slice(1).flatMap((s, i) => batchKeys(c.states[i]!.vars, s.step))));
  const actions = new Set(candidates.flatMap((c) => c.states.slice(1).map((s) => s.step.action)));
  const missing = [...BATCH_CORRECT_ACTIONS.filter((a) => !actions.has(a)), ...REQUIRED_KEYS.filter((k) => !keys.has(k))];
  return { coverageReport, lines, traces: candidates.length, missing, seconds: (Date.now() - started) / 1000 };
}

export interface BatchCheckReport {
  files: string[];
  problems: string[];
  stale: string[];
  /** Every key the traces' steps have, recomputed from their states. */
  keys: Set<string>;
}

/** Checks the committed batched traces: valid ITF, the current model hash, every batched action and REQUIRED_KEYS taken. */
export async function checkBatchTraces(dir = BATCH_TRACE_DIR, hashOf: (config: string) => string = batchModelHash): Promise<BatchCheckReport> {
  const report: BatchCheckReport = { files: [], problems: [], stale: [], keys: new Set() };
  const traces = await readCommittedTraces(dir, [BATCH_GRAPH_CONFIG, BATCH_WALK_CONFIG], hashOf, report, "the batched model");
  for (const { file, trace } of traces) {
    const meta = trace["#meta"] ?? {};
    if (meta.source !== BATCH_SPEC) report.problems.push(`${file}: #meta.source is ${JSON.stringify(meta.source)}, expected "${BATCH_SPEC}"`);
    if (trace.vars.join() !== DCA_VARS.join()) report.problems.push(`${file}: vars are [${trace.vars.join(", ")}], expected [${DCA_VARS.join(", ")}]`);
    trace.states.forEach((s, i) => {
      const m = s["#meta"] ?? {};
      const action = m.action;
      if (m.index !== i) report.problems.push(`${file}: states[${i}] has #meta.index ${JSON.stringify(m.index)}`);
      if (typeof action !== "string" || (i === 0 ? action !== "Init" : !(BATCH_ACTIONS as readonly string[]).includes(action))) {
        report.problems.push(`${file}: states[${i}] has action ${JSON.stringify(action)}`);
        return;
      }
      if (i === 0) return;
      const params = (m.params ?? {}) as DcaStep["params"];
      try {
        for (const k of batchKeys(trace.states[i - 1]!, { action, params })) report.keys.add(k);
      } catch (e) {
        report.problems.push(`${file}: states[${i}]: ${(e as Error).message}`);
      }
    });
  }
  const actions = new Set([...report.keys].map((k) => k.split(" ")[0]!));
  const missing = [...BATCH_CORRECT_ACTIONS.filter((a) => !actions.has(a)), ...REQUIRED_KEYS.filter((k) => !report.keys.has(k))];
  if (report.files.length > 0 && missing.length > 0) report.problems.push(`${dir}: no trace takes ${missing.join(", ")}`);
  return report;
}
