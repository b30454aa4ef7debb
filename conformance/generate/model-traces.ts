// The model traces of traces/model/ (npm run traces; see traces/README.md), made by
// TLC and checked:
//   1. TLC dumps the whole state graph of tla/DCA_Record.tla with Record_3users.cfg
//      (`-dump dot,actionlabels`); every state records the step that made it.
//   2. For every key -- an action with its parameters ("DcRemove u=2 target=1"), or
//      a finer detail of a step ("Read entry=add-confirms-welcome") -- a shortest
//      path from the initial state through a step with that key, extended by the
//      users' own steps (reads and DC work) to a quiescent state, a live one if
//      possible; keys already covered by a chosen path get no path of their own
//      (the generic cover: scripts/tlc/graph-cover.ts).
//   3. A few random walks of Record_4users.cfg (`-simulate`, fixed seeds).
//   4. Each becomes traces/model/<name>.itf.json; stale files are removed.
// checkTraces: the committed traces are valid ITF, carry the current modelHash(),
// and together cover every Correct action.

import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { parseDot, tlcStateGraph } from "../../scripts/tlc/formats/dot-graph.ts";
import { readItf, writeItf, type ItfState, type ItfTrace } from "../../scripts/tlc/formats/itf.ts";
import { parseTlaState, type ItfValue } from "../../scripts/tlc/formats/tla-values.ts";
import { canonicalOrder, coverage, pickWalk, selectCoverPaths, trimAfterFirst, type KeyedEdge, type KeyedGraph } from "../../scripts/tlc/graph-cover.ts";
import { describeOutcome } from "../../scripts/tlc/messages.ts";
import { resolveTlc, type ResolvedTlc } from "../../scripts/tlc/resolve.ts";
import { runTlc, type TlcRun } from "../../scripts/tlc/run.ts";
import { parseSimulationFile, simulateArgs, simulationSucceeded, walkFiles } from "../../scripts/tlc/simulate.ts";
import { MODEL_DIR, modelHash } from "./model-source-hash.ts";
import { CORRECT_ACTIONS, DCA_ACTIONS, DCA_VARS, detailKeys, isGroupDead, isQuiescent, stepKey, stepOf, type DcaStep } from "./trace-select.ts";

export const TRACE_DIR = "traces/model";
export const SPEC = `${MODEL_DIR}/DCA_Record.tla`;
export const GRAPH_CONFIG = `${MODEL_DIR}/Record_3users.cfg`;
export const WALK_CONFIG = `${MODEL_DIR}/Record_4users.cfg`;
/** Random walks: seeds, how many walks TLC makes per seed, and their length in states. */
export const WALK_SEEDS = [1, 7, 42] as const;
export const WALKS_PER_SEED = 200;
export const WALK_DEPTH = 40;
const BUILD_DIR = join("build", "tlc", "traces");
const GENERATED_BY = "npm run traces";

export type State = { [name: string]: ItfValue };

function splitState(text: string, where: string, names: readonly string[] = DCA_VARS): { vars: State; step: DcaStep } {
  let values: State;
  try {
    values = parseTlaState(text);
  } catch (e) {
    throw new Error(`${where}: cannot parse the state: ${(e as Error).message}`);
  }
  const step = stepOf(values);
  const vars: State = {};
  for (const v of names) {
    if (!(v in values)) throw new Error(`${where}: the state has no variable ${v}`);
    vars[v] = values[v]!;
  }
  return { vars, step };
}

// ---------------------------------------------------------------------------
// The state graph and the chosen paths

export interface ModelGraph {
  graph: KeyedGraph;
  /** DCA variables and recorded step of each node (canonical order). */
  states: { vars: State; step: DcaStep }[];
  distinctStates: number;
  edgeCount: number;
  /** Edges per action name. */
  edgesPerAction: Map<string, number>;
}

/**
 * What a recording wrapper is, for reading its state graph and walks: this file's
 * DCA_Record.tla by default; conformance/generate/batch-traces.ts passes the batched
 * rules' (tla/DCA_BatchRecord.tla).
 */
export interface RecordRecipe {
  spec: string;
  /** The configuration whose whole state graph is dumped, and the one random walks use. */
  graphConfig: string;
  walkConfig: string;
  /** Folder under build/tlc/traces/. */
  buildName: string;
  /** The model's variables (the state without `step`). */
  vars: readonly string[];
  /** Every action a state may record. */
  actions: readonly string[];
  /** TLC's edge label of a step that records `action` (the name of the disjunct of Next taken). */
  labelOf: (action: string) => string;
  /** The keys of a step from state `pre`: its main key first, then its details. */
  keysOf: (pre: State, step: DcaStep) => string[];
}

