// Past the exhaustive bound: a seeded swarm of TLC random walks of the model at 8-10
// users (tla/DCA_Swarm.tla; scripts/lib/swarm.ts), every walk checked against every
// invariant and step property of MC_ci. Prints one line per seed, the action
// coverage, and any violation with the ITF counterexample written for it (replay it
// with npm run replay). Exit 0: no violation; 1: a violation; 2: bad usage or TLC
// gave no verdict.
//
//   npm run simulate [-- --seeds 20] [--first-seed 1] [--users 8-10] [--walks 50] [--depth 300] [--variant V]

import { command, integer, oneOf, UsageError } from "./cli/command.ts";
import { CORRECT_ACTIONS, drawSeed, runSeed, SwarmError, type SeedResult } from "./lib/swarm.ts";
import { resolveTlc, TlcSetupError } from "./tlc/resolve.ts";

const HELP = `Usage: npm run simulate [-- --seeds N] [--first-seed S] [--users MIN-MAX] [--walks W] [--depth D] [--variant V] [--out DIR]

  defaults: 20 seeds from 1, 8-10 users, 50 walks of up to 300 states per seed, variant Correct`;
const VARIANTS = ["Correct", "FirstWelcomeCounts", "WelcomeWithoutRemoves", "WelcomeOutOfOrder", "AddBeforeWelcome", "DcLowestAlive", "NoSkipOwnAdd", "IgnoreRemoves"];

/** "8-10" or "8": the range of room sizes the seeds draw from. */
function userRange(text: string | undefined): { minUsers: number; maxUsers: number } {
  const range = /^(\d+)(?:-(\d+))?$/.exec(text ?? "8-10");
  if (!range) throw new UsageError(`--users ${text}: give N or MIN-MAX, e.g. 8-10`);
  const minUsers = Number(range[1]);
  const maxUsers = Number(range[2] ?? range[1]);
  if (minUsers < 2 || maxUsers < minUsers || maxUsers > 16) throw new UsageError(`--users ${text}: between 2 and 16, MIN <= MAX`);
  return { minUsers, maxUsers };
}

await command(import.meta.url, {
  name: "simulate",
  help: HELP,
  options: {
    seeds: { type: "string" }, "first-seed": { type: "string" }, users: { type: "string" }, walks: { type: "string" },
    depth: { type: "string" }, variant: { type: "string" }, out: { type: "string" },
  },
  errors: [{ type: TlcSetupError, label: "TLC setup" }, { type: SwarmError, label: "" }],
  exitWhenDone: true,
  run: async ({ values }) => {
    const a = {
      seeds: integer("--seeds", values.seeds, { min: 1, max: 10_000, fallback: 20 }),
      firstSeed: integer("--first-seed", values["first-seed"], { min: 1, max: 2 ** 31 - 1, fallback: 1 }),
      ...userRange(values.users),
      walks: integer("--walks", values.walks, { min: 1, max: 100_000, fallback: 50 }),
      depth: integer("--depth", values.depth, { min: 1, max: 100_000, fallback: 300 }),
      variant: oneOf("--variant", values.variant, VARIANTS, "variant", "Correct"),
      out: values.out,
    };
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
  },
});
