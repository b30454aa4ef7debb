// The traces of blind spot 2 (traces/zombie/; npm run traces -- --zombie): behaviours of
// the model with a live user announced as left (tla/DCA_Zombie.tla, spec/zombie.md), for
// the replay on real MLS, through the recording wrapper tla/DCA_ZombieRecord.tla:
//   1. random walks of tla/ZombieRecord_3users.cfg (the DS fences, R5; -simulate, fixed
//      seeds); greedily, the walks that add the most keys not yet taken (REQUIRED_KEYS
//      first: a live DC announced, a zombie reading on, a zombie stopping at its own
//      `left` and before it, the others reviving the room while the zombie still runs),
//      at most MAX_WALKS of them;
//   2. Gap_Zombie's counterexample with recorded steps (tla/ZombieRecord_gap.cfg, no
//      fence: TLC must report ZNoFork), which the replay runs with the room's fence off
//      (the fork on real MLS) and on (the DS refuses the zombie's append);
//   3. each becomes traces/zombie/<name>.itf.json; stale files are removed.
// checkZombieTraces: the committed traces are valid ITF of the current model and config
// and take every required key, recomputed from their states.

import { mkdir, readdir, rm } from "node:fs/promises";
import { join, relative } from "node:path";
import { writeItf, type ItfState, type ItfTrace } from "../../scripts/tlc/formats/itf.ts";
import { parseTlaState, type ItfValue } from "../../scripts/tlc/formats/tla-values.ts";
import { describeOutcome } from "../../scripts/tlc/messages.ts";
import { resolveTlc, type ResolvedTlc } from "../../scripts/tlc/resolve.ts";
import { runTlc } from "../../scripts/tlc/run.ts";
import { Believes, view, type ModelLike } from "../model/state-view.ts";
import { DCA_VARS } from "../model/vocabulary.ts";
import { modelHash } from "./model-source-hash.ts";
import { readCommittedTraces, simulateWalks, type RecordRecipe, type State } from "./model-traces.ts";
import { stepKey, stepOf, type DcaStep } from "./trace-select.ts";

export const ZOMBIE_TRACE_DIR = "traces/zombie";
export const ZOMBIE_SPEC = "tla/DCA_ZombieRecord.tla";
export const ZOMBIE_WALK_CONFIG = "tla/ZombieRecord_3users.cfg";
export const ZOMBIE_GAP_CONFIG = "tla/ZombieRecord_gap.cfg";
/** The modules a zombie trace depends on (its modelHash covers them and its configuration). */
export const ZOMBIE_MODEL_FILES = ["DCA.tla", "DCA_Inputs.tla", "DCA_Zombie.tla", "DCA_ZombieRecord.tla"] as const;
export const zombieModelHash = (config: string) => modelHash(config, ZOMBIE_MODEL_FILES);
/** DCA_Zombie's variables: DCA's and `announced`, sorted as ITF lists them. */
export const ZOMBIE_VARS = ["announced", ...DCA_VARS] as const;
export const ZOMBIE_ACTIONS = ["Join", "Leave", "Announce", "Stop", "Read", "DcWelcome", "DcAdd", "DcRemove", "DcSkip", "Revive", "AllGone"] as const;
/** What the fenced traces must show (spec/zombie.md). */
export const REQUIRED_KEYS = [
  "Announce role=dc",
  "Announce role=dc-mid-add",
  "Read by=zombie",
  "Stop at=own-left",
  "Stop at=early",
  "DcWelcome while=zombie",
  "DcAdd while=zombie",
  "Revive while=zombie",
] as const;
export const WALK_SEEDS = [1, 7, 42] as const;
const MAX_WALKS = 4;
const GENERATED_BY = "npm run traces -- --zombie";

const inSet = (v: ItfValue | undefined, x: number) => ((v as { "#set"?: number[] } | undefined)?.["#set"] ?? []).includes(x);