const DCA_RECIPE: RecordRecipe = {
  spec: SPEC,
  graphConfig: GRAPH_CONFIG,
  walkConfig: WALK_CONFIG,
  buildName: "Record_3users",
  vars: DCA_VARS,
  actions: DCA_ACTIONS,
  labelOf: (action) => action,
  keysOf: (pre, step) => [stepKey(step), ...detailKeys(pre, step)],
};

export async function stateGraph(jar: ResolvedTlc, log: (line: string) => void, recipe: RecordRecipe = DCA_RECIPE): Promise<{ model: ModelGraph; run: TlcRun }> {
  const { spec: SPEC, graphConfig: GRAPH_CONFIG } = recipe;
  const outDir = resolve(BUILD_DIR, recipe.buildName);
  const dotPath = join(outDir, "states.dot");
  await rm(dotPath, { force: true });
  log(`state graph: TLC on ${SPEC} with ${GRAPH_CONFIG} (-dump dot,actionlabels)`);
  const run = await runTlc({
    spec: SPEC,
    config: GRAPH_CONFIG,
    jar,
    workers: 1,
    outDir,
    extraArgs: ["-dump", "dot,actionlabels", dotPath],
    quiet: true,
  });
  if (run.outcome.kind !== "ok") {
    throw new Error(`TLC did not explore the state graph: ${describeOutcome(run.outcome)} (raw output: ${relative(process.cwd(), run.rawOutputPath)})`);
  }
  let text: string;
  try {
    text = await readFile(dotPath, "utf8");
  } catch {
    throw new Error(`TLC finished but wrote no state graph at ${relative(process.cwd(), dotPath)}`);
  }
  const source = relative(process.cwd(), dotPath);
  const tlcGraph = tlcStateGraph(parseDot(text, source), source);
  if (run.distinctStates !== undefined && tlcGraph.states.size !== run.distinctStates) {
    throw new Error(`${source} has ${tlcGraph.states.size} states but TLC reported ${run.distinctStates} distinct states`);
  }

  // Canonical order: nodes by their TLA+ text, out-edges by key then target; never TLC's order.
  const { ids, index } = canonicalOrder(tlcGraph.states);
  const states = ids.map((id) => splitState(tlcGraph.states.get(id)!.stateText, `${source}, state ${id} (line ${tlcGraph.states.get(id)!.line})`, recipe.vars));
  const edgesPerAction = new Map<string, number>();
  const edges: KeyedEdge[] = tlcGraph.edges.map((e) => {
    const from = index.get(e.from)!;
    const to = index.get(e.to)!;
    const step = states[to]!.step;
    // TLC's label is the name of the disjunct of Next it took; the state records the same action.
    if (e.action !== undefined && e.action !== recipe.labelOf(step.action)) {
      throw new Error(`${source}, line ${e.line}: TLC labels the step "${e.action}" but the state it leads to records ${stepKey(step)}`);
    }
    if (!recipe.actions.includes(step.action)) {
      throw new Error(`${source}, line ${e.line}: unknown action ${step.action} (known: ${recipe.actions.join(", ")})`);
    }
    edgesPerAction.set(step.action, (edgesPerAction.get(step.action) ?? 0) + 1);
    return { from, to, keys: recipe.keysOf(states[from]!.vars, step) };
  });
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  edges.sort((a, b) => a.from - b.from || cmp(a.keys.join("|"), b.keys.join("|")) || a.to - b.to);
  const initial = tlcGraph.initial.map((id) => index.get(id)!).sort((a, b) => a - b);
  return {
    model: {
      graph: { size: ids.length, initial, edges },
      states,
      distinctStates: ids.length,
      edgeCount: edges.length,
      edgesPerAction,
    },
    run,
  };
}

/** Steps a user takes on its own (not the DS's Join/Leave, not AllGone): what settles the system. */
const usersOwnStep = (e: KeyedEdge) => !/^(Join|Leave|AllGone)\b/.test(e.keys[0]!);

