// npm run fuzz -- --runs N [--seed S] [--users K] [--no-mls] [--variant V] ...
//
// A longer campaign of the model-based random test (conformance/random/property-engine.ts):
// N random command sequences on the steppable room, every model property checked
// after every step, convergence checked after every Quiesce. Prints progress and a
// summary (runs, steps, DC changes, time). On a failure it shrinks it, writes the
// run as an ITF trace to traces/counterexamples/fuzz-<seed>.itf.json (replay it
// with `npm run replay`), prints how to replay the fast-check run, and exits 1.
// The failure is printed before the trace is written, and --out is checked before
// the first run, so a folder that cannot be written never loses a failure.
// Exit status: 0 no failure, 1 a property failed (even if its trace could not be
// written), 2 bad usage (one line "fuzz: usage: …", before any run) or an error.

import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { resolve } from "node:path";
import {
  COUNTEREXAMPLE_DIR,
  DEFAULT_MAX_COMMANDS,
  DEFAULT_USERS,
  KNOWN_BUGS,
  counterexampleFile,
  describeFailure,
  recordedReplay,
  runCampaign,
  writeCounterexample,
  type CampaignOptions,
  type CampaignResult,
  type CampaignStats,
} from "../conformance/random/property-engine.ts";
import { VARIANTS, type Variant } from "../impl/types.ts";
import { command, UsageError, type Args } from "./cli/command.ts";
import { fsReason, nearestExisting } from "./cli/fs-errors.ts";

/** fast-check's seeds are 32-bit: any other number is folded into this range (fc's readSeed), and the run would not be the one asked for. */
const SEED_MIN = -(2 ** 31);
const SEED_MAX = 2 ** 31 - 1;

const HELP = `Usage: npm run fuzz -- --runs N [options]

  --runs N            random runs (default 100)
  --seed S            fast-check seed, an integer in ${SEED_MIN}..${SEED_MAX} (default: random; printed)
  --users K           room size: users arrive while fewer than K are active (default ${DEFAULT_USERS})
  --arrivals N        users ever arriving, UIDs 1..N, the model's Users (default 2 × K)
  --max-commands M    commands per run at most (default ${DEFAULT_MAX_COMMANDS})
  --no-mls            the algorithm alone, without MLS (about 25 times faster)
  --variant V         run a known-bad implementation switch (${VARIANTS.filter((v) => v !== "Correct").join(", ")})
  --strict            fail on known bugs of dependencies too (by default a run that hits one
                      ends there and is counted; known now: ${KNOWN_BUGS.map((b) => b.id).join(", ") || "none"})
  --path P            with --seed and --replay-path: replay a failure printed by an earlier run
  --replay-path R     with --seed and --path: fc.commands' replayPath of that failure
  --out DIR           where to write the counterexample (default ${COUNTEREXAMPLE_DIR}; checked before the first run)
  --no-shrink         stop at the first failure without shrinking it

Exit status: 0 no failure, 1 a property failed, 2 bad usage or an error.`;

const int = (name: string, text: string | undefined, min: number): number | undefined => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} expects an integer ≥ ${min}, got ${JSON.stringify(text)}`);
  return n;
};

function parseSeed(text: string): number {
  const n = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= SEED_MIN && n <= SEED_MAX)) {
    throw new UsageError(`--seed expects an integer in ${SEED_MIN}..${SEED_MAX} (fast-check's seeds are 32-bit), got ${JSON.stringify(text)}`);
  }
  return n;
}

/** fast-check's counterexample path: numbers separated by ":" (e.g. "1:2:1"). */
const PATH = /^\d+(:\d+)*$/;
/** fc.commands' replayPath: base-64 run lengths, ":", base-64 values, six to a character (e.g. "BADC:V"). */
function isReplayPath(text: string): boolean {
  const m = /^([A-Za-z0-9+/]*):([A-Za-z0-9+/]*)$/.exec(text);
  return m !== null && m[2]!.length === Math.ceil(m[1]!.length / 6);
}

/** fast-check's complaints when --path or --replay-path does not fit the seed's runs. */
function replayMismatch(e: unknown, seed: number, path: string | undefined, replayPath: string | undefined): UsageError | undefined {
  const message = e instanceof Error ? e.message : "";
  if (path !== undefined && /^Unable to replay/.test(message)) {
    return new UsageError(`--path ${path} is not a path of seed ${seed}'s runs (fast-check: ${message})`);
  }
  if (replayPath !== undefined && /^(Too short replayPath|Mismatch between replayPath and real execution)/.test(message)) {
    return new UsageError(`--replay-path ${replayPath} does not fit the run at seed ${seed}, path ${path} (fast-check: ${message})`);
  }
  return undefined;
}

