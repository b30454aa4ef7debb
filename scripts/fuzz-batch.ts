// npm run fuzz:batch -- [--runs N] [--seed S] [--users K] [--arrivals A] [--max-commands C] [--rank Uid|None|All] [--no-skip] [--out FILE]
//
// A longer campaign of the random test of the batched rules (conformance/random/batch-engine.ts):
// N runs of fast-check commands on impl/batch.ts with real MLS, every model property
// checked after every step, convergence after every quiesce. Prints a summary; on a
// failure, the shrunk run is written as ITF (default build/batch-fuzz-<seed>.itf.json)
// for `npm run validate:batch` and `npm run conformance:batch`. --rank switches the room
// to a known-bad tie-break (tla/DCA_Batch.tla's BatchRank) to watch it fail.
// Exit status: 0 no failure, 1 a property failed, 2 bad usage or an error.

import { writeItf } from "./tlc/formats/itf.ts";
import { runBatchCampaign } from "../conformance/random/batch-engine.ts";
import { RunFailure } from "../conformance/random/property-engine.ts";
import type { BatchRank } from "../impl/batch.ts";
import { command, UsageError } from "./cli/command.ts";

const HELP = `Usage: npm run fuzz:batch -- [--runs N] [--seed S] [--users K] [--arrivals A] [--max-commands C] [--rank R] [--no-skip] [--out FILE]

  --runs N          runs (default 100)          --seed S      fast-check seed (default: random)
  --users K         room size (default 4)       --arrivals A  users that ever arrive (default 2 K)
  --max-commands C  commands per run (default 40)
  --rank R          Uid (the rule, default), None or All (known-bad tie-breaks)
  --no-skip         the rule before R16 (known-bad here: a departed joiner welcomed and added)
  --out FILE        where a failing run goes (default build/batch-fuzz-<seed>.itf.json)

Exit status: 0 no failure, 1 a property failed, 2 bad usage or an error.`;

const int = (v: string | undefined, name: string, dflt: number, min = 1): number => {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name}: expected an integer >= ${min}, got ${JSON.stringify(v)}`);
  return n;
};

await command(import.meta.url, {
  name: "fuzz:batch",
  help: HELP,
  options: { runs: { type: "string" }, seed: { type: "string" }, users: { type: "string" }, arrivals: { type: "string" }, "max-commands": { type: "string" }, rank: { type: "string" }, "no-skip": { type: "boolean" }, out: { type: "string" } },
  run: async ({ values }) => {
    const rank = (values.rank ?? "Uid") as BatchRank;
    if (!["Uid", "None", "All"].includes(rank)) throw new UsageError(`--rank: expected Uid, None or All, got ${JSON.stringify(values.rank)}`);
    const users = int(values.users, "users", 4);
    const seed = int(values.seed, "seed", Math.floor(Math.random() * 2 ** 31), 0);
    const r = await runBatchCampaign({
      numRuns: int(values.runs, "runs", 100), seed, users, arrivals: int(values.arrivals, "arrivals", 2 * users),
      maxCommands: int(values["max-commands"], "max-commands", 40), batchRank: rank, skip: !values["no-skip"],
    });
    const actions = [...r.actions].map(([a, n]) => `${a} ${n}`).join(", ");
    console.log(`seed ${seed}, BatchRank ${rank}${values["no-skip"] ? ", no skip (R16 off)" : ""}, real MLS: ${r.numRuns} runs, ${r.steps} steps (${actions}), ${r.batched} batched steps, ${r.converged} of ${r.quiesces} quiesces converged (the others found the room deserted), ${(r.ms / 1000).toFixed(1)} s`);
    if (!r.failed) return 0;
    console.log(`\nFAILED ${r.error instanceof RunFailure ? r.error.message : String(r.error)}`);
    if (r.trace) {
      const out = values.out ?? `build/batch-fuzz-${seed}.itf.json`;
      await writeItf(out, r.trace);
      console.log(`\nthe run: ${out}\n  npm run validate:batch -- ${out}\n  npm run conformance:batch -- ${out}`);
    }
    return 1;
  },
});
