// Past the exhaustive bound: a seeded swarm of TLC random walks of the model at 8-10
// users (tla/DCA_Swarm.tla; scripts/lib/swarm.ts), every walk checked against every
// invariant and step property of MC_ci. Prints one line per seed, the action
// coverage, and any violation with the ITF counterexample written for it (replay it
// with npm run replay). Exit 0: no violation; 1: a violation; 2: bad usage or TLC
// gave no verdict.
//
//   npm run simulate [-- --seeds 20] [--first-seed 1] [--users 8-10] [--walks 50] [--depth 300] [--variant V]

import { parseArgs } from "node:util";
import { CORRECT_ACTIONS, drawSeed, runSeed, SwarmError, type SeedResult } from "./lib/swarm.ts";
import { resolveTlc, TlcSetupError } from "./tlc/resolve.ts";

const USAGE = "usage: npm run simulate [-- --seeds N] [--first-seed S] [--users MIN-MAX] [--walks W] [--depth D] [--variant V] [--out DIR]";
const VARIANTS = ["Correct", "FirstWelcomeCounts", "WelcomeWithoutRemoves", "WelcomeOutOfOrder", "AddBeforeWelcome", "DcLowestAlive", "NoSkipOwnAdd", "IgnoreRemoves"];

class UsageError extends Error {}

function positive(name: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${name} ${text}: give a whole number from 1 to ${max}`);
  return n;
}

function parse(argv: string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        seeds: { type: "string" }, "first-seed": { type: "string" }, users: { type: "string" }, walks: { type: "string" },
        depth: { type: "string" }, variant: { type: "string" }, out: { type: "string" }, help: { type: "boolean" },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n  defaults: 20 seeds from 1, 8-10 users, 50 walks of up to 300 states per seed, variant Correct\n`);
    process.exit(0);
  }
  const range = /^(\d+)(?:-(\d+))?$/.exec(values.users ?? "8-10");
  if (!range) throw new UsageError(`--users ${values.users}: give N or MIN-MAX, e.g. 8-10`);
  const minUsers = Number(range[1]);
  const maxUsers = Number(range[2] ?? range[1]);
  if (minUsers < 2 || maxUsers < minUsers || maxUsers > 16) throw new UsageError(`--users ${values.users}: between 2 and 16, MIN <= MAX`);
  const variant = values.variant ?? "Correct";
  if (!VARIANTS.includes(variant)) throw new UsageError(`--variant ${variant}: one of ${VARIANTS.join(", ")}`);
  return {
    seeds: positive("seeds", values.seeds, 20, 10_000),
    firstSeed: positive("first-seed", values["first-seed"], 1, 2 ** 31 - 1),
    minUsers, maxUsers,
    walks: positive("walks", values.walks, 50, 100_000),
    depth: positive("depth", values.depth, 300, 100_000),
    variant,
    out: values.out,
  };
}

async function main(): Promise<number> {
  const a = parse(process.argv.slice(2));
  const jar = await resolveTlc();
  const results: SeedResult[] = [];
  process.stdout.write(`Swarm of TLC random walks: ${a.seeds} seed(s) from ${a.firstSeed}, ${a.minUsers}-${a.maxUsers} users, ${a.walks} walks of up to ${a.depth} states each, variant ${a.variant}\n`);
  for (let seed = a.firstSeed; seed < a.firstSeed + a.seeds; seed++) {
    const r = await runSeed(drawSeed(seed, a.minUsers, a.maxUsers), { jar, walks: a.walks, depth: a.depth, variant: a.variant, ...(a.out ? { outRoot: a.out } : {}) });
    results.push(r);
    const dc = (r.actions.DcWelcome ?? 0) + (r.actions.DcAdd ?? 0) + (r.actions.DcRemove ?? 0);
    process.stdout.write(
      `seed ${seed}: ${r.users} users, at most ${r.maxGone} leaving: ${r.walks} walks, ${r.steps} steps (${dc} DC steps), ${r.endedCaughtUp} ended caught up, ${r.seconds.toFixed(1)} s` +
        (r.violation ? ` — VIOLATION: ${r.violation.what}; counterexample ${r.violation.itf}` : "") + "\n",
    );
    if (r.violation) break; // TLC stops at the first violation; the trace says enough
  }
  const total: Record<string, number> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.actions)) total[k] = (total[k] ?? 0) + v;
  const missing = CORRECT_ACTIONS.filter((x) => !total[x]);
  process.stdout.write(
    `Behaviours: ${results.reduce((n, r) => n + r.walks, 0)}, steps: ${results.reduce((n, r) => n + r.steps, 0)}; actions taken: ` +
      Object.entries(total).sort().map(([k, v]) => `${k} ${v}`).join(", ") +
      (missing.length ? `; never taken: ${missing.join(", ")}` : "; every action of the model taken") + "\n",
  );
  const bad = results.find((r) => r.violation);
  process.stdout.write(bad ? `A violation: replay it with npm run replay -- ${bad.violation!.itf}\n` : "No violation.\n");
  return bad ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(e instanceof UsageError ? `simulate: ${msg}\n${USAGE}\n` : `simulate: ${e instanceof TlcSetupError ? "TLC setup: " : e instanceof SwarmError ? "" : "error: "}${msg}\n`);
    process.exit(2);
  },
);
