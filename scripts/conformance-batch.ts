// npm run conformance:batch [-- [--rank Uid|None|All] [--one-per-commit] [--no-skip] [files...]]
//
// Replays the traces of the batched rules (traces/batch/, made by
// `npm run traces -- --batch`) on impl/batch.ts with real MLS, step by step
// (conformance/replay/batch-replay.ts), prints each trace's result and the action
// coverage, and exits non-zero if a trace diverges or, without files, an action of
// the batched model or a batched step (two targets or more) was never replayed.
// --rank, --one-per-commit and --no-skip switch the room to a known-bad tie-break, to
// today's rules or to the rule before R16, to watch the replay catch them.

import { TraceError } from "../conformance/model/vocabulary.ts";
import { BATCH_REPLAYED_ACTIONS, BATCH_TRACE_DIR, replayBatchAll } from "../conformance/replay/batch-replay.ts";
import { traceFiles } from "../conformance/replay/replay-all.ts";
import type { BatchRank } from "../impl/batch.ts";
import { command, UsageError } from "./cli/command.ts";

const HELP = `Usage: npm run conformance:batch [-- [--rank Uid|None|All] [--one-per-commit] [--no-skip] [trace.itf.json ...]]

Replays traces of the batched rules on impl/batch.ts (real MLS), step by step, and
compares its state with the batched model's after every step. Without files: every
trace in traces/batch/, and every action (and a batched Welcome, Add and Remove) must
have been replayed.

Options:
  --rank R           the room's tie-break among batch-mates: Uid (the rule, default),
                     None or All (known-bad, tla/DCA_Batch.tla's BatchRank)
  --one-per-commit   the room runs today's rules (one joiner per Welcome, one remove per Commit)
  --no-skip          the room runs the rule before R16 (a departed joiner welcomed, added, removed)
  -h, --help         this help

Exit status: 0 every trace followed, 1 a trace diverged (or, without files, something
was never replayed), 2 bad usage or a trace that cannot be read.`;

await command(import.meta.url, {
  name: "conformance:batch",
  help: HELP,
  options: { rank: { type: "string" }, "one-per-commit": { type: "boolean" }, "no-skip": { type: "boolean" } },
  positionals: true,
  errors: [{ type: TraceError }],
  run: async ({ values, positionals }) => {
    const rank = (values.rank ?? "Uid") as BatchRank;
    if (!["Uid", "None", "All"].includes(rank)) throw new UsageError(`--rank: expected Uid, None or All, got ${JSON.stringify(values.rank)}`);
    const files = positionals.length ? positionals : traceFiles(BATCH_TRACE_DIR);
    const started = performance.now();
    const result = await replayBatchAll(files, { room: { batchRank: rank, batch: !values["one-per-commit"], skip: !values["no-skip"] } });
    const seconds = (performance.now() - started) / 1000;
    for (const report of result.reports) {
      const failed = result.failures.some((f) => f.file === report.file);
      console.log(`${failed ? "DIVERGES" : "ok      "}  ${report.file}  (${report.steps.length - 1} steps)`);
    }
    for (const failure of result.failures) console.log(`\n${failure.message}`);
    console.log(`\nAction coverage (steps replayed with impl/batch.ts matching the batched model, real MLS):`);
    for (const action of BATCH_REPLAYED_ACTIONS) console.log(`  ${action.padEnd(10)} ${String(result.actions.get(action) ?? 0).padStart(6)}`);
    console.log(`  ${result.combinations.size} action/parameter combinations; ${result.batchedSteps} batched steps (two targets or more); ${result.steps} steps in ${seconds.toFixed(1)} s`);
    const missing = [...BATCH_REPLAYED_ACTIONS.filter((a) => !result.actions.has(a)), ...(result.batchedSteps === 0 ? ["a batched step"] : [])];
    if (missing.length) console.log(`\nNever replayed: ${missing.join(", ")}`);
    console.log(`\n${result.reports.length - result.failures.length} passed, ${result.failures.length} failed`);
    if (positionals.length) return result.failures.length ? 1 : 0;
    return result.failures.length || missing.length ? 1 : 0;
  },
});