/** "DcRemove u=2 target=1" -> "DcRemove-u2-target1"; "Read entry=add-apply" -> "Read-add-apply". */
export function slug(key: string): string {
  return key
    .replace(/"/g, "")
    .replace(/ (\w+)=/g, (_, name: string) => (name === "u" || name === "target" ? `-${name}` : "-"))
    .replace(/ /g, "-")
    .replace(/[^A-Za-z0-9_-]/g, "_");
}

interface Candidate {
  name: string;
  chosenBy: string;
  config: string;
  /** `enabled`: the DC steps TLC's state graph leaves the state by (cover paths only). */
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
      description: "A behaviour of the DCA model (Correct variant), to replay step by step. See traces/README.md.",
      source: SPEC,
      config: c.config,
      variant: "Correct",
      modelHash: modelHash(c.config),
      tlc: { label: jar.label, version: tlcVersion },
      chosenBy: c.chosenBy,
      ...c.extra,
      generatedBy: GENERATED_BY,
    },
    vars: [...DCA_VARS],
    states,
  };
}

// ---------------------------------------------------------------------------
// Random walks

/** TLC's random walks of the recipe's walk configuration with `seed`: every walk cut after its first AllGone, with its keys. */
export async function simulateWalks(
  jar: ResolvedTlc,
  seed: number,
  log: (line: string) => void,
  recipe: RecordRecipe,
): Promise<{ files: string[]; walks: { vars: State; step: DcaStep }[][]; keys: string[][]; run: TlcRun }> {
  const { spec: SPEC, walkConfig: WALK_CONFIG } = recipe;
  const outDir = resolve(BUILD_DIR, recipe === DCA_RECIPE ? `walks-seed${seed}` : `${recipe.buildName}-walks-seed${seed}`);
  const walkDir = join(outDir, "walks");
  await rm(walkDir, { recursive: true, force: true });
  await mkdir(walkDir, { recursive: true });
  log(`random walks: TLC -simulate on ${WALK_CONFIG}, seed ${seed}, ${WALKS_PER_SEED} walks of up to ${WALK_DEPTH} states`);
  const run = await runTlc({
    spec: SPEC,
    config: WALK_CONFIG,
    jar,
    workers: 1, // one worker: the same walks for the same seed
    outDir,
    extraArgs: simulateArgs({ dir: walkDir, walks: WALKS_PER_SEED, depth: WALK_DEPTH, seed }),
    quiet: true,
  });
  if (!simulationSucceeded(run)) {
    throw new Error(`TLC's random walks (seed ${seed}) failed: ${describeOutcome(run.outcome)} (raw output: ${relative(process.cwd(), run.rawOutputPath)})`);
  }
  const files = await walkFiles(walkDir);
  if (files.length !== WALKS_PER_SEED) {
    throw new Error(`TLC wrote ${files.length} walk files in ${relative(process.cwd(), walkDir)}, expected ${WALKS_PER_SEED}`);
  }
  const walks = await Promise.all(
    files.map(async (f) => {
      const texts = parseSimulationFile(await readFile(join(walkDir, f), "utf8"), f);
      const states = texts.map((t, i) => splitState(t, `${f}, STATE_${i + 1}`, recipe.vars));
      return trimAfterFirst(states, (s) => s.step.action, "AllGone");
    }),
  );
  const keys = walks.map((w) => w.slice(1).flatMap((s, i) => recipe.keysOf(w[i]!.vars, s.step)));
  return { files, walks, keys, run };
}

async function randomWalk(jar: ResolvedTlc, seed: number, log: (line: string) => void): Promise<{ candidate: Candidate; run: TlcRun }> {
  const { files, walks, keys, run } = await simulateWalks(jar, seed, log, DCA_RECIPE);
  const best = pickWalk(keys, (k) => k.startsWith("Dc"));
  const walk = walks[best]!;
  return {
    candidate: {
      name: `walk-4users-seed${seed}`,
      chosenBy: `random walk seed ${seed}`,
      config: WALK_CONFIG,
      states: walk,
      extra: {
        walk: `${files[best]} of ${WALKS_PER_SEED} walks made by TLC -simulate -depth ${WALK_DEPTH} -seed ${seed}, the one with the most distinct steps (then the most DC steps); cut after the first AllGone`,
        covers: [...new Set(keys[best])].sort(),
        endsQuiescent: isQuiescent(walk.at(-1)!.vars),
        endsWithLiveGroup: !isGroupDead(walk.at(-1)!.vars),
      },
    },
    run,
  };
}

// ---------------------------------------------------------------------------
// Generation

/** What generateTraces did: the coverage table, one line per trace written or removed, and any action no trace takes. */
export interface Generation {
  coverageReport: string;
  lines: string[];
  traces: number;
  missing: string[];
  seconds: number;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd()).join("\n");
}

