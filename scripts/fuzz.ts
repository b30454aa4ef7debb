// npm run fuzz -- --runs N [--seed S] [--users K] [--no-mls] [--variant V] ...
//
// A longer campaign of the model-based random test (conformance/room-commands.ts):
// N random command sequences on the steppable room, every model property checked
// after every step, convergence checked after every Quiesce. Prints progress and a
// summary (runs, steps, DC changes, time). On a failure it shrinks it, writes the
// run as an ITF trace to traces/counterexamples/fuzz-<seed>.itf.json (replay it
// with `npm run replay`), prints how to replay the fast-check run, and exits 1.
// Exit status: 0 no failure, 1 a property failed, 2 bad usage or an internal error.

import { parseArgs } from "node:util";
import {
  COUNTEREXAMPLE_DIR,
  DEFAULT_MAX_COMMANDS,
  DEFAULT_USERS,
  KNOWN_BUGS,
  describeFailure,
  runCampaign,
  writeCounterexample,
  type CampaignOptions,
  type CampaignStats,
} from "../conformance/room-commands.ts";
import { VARIANTS, type Variant } from "../impl/types.ts";

const HELP = `Usage: npm run fuzz -- --runs N [options]

  --runs N            random runs (default 100)
  --seed S            fast-check seed (default: random; printed)
  --users K           room size: users arrive while fewer than K are active (default ${DEFAULT_USERS})
  --arrivals N        users ever arriving, UIDs 1..N, the model's Users (default 2 × K)
  --max-commands M    commands per run at most (default ${DEFAULT_MAX_COMMANDS})
  --no-mls            the algorithm alone, without MLS (about 25 times faster)
  --variant V         run a known-bad implementation switch (${VARIANTS.filter((v) => v !== "Correct").join(", ")})
  --strict            fail on known bugs of dependencies too (by default a run that hits one
                      ends there and is counted; known now: ${KNOWN_BUGS.map((b) => b.id).join(", ") || "none"})
  --path P            with --seed and --replay-path: replay a failure printed by an earlier run
  --replay-path R     fc.commands' replayPath of that failure
  --out DIR           where to write the counterexample (default ${COUNTEREXAMPLE_DIR})
  --no-shrink         stop at the first failure without shrinking it`;

const int = (name: string, text: string | undefined, min: number): number | undefined => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} expects an integer ≥ ${min}, got ${JSON.stringify(text)}`);
  return n;
};

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
    `  Quiesce     ${fmt(stats.quiesces)}: converged ${fmt(stats.converged)}, group dead ${fmt(stats.deadGroups)}; application messages checked ${fmt(stats.appMessages)}`,
  ];
  if (stats.rejectedReads) lines.push(`  rejected    ${fmt(stats.rejectedReads)} log entries refused by members`);
  for (const [id, n] of stats.cutShort) {
    const bug = KNOWN_BUGS.find((b) => b.id === id);
    lines.push(`  known bug   ${id}: ${fmt(n)} run(s) cut short — ${bug?.description ?? ""}`);
  }
  return lines;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
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
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length) throw new Error(`unexpected arguments ${positionals.join(" ")} (see --help)`);
  if (values.variant !== undefined && !VARIANTS.includes(values.variant as Variant)) {
    throw new Error(`unknown variant ${values.variant}; known: ${VARIANTS.join(", ")}`);
  }
  if (values.path !== undefined && (values.seed === undefined || values["replay-path"] === undefined)) {
    // fast-check replays a command sequence only with all three (seed and path alone replay nothing).
    throw new Error("--path needs the --seed and the --replay-path printed with it");
  }
  const runs = int("runs", values.runs, 1) ?? 100;
  const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isInteger(seed)) throw new Error(`--seed expects an integer, got ${JSON.stringify(values.seed)}`);
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
  const result = await runCampaign({
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

  console.log(`\n${result.failed ? "FAILED" : "OK"}: variant ${opts.variant ?? "Correct"}, seed ${result.seed}`);
  for (const line of summary(result.stats, result.ms, result.failed)) console.log(line);
  if (!result.failed) return 0;
  let file: string | undefined;
  if (result.trace) {
    file = await writeCounterexample(result, values.out ?? COUNTEREXAMPLE_DIR);
    console.log(`\nThe failing run (${result.trace.states.length - 1} steps) is in ${file}`);
  }
  console.log(`\n${describeFailure(result, file)}`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    console.error(`fuzz: error: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 2;
  },
);
