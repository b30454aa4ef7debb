// The reduced model (tla/DCA_Reduced.tla) against the model (tla/DCA.tla), by TLC:
// at each bound, the full model reaches no caught-up state and takes no Commit step
// that the reduced model misses, and every must-fail configuration of tla/ fails on
// the reduced model with the same property (spec/reduction.md). Exit 0 when all
// agree, 1 when one does not, 2 for bad usage or a TLC that gave no verdict.
//
//   npm run crosscheck [-- --users 3,4] [--no-must-fail] [--batch]
//
// With --batch: the same coverage check for the candidate rule of batched adds and
// removes (tla/DCA_Batch.tla with the overrides of tla/MC_batch_reduced.cfg;
// spec/batching.md), whose eager-read condition differs; no must-fail runs.

import { readFile, writeFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { command, UsageError } from "./cli/command.ts";
import { checkCoverage, CrosscheckError, mustFailConfigs, mustFailOnReduced, reducedSets } from "./lib/reduction-crosscheck.ts";
import { resolveTlc, TlcSetupError } from "./tlc/resolve.ts";

const HELP = `Usage: npm run crosscheck [-- --users 3,4] [--no-must-fail]

  --users N,M     the bounds to compare at (default 3,4; the full model at 5 takes hours)
  --no-must-fail  skip running the must-fail configurations on the reduced model
  --batch         the candidate rule of batched adds (spec/batching.md) instead of DCA.tla's`;

/** The candidate of --batch: DCA_Batch.tla with the constants and overrides of MC_batch_reduced.cfg. */
async function batchCandidate() {
  const cfg = await readFile(join("tla", "MC_batch_reduced.cfg"), "utf8");
  const section = cfg.slice(cfg.indexOf("CONSTANTS") + "CONSTANTS".length, cfg.indexOf("INVARIANTS"));
  const lines = section.split("\n").filter((l) => l.trim() && !/^\s*(Users|Variant)\s*=/.test(l));
  // The overrides of DCA_Reduced's operators apply to the reduced model's run only.
  const reducedOnly = (l: string) => /^\s*(ForUser|NoOpAhead|DcReadCommutes)\s*<-/.test(l);
  const constants = lines.filter((l) => !reducedOnly(l)).join("\n") + "\n";
  const reducedConstants = lines.filter(reducedOnly).join("\n") + "\n";
  return { files: ["DCA_Batch.tla", "MC_batch_reduced.tla"], constants, reducedConstants, reducedModule: "MC_batch_reduced.tla", extendsModule: "DCA_Batch" };
}

/** The bounds to compare at: "3,4" → [3, 4], each 2..5. */
function bounds(text: string | undefined): number[] {
  const users = (text ?? "3,4").split(",").map((s) => Number(s.trim()));
  if (users.some((n) => !Number.isInteger(n) || n < 2 || n > 5)) throw new UsageError(`--users ${text}: give bounds between 2 and 5, e.g. 3,4`);
  return users;
}

const fmt = (n: number | undefined) => (n === undefined ? "?" : n.toLocaleString("en-US"));

await command(import.meta.url, {
  name: "crosscheck",
  help: HELP,
  options: { users: { type: "string" }, "no-must-fail": { type: "boolean" }, batch: { type: "boolean" } },
  errors: [{ type: TlcSetupError, label: "TLC setup" }, { type: CrosscheckError, label: "" }],
  exitWhenDone: true,
  run: async ({ values }) => {
    const users = bounds(values.users);
    const mustFail = !values["no-must-fail"] && !values.batch;
    const jar = await resolveTlc();
    const o = { jar, ...(values.batch ? { candidate: await batchCandidate(), outRoot: join("build", "crosscheck-batch") } : {}) };
    let failures = 0;
    const report: Record<string, unknown> = { coverage: [], mustFail: [] };
    for (const n of users) {
      process.stderr.write(`crosscheck: the reduced model at ${n} users (state graph) …\n`);
      const sets = await reducedSets(n, o);
      process.stderr.write(`crosscheck: the full model at ${n} users, checking it reaches nothing the reduced one misses …\n`);
      const v = await checkCoverage(sets, o);
      if (v.verdict === "error") throw new CrosscheckError(v.detail);
      const ok = v.verdict === "covered";
      if (!ok) failures++;
      process.stdout.write(
        `${n} users: reduced ${fmt(sets.states)} states, full ${fmt(v.full.distinctStates)}; caught-up states ${fmt(sets.caughtUp.length)} ` +
          `(quiescent ${fmt(sets.quiescent)}), Commit steps ${fmt(sets.commitSteps.length)}: ${ok ? "the same in both" : `DIFFER: ${v.detail}`}\n`,
      );
      (report.coverage as unknown[]).push({ users: n, reducedStates: sets.states, fullStates: v.full.distinctStates, caughtUp: sets.caughtUp.length, quiescent: sets.quiescent, commitSteps: sets.commitSteps.length, verdict: v.verdict });
    }
    if (mustFail) {
      for (const m of await mustFailConfigs()) {
        const r = await mustFailOnReduced(m, o);
        if (!r.caught) failures++;
        process.stdout.write(`${m.config}: full model ${m.expected}, reduced model expects ${r.reducedExpected}, reported ${r.reported} (${fmt(r.distinct)} states): ${r.caught ? "caught" : "NOT CAUGHT"}\n`);
        (report.mustFail as unknown[]).push(r);
      }
    }
    const out = join("build", values.batch ? "crosscheck-batch" : "crosscheck");
    await mkdir(out, { recursive: true });
    await writeFile(join(out, "report.json"), `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(failures === 0 ? "The reduced model agrees with the model.\n" : `${failures} disagreement(s): the reduction hides something (spec/reduction.md).\n`);
    return failures === 0 ? 0 : 1;
  },
});