export async function generateTraces(log: (line: string) => void): Promise<Generation> {
  const started = Date.now();
  const jar = await resolveTlc();
  const { model, run } = await stateGraph(jar, log);
  log(`state graph: ${model.distinctStates.toLocaleString("en-US")} states, ${model.edgeCount.toLocaleString("en-US")} edges (TLC ${run.seconds ?? "?"} s)`);

  const quiescent = model.states.map((s) => isQuiescent(s.vars));
  const dead = model.states.map((s) => isGroupDead(s.vars));
  const sel = selectCoverPaths(model.graph, {
    goals: [(n) => quiescent[n]! && !dead[n]!, (n) => quiescent[n]!],
    extendVia: usersOwnStep,
  });
  // The DC steps enabled in each state, as TLC's graph shows them: the conformance
  // replay checks that the implementation would take exactly these (no more, no less).
  const enabledDc = new Map<number, string[]>();
  for (const e of model.graph.edges) {
    const step = model.states[e.to]!.step;
    if (!step.action.startsWith("Dc") && step.action !== "Revive") continue;
    const p = step.params as { u?: number; target?: number };
    const list = enabledDc.get(e.from) ?? [];
    const text = p.target === undefined ? `${step.action}(${p.u})` : `${step.action}(${p.u} → ${p.target})`;
    if (!list.includes(text)) list.push(text);
    enabledDc.set(e.from, list);
  }
  const candidates: Candidate[] = sel.paths.map((p) => {
    const states = p.path.nodes.map((n) => ({ ...model.states[n]!, enabled: (enabledDc.get(n) ?? []).sort() }));
    return {
      name: `cover-${slug(p.key)}`,
      chosenBy: `cover: ${p.key}`,
      config: GRAPH_CONFIG,
      states,
      extra: {
        keyStep: p.keyStep,
        covers: p.covers,
        endsQuiescent: p.goal !== undefined,
        endsWithLiveGroup: !dead[p.path.nodes.at(-1)!]!,
        graph: { distinctStates: model.distinctStates, edges: model.edgeCount },
      },
    };
  });
  let walkVersion: string | undefined;
  for (const seed of WALK_SEEDS) {
    const w = await randomWalk(jar, seed, log);
    walkVersion ??= w.run.tlc.version;
    candidates.push(w.candidate);
  }

  // Coverage of the 3-user graph's keys by everything written.
  const covered = new Set(candidates.flatMap((c) => c.extra.covers as string[]));
  const isMain = (k: string) => k === "AllGone" || /^\w+ u=/.test(k);
  const main = coverage(sel.reachable.filter(isMain), covered);
  const detail = coverage(sel.reachable.filter((k) => !isMain(k)), covered);
  const rows = [["action", "combinations reachable", "covered", "edges in graph"]];
  for (const a of DCA_ACTIONS) {
    const r = main.rows.find((x) => x.group === a);
    rows.push([a, String(r?.reachable ?? 0), String(r?.covered ?? 0), String(model.edgesPerAction.get(a) ?? 0)]);
  }
  rows.push(["total", String(main.total.reachable), String(main.total.covered), String(model.edgeCount)]);
  const detailRows = [["step detail", "reachable", "covered"]];
  for (const k of sel.reachable.filter((x) => !isMain(x))) detailRows.push([k, "1", covered.has(k) ? "1" : "0"]);
  const coverageReport =
    `\nCoverage of ${GRAPH_CONFIG} (${model.distinctStates} states, ${model.edgeCount} edges) by ${candidates.length} traces:\n${table(rows)}\n\n${table(detailRows)}\n` +
    `(action, parameters): ${main.total.covered}/${main.total.reachable} covered; step details: ${detail.total.covered}/${detail.total.reachable}\n\n`;

  // Write, then drop files of an earlier run that were not regenerated.
  await mkdir(TRACE_DIR, { recursive: true });
  const written = new Set<string>();
  const lines: string[] = [];
  for (const c of candidates) {
    const version = c.config === WALK_CONFIG ? (walkVersion ?? run.tlc.version) : run.tlc.version;
    const file = join(TRACE_DIR, `${c.name}.itf.json`);
    if (written.has(file)) throw new Error(`two traces are named ${file}`);
    await writeItf(file, toItf(c, jar, version));
    written.add(file);
    lines.push(`${file}  ${c.states.length - 1} steps  ${c.chosenBy}`);
  }
  for (const f of await readdir(TRACE_DIR)) {
    const file = join(TRACE_DIR, f);
    if (f.endsWith(".itf.json") && !written.has(file)) {
      await rm(file);
      lines.push(`${file}  removed (not regenerated)`);
    }
  }

  const actions = new Set(candidates.flatMap((c) => c.states.slice(1).map((s) => s.step.action)));
  return { coverageReport, lines, traces: candidates.length, missing: CORRECT_ACTIONS.filter((a) => !actions.has(a)), seconds: (Date.now() - started) / 1000 };
}