/**
 * Why `file` (in folder `dir`) could not be written, or undefined if it can be:
 * checked before the first run, without creating anything (what only writing
 * can tell, a full disk say, is reported after the failure has been printed).
 */
async function unwritable(dir: string, file: string): Promise<string | undefined> {
  const existing = await nearestExisting(dir);
  const shown = existing === resolve(dir) ? dir : existing;
  const found = await stat(existing).then((s) => s, () => undefined);
  if (!found) return `${shown} is a symbolic link to nothing`;
  if (!found.isDirectory()) return `${shown} is not a folder`;
  if (await stat(file).then((s) => s.isDirectory(), () => false)) return "it is a folder";
  return access(existing, constants.W_OK | constants.X_OK).then(
    () => undefined,
    (e: unknown) => fsReason(e),
  );
}

const fmt = (n: number) => n.toLocaleString("en-US");
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function summary(stats: CampaignStats, ms: number, failed: boolean): string[] {
  const per = (n: number) => (stats.runs ? (n / stats.runs).toFixed(1) : "0");
  const atLeast = (k: number) => stats.dcChangeRuns.slice(k).reduce((a, b) => a + b, 0);
  const actions = [...stats.actions].sort((a, b) => b[1] - a[1]).map(([a, n]) => `${a} ${fmt(n)}`).join(", ");
  const lines = [
    failed
      ? `  runs        ${fmt(stats.runs)} (the last one failed); ${secs(ms)} with shrinking`
      : `  runs        ${fmt(stats.runs)} in ${secs(ms)} (${stats.steps ? (ms / stats.steps).toFixed(2) : "-"} ms per step)`,
    `  steps       ${fmt(stats.steps)} (${per(stats.steps)} per run, at most ${fmt(stats.maxStepsInRun)}): ${actions}`,
    `  DC changes  ${fmt(stats.dcChanges)} (${per(stats.dcChanges)} per run, at most ${stats.maxDcChangesInRun}; runs with ≥ 1: ${fmt(atLeast(1))}, ≥ 3: ${fmt(atLeast(3))}, ≥ 5: ${fmt(atLeast(5))})`,
    `  Quiesce     ${fmt(stats.quiesces)}: converged ${fmt(stats.converged)}, room deserted ${fmt(stats.deadGroups)}; application messages checked ${fmt(stats.appMessages)}`,
  ];
  if (stats.rejectedReads) lines.push(`  rejected    ${fmt(stats.rejectedReads)} log entries refused by members`);
  for (const [id, n] of stats.cutShort) {
    const bug = KNOWN_BUGS.find((b) => b.id === id);
    lines.push(`  known bug   ${id}: ${fmt(n)} run(s) cut short — ${bug?.description ?? ""}`);
  }
  return lines;
}

const OPTIONS = {
  runs: { type: "string" },
  seed: { type: "string" },
  users: { type: "string" },
  arrivals: { type: "string" },
  "max-commands": { type: "string" },
  "no-mls": { type: "boolean" },
  variant: { type: "string" },
  strict: { type: "boolean" },
  path: { type: "string" },
  "replay-path": { type: "string" },
  out: { type: "string" },
  "no-shrink": { type: "boolean" },
} as const;