/** The keys of a recorded step from state `pre`: the step itself, then what it shows of blind spot 2. */
export function zombieKeys(pre: State, step: DcaStep): string[] {
  const keys = [stepKey(step)];
  const u = step.params.u as number | undefined;
  const zombies = ((pre.announced as { "#set"?: number[] } | undefined)?.["#set"] ?? []).length > 0;
  const s = u === undefined ? undefined : view(pre as ModelLike).st[u - 1];
  switch (step.action) {
    case "Announce":
      keys.push(`Announce role=${s && Believes(s, "Correct") ? (s.adding !== 0 ? "dc-mid-add" : "dc") : s?.welcomed ? "member" : "joiner"}`);
      break;
    case "Read":
      if (u !== undefined && inSet(pre.announced, u) && s) {
        const entry = (pre.log as { type: string }[])[s.cursor];
        keys.push("Read by=zombie", `Read by=zombie entry=${entry?.type ?? "?"}`);
      }
      break;
    case "Stop": {
      const log = pre.log as { type: string; uid?: number }[];
      const next = s ? log[s.cursor] : undefined;
      keys.push(`Stop at=${next?.type === "left" && next.uid === u ? "own-left" : "early"}`);
      break;
    }
    default:
      // Another user's step while a zombie still runs: the others go on without it.
      if (zombies && step.action !== "AllGone") keys.push(`${step.action} while=zombie`);
      break;
  }
  return keys;
}

const ZOMBIE_RECIPE: RecordRecipe = {
  spec: ZOMBIE_SPEC,
  graphConfig: ZOMBIE_WALK_CONFIG, // no state graph is dumped: walks only
  walkConfig: ZOMBIE_WALK_CONFIG,
  buildName: "ZombieRecord_3users",
  vars: ZOMBIE_VARS,
  actions: ZOMBIE_ACTIONS,
  labelOf: () => "RecNext",
  keysOf: zombieKeys,
};

type Walk = { vars: State; step: DcaStep }[];

function toItf(name: string, states: Walk, config: string, jar: ResolvedTlc, version: string | undefined, extra: Record<string, unknown>): ItfTrace {
  const itfStates: ItfState[] = states.map(({ vars, step }, index) => ({ "#meta": { index, action: step.action, params: step.params }, ...vars }));
  return {
    "#meta": {
      format: "ITF",
      "format-description": "https://apalache-mc.org/docs/adr/015adr-trace.html",
      description: `A behaviour of the model with a live user announced as left (tla/DCA_Zombie.tla), to replay step by step: ${name}. See traces/README.md.`,
      source: ZOMBIE_SPEC,
      config,
      variant: "Correct",
      modelHash: zombieModelHash(config),
      tlc: { label: jar.label, version },
      ...extra,
      generatedBy: GENERATED_BY,
    },
    vars: [...ZOMBIE_VARS],
    states: itfStates,
  };
}

/** Gap_Zombie's counterexample, with the recorded steps: the fork without the fence. */
async function gapTrace(jar: ResolvedTlc, log: (line: string) => void): Promise<{ states: Walk; version: string | undefined }> {
  log(`counterexample: TLC on ${ZOMBIE_SPEC} with ${ZOMBIE_GAP_CONFIG} (no fence: ZNoFork must fail)`);
  const run = await runTlc({ spec: ZOMBIE_SPEC, config: ZOMBIE_GAP_CONFIG, jar, workers: 1, outDir: join("build", "tlc", "traces", "ZombieRecord_gap"), quiet: true });
  if (run.outcome.kind !== "invariant" || run.outcome.name !== "ZNoFork") {
    throw new Error(`${ZOMBIE_GAP_CONFIG}: expected TLC to report ZNoFork violated, got ${describeOutcome(run.outcome)} (raw output: ${relative(process.cwd(), run.rawOutputPath)})`);
  }
  const states = (run.errorTrace ?? []).map((t) => {
    const values = parseTlaState(t.stateText);
    const vars: State = {};
    for (const v of ZOMBIE_VARS) vars[v] = values[v]!;
    return { vars, step: stepOf(values) };
  });
  return { states, version: run.tlc.version };
}

export interface ZombieGeneration {
  lines: string[];
  traces: number;
  missing: string[];
  seconds: number;
}