// ---------------------------------------------------------------------------
// Checking the committed traces

export interface CheckReport {
  files: string[];
  problems: string[];
  /** Files whose modelHash is not the current one. */
  stale: string[];
  actions: Set<string>;
}

/** One committed trace as checkTraces and its batched and fenced counterparts read it. */
export interface CommittedTrace {
  file: string;
  trace: ItfTrace;
  /** #meta.config when it is one of the expected configurations, else undefined (already reported). */
  config: string | undefined;
}

/**
 * What every committed-trace check shares: lists `dir`'s *.itf.json (reporting an empty or
 * missing folder), reads each as ITF (reporting one that is not), reports a #meta.config
 * other than `configs`, and reports a trace made from another model than `hashOf(config)`
 * as stale. The callers check what is particular to their traces.
 */
export async function readCommittedTraces(
  dir: string,
  configs: readonly string[],
  hashOf: (config: string) => string,
  report: { files: string[]; problems: string[]; stale: string[] },
  modelName = "the model",
): Promise<CommittedTrace[]> {
  let names: string[] = [];
  try {
    names = (await readdir(dir)).filter((f) => f.endsWith(".itf.json")).sort();
  } catch {
    // no folder: reported below
  }
  if (names.length === 0) report.problems.push(`${dir}: no *.itf.json traces`);
  const traces: CommittedTrace[] = [];
  for (const name of names) {
    const file = join(dir, name);
    report.files.push(file);
    let trace: ItfTrace;
    try {
      trace = await readItf(file);
    } catch (e) {
      report.problems.push((e as Error).message);
      continue;
    }
    const meta = trace["#meta"] ?? {};
    // The hash covers the configuration the trace was made with (its users, its variant).
    const config = typeof meta.config === "string" && configs.includes(meta.config) ? meta.config : undefined;
    if (config === undefined) report.problems.push(`${file}: #meta.config is ${JSON.stringify(meta.config)}, expected ${configs.map((c) => `"${c}"`).join(" or ")}`);
    else if (meta.modelHash !== hashOf(config)) {
      report.stale.push(file);
      report.problems.push(`${file}: stale: made from model ${String(meta.modelHash ?? "(no modelHash)")}, ${modelName} is now ${hashOf(config)}`);
    }
    traces.push({ file, trace, config });
  }
  return traces;
}

/** Checks the committed traces: valid ITF, current model hash, every Correct action covered. */
export async function checkTraces(dir = TRACE_DIR, hashOf: (config: string) => string = modelHash): Promise<CheckReport> {
  const report: CheckReport = { files: [], problems: [], stale: [], actions: new Set() };
  const traces = await readCommittedTraces(dir, [GRAPH_CONFIG, WALK_CONFIG], hashOf, report);
  for (const { file, trace } of traces) {
    const meta = trace["#meta"] ?? {};
    if (meta.source !== SPEC) report.problems.push(`${file}: #meta.source is ${JSON.stringify(meta.source)}, expected "${SPEC}"`);
    if (trace.vars.join() !== DCA_VARS.join()) report.problems.push(`${file}: vars are [${trace.vars.join(", ")}], expected [${DCA_VARS.join(", ")}]`);
    if (trace.states.length === 0) report.problems.push(`${file}: no states`);
    trace.states.forEach((s, i) => {
      const m = s["#meta"] ?? {};
      const params = m.params;
      if (m.index !== i) report.problems.push(`${file}: states[${i}] has #meta.index ${JSON.stringify(m.index)}`);
      if (typeof m.action !== "string") report.problems.push(`${file}: states[${i}] has no #meta.action`);
      else if (i === 0 ? m.action !== "Init" : !(DCA_ACTIONS as readonly string[]).includes(m.action)) {
        report.problems.push(`${file}: states[${i}] has action ${JSON.stringify(m.action)}`);
      } else if (i > 0) report.actions.add(m.action);
      if (typeof params !== "object" || params === null || Array.isArray(params)) {
        report.problems.push(`${file}: states[${i}] has no #meta.params object`);
      }
    });
  }
  const missing = CORRECT_ACTIONS.filter((a) => !report.actions.has(a));
  if (report.files.length > 0 && missing.length > 0) report.problems.push(`${dir}: no trace takes ${missing.join(", ")}`);
  return report;
}