async function main({ values }: Args<typeof OPTIONS>): Promise<number> {
  if (values.variant !== undefined && !VARIANTS.includes(values.variant as Variant)) {
    throw new UsageError(`unknown variant ${values.variant}; known: ${VARIANTS.join(", ")}`);
  }
  if (values.path !== undefined && (values.seed === undefined || values["replay-path"] === undefined)) {
    // fast-check replays a command sequence only with all three (seed and path alone replay nothing).
    throw new UsageError("--path needs the --seed and the --replay-path printed with it");
  }
  if (values["replay-path"] !== undefined && values.path === undefined) {
    // Without --path, fast-check would ignore it: the runs would not be the replay asked for.
    throw new UsageError("--replay-path needs the --seed and the --path printed with it");
  }
  if (values.path !== undefined && !PATH.test(values.path)) {
    throw new UsageError(`--path ${JSON.stringify(values.path)} is malformed: expected fast-check's path as printed with a failure, numbers separated by ":" (e.g. "1:2:1")`);
  }
  if (values["replay-path"] !== undefined && !isReplayPath(values["replay-path"])) {
    throw new UsageError(`--replay-path ${JSON.stringify(values["replay-path"])} is malformed: expected fc.commands' replayPath as printed with a failure (e.g. "BADC:V")`);
  }
  const runs = int("runs", values.runs, 1) ?? 100;
  const seed = values.seed !== undefined ? parseSeed(values.seed) : Math.floor(Math.random() * 2 ** 31);
  const users = int("users", values.users, 1);
  const arrivals = int("arrivals", values.arrivals, 1);
  const maxCommands = int("max-commands", values["max-commands"], 1);
  const opts: CampaignOptions = {
    numRuns: runs,
    seed,
    mls: !values["no-mls"],
    ...(values.variant ? { variant: values.variant as Variant } : {}),
    ...(users !== undefined ? { users } : {}),
    ...(arrivals !== undefined ? { arrivals } : {}),
    ...(maxCommands !== undefined ? { maxCommands } : {}),
    ...(values.path !== undefined ? { path: values.path } : {}),
    ...(values["replay-path"] !== undefined ? { replayPath: values["replay-path"] } : {}),
    ...(values["no-shrink"] ? { endOnFailure: true } : {}),
    tolerate: values.strict ? [] : KNOWN_BUGS,
  };
  // Where a failure would go: checked now, so that it is not found only after the runs.
  const out = values.out ?? COUNTEREXAMPLE_DIR;
  const target = counterexampleFile(seed, out);
  const why = await unwritable(out, target);
  if (why !== undefined) throw new Error(`cannot write ${target}: ${why} (--out)`);
  const k = opts.users ?? DEFAULT_USERS;
  console.log(
    `Fuzzing: ${values.path !== undefined ? `replay of seed ${seed}, path ${values.path}` : `${fmt(runs)} runs, seed ${seed}`}; ` +
      `variant ${opts.variant ?? "Correct"}, MLS ${opts.mls ? "on" : "off"}, rooms of up to ${k} users, ` +
      `${opts.arrivals ?? 2 * k} arrivals, up to ${opts.maxCommands ?? DEFAULT_MAX_COMMANDS} commands per run` +
      `${values.strict ? ", strict" : ""}`,
  );

  const started = performance.now();
  let lastPrint = started;
  let shrinks = 0;
  const campaign = runCampaign({
    ...opts,
    onRun: (stats, shrinking) => {
      if (shrinking) shrinks++;
      const now = performance.now();
      if (now - lastPrint < 2000) return;
      lastPrint = now;
      const what = shrinking
        ? `shrinking a failure: ${shrinks} attempts`
        : `runs ${fmt(stats.runs)}/${fmt(runs)}  steps ${fmt(stats.steps)}  DC changes ${fmt(stats.dcChanges)}  converged ${fmt(stats.converged)}`;
      console.log(`  [${secs(now - started).padStart(7)}] ${what}`);
    },
  });
  const result: CampaignResult = await campaign.catch((e: unknown) => {
    throw replayMismatch(e, seed, opts.path, opts.replayPath) ?? e;
  });
  if (result.failed && opts.replayPath !== undefined) {
    const mismatch = replayMismatch(result.error, seed, opts.path, opts.replayPath);
    if (mismatch) throw mismatch;
  }

  console.log(`\n${result.failed ? "FAILED" : "OK"}: variant ${opts.variant ?? "Correct"}, seed ${result.seed}`);
  for (const line of summary(result.stats, result.ms, result.failed)) console.log(line);
  if (!result.failed) return 0;
  // The failure first: whatever happens to the trace file, what failed and how to replay it is on the screen.
  console.log(`\n${describeFailure(result)}`);
  if (!result.trace) return 1;
  let file: string;
  try {
    file = await writeCounterexample(result, out);
  } catch (e) {
    console.error(`fuzz: error: cannot write ${target}: ${fsReason(e)}`);
    return 1; // a property did fail
  }
  console.log(`\nThe failing run (${result.trace.states.length - 1} steps) is in ${file}`);
  console.log(recordedReplay(result, file));
  return 1;
}

await command(import.meta.url, { name: "fuzz", help: HELP, options: OPTIONS, run: main });