export async function generateZombieTraces(log: (line: string) => void): Promise<ZombieGeneration> {
  const started = Date.now();
  const jar = await resolveTlc();
  const pool: { name: string; walk: Walk; keys: string[]; file: string }[] = [];
  let version: string | undefined;
  for (const seed of WALK_SEEDS) {
    const { files, walks, keys, run } = await simulateWalks(jar, seed, log, ZOMBIE_RECIPE);
    version ??= run.tlc.version;
    walks.forEach((walk, i) => pool.push({ name: `seed${seed}`, walk, keys: keys[i]!, file: files[i]! }));
  }
  // Greedy: the walk adding the most required keys not yet taken, then the most other new keys.
  const taken = new Set<string>();
  const chosen: typeof pool = [];
  while (chosen.length < MAX_WALKS) {
    const gain = (p: (typeof pool)[number]) => {
      const fresh = new Set(p.keys.filter((k) => !taken.has(k)));
      return [[...fresh].filter((k) => (REQUIRED_KEYS as readonly string[]).includes(k)).length, fresh.size] as const;
    };
    let best = -1;
    let bestGain: readonly [number, number] = [0, 0];
    pool.forEach((p, i) => {
      const g = gain(p);
      if (g[0] > bestGain[0] || (g[0] === bestGain[0] && g[1] > bestGain[1])) [best, bestGain] = [i, g];
    });
    if (best === -1) break; // no walk adds a key
    const p = pool.splice(best, 1)[0]!;
    p.keys.forEach((k) => taken.add(k));
    chosen.push(p);
  }

  await mkdir(ZOMBIE_TRACE_DIR, { recursive: true });
  const written = new Set<string>();
  const lines: string[] = [];
  for (const [i, p] of chosen.entries()) {
    const file = join(ZOMBIE_TRACE_DIR, `walk-fenced-${i + 1}-${p.name}.itf.json`);
    await writeItf(file, toItf(`random walk ${p.file} (${p.name})`, p.walk, ZOMBIE_WALK_CONFIG, jar, version, {
      zombieRule: "Fence",
      walk: `${p.file} of the walks TLC -simulate made with ${p.name}; chosen for the keys it adds (cut after the first AllGone)`,
      covers: [...new Set(p.keys)].sort(),
    }));
    written.add(file);
    lines.push(`${file}  ${p.walk.length - 1} steps`);
  }
  const gap = await gapTrace(jar, log);
  const gapFile = join(ZOMBIE_TRACE_DIR, "gap-zombie-fork.itf.json");
  await writeItf(gapFile, toItf("Gap_Zombie's counterexample (no fence)", gap.states, ZOMBIE_GAP_CONFIG, jar, gap.version, {
    zombieRule: "None",
    violation: { kind: "invariant", name: "ZNoFork" },
  }));
  written.add(gapFile);
  lines.push(`${gapFile}  ${gap.states.length - 1} steps  (ZNoFork violated without the fence)`);
  for (const f of await readdir(ZOMBIE_TRACE_DIR)) {
    const file = join(ZOMBIE_TRACE_DIR, f);
    if (f.endsWith(".itf.json") && !written.has(file)) {
      await rm(file);
      lines.push(`${file}  removed (not regenerated)`);
    }
  }
  return { lines, traces: written.size, missing: REQUIRED_KEYS.filter((k) => !taken.has(k)), seconds: (Date.now() - started) / 1000 };
}

export interface ZombieCheck {
  files: string[];
  problems: string[];
  stale: string[];
  keys: Set<string>;
}

/** The committed traces: valid ITF, of the current model and config, every required key taken (recomputed from the states). */
export async function checkZombieTraces(dir = ZOMBIE_TRACE_DIR, hashOf: (config: string) => string = zombieModelHash): Promise<ZombieCheck> {
  const report: ZombieCheck = { files: [], problems: [], stale: [], keys: new Set() };
  const traces = await readCommittedTraces(dir, [ZOMBIE_WALK_CONFIG, ZOMBIE_GAP_CONFIG], hashOf, report);
  for (const { trace, config } of traces) {
    if (config !== ZOMBIE_WALK_CONFIG) continue; // the gap trace shows the fork, not the fenced keys
    for (let i = 1; i < trace.states.length; i++) {
      const meta = trace.states[i]!["#meta"] ?? {};
      const step: DcaStep = { action: String(meta.action), params: (meta.params ?? {}) as DcaStep["params"] };
      for (const k of zombieKeys(trace.states[i - 1]! as State, step)) report.keys.add(k);
    }
  }
  for (const k of REQUIRED_KEYS) if (!report.keys.has(k)) report.problems.push(`${dir}: no fenced trace takes ${k}`);
  return report;
}
