// Model-based traces for replaying the model in the implementation (traces/model/).
//
//   npm run traces                 regenerate traces/model/*.itf.json from TLC
//   npm run traces -- --check      only check the committed traces (no TLC, no writes)
//   npm run traces -- --batch [--check]   the same for traces/batch/, the batched rules
//                                  (tla/DCA_BatchRecord.tla; conformance/generate/batch-traces.ts)
//   npm run traces -- --zombie [--check]  the same for traces/zombie/, a live user announced
//                                  as left (tla/DCA_ZombieRecord.tla; conformance/generate/zombie-traces.ts)
//
// How they are made and checked: conformance/generate/model-traces.ts (see
// traces/README.md). Exit status: 0 done / the traces are current, 1 an action of
// the Correct variant is never covered (or --check found a problem, listed), 2 TLC
// could not run or gave no graph.

import { command } from "./cli/command.ts";
import { checkTraces, generateTraces, TRACE_DIR } from "../conformance/generate/model-traces.ts";
import { BATCH_TRACE_DIR, checkBatchTraces, generateBatchTraces } from "../conformance/generate/batch-traces.ts";
import { checkZombieTraces, generateZombieTraces, ZOMBIE_TRACE_DIR } from "../conformance/generate/zombie-traces.ts";
import { TlcSetupError } from "./tlc/resolve.ts";

const HELP = `Usage: npm run traces [-- [--batch | --zombie] [--check]]
  (no option)  regenerate traces/model/ from TLC
  --check      only check the committed traces (valid ITF, current modelHash, every action covered)
  --batch      traces/batch/ instead: the batched rules (tla/DCA_Batch.tla through
               tla/DCA_BatchRecord.tla), every batched action and detail covered
  --zombie     traces/zombie/ instead: a live user announced as left, fenced (random walks
               of tla/DCA_ZombieRecord.tla) and Gap_Zombie's fork without the fence`;

async function generateZombie(): Promise<number> {
  const g = await generateZombieTraces((line) => process.stderr.write(`[traces] ${line}\n`));
  for (const line of g.lines) process.stdout.write(`${line}\n`);
  if (g.missing.length > 0) {
    process.stdout.write(`\nFAILED: no fenced walk takes ${g.missing.join(", ")}.\n`);
    return 1;
  }
  process.stdout.write(`\n${g.traces} traces written to ${ZOMBIE_TRACE_DIR}/ in ${g.seconds.toFixed(1)} s; every required key is taken.\n`);
  return 0;
}

async function checkZombie(): Promise<number> {
  const r = await checkZombieTraces();
  if (r.problems.length === 0) {
    process.stdout.write(`${r.files.length} traces in ${ZOMBIE_TRACE_DIR}/ are valid ITF of the current model and take every required key.\n`);
    return 0;
  }
  for (const p of r.problems) process.stdout.write(`${p}\n`);
  if (r.stale.length > 0) process.stdout.write(`\nRun \`npm run traces -- --zombie\` to regenerate them.\n`);
  return 1;
}

async function generateBatch(): Promise<number> {
  const g = await generateBatchTraces((line) => process.stderr.write(`[traces] ${line}\n`));
  process.stdout.write(g.coverageReport);
  for (const line of g.lines) process.stdout.write(`${line}\n`);
  if (g.missing.length > 0) {
    process.stdout.write(`\nFAILED: no trace takes ${g.missing.join(", ")}.\n`);
    return 1;
  }
  process.stdout.write(`\n${g.traces} traces written to ${BATCH_TRACE_DIR}/ in ${g.seconds.toFixed(1)} s; every batched action and detail is covered.\n`);
  return 0;
}

async function checkBatch(): Promise<number> {
  const r = await checkBatchTraces();
  if (r.problems.length === 0) {
    process.stdout.write(`${r.files.length} traces in ${BATCH_TRACE_DIR}/ are valid ITF of the current batched model and take every batched action and detail (${r.keys.size} keys).\n`);
    return 0;
  }
  for (const p of r.problems) process.stdout.write(`${p}\n`);
  if (r.stale.length > 0) process.stdout.write(`\nRun \`npm run traces -- --batch\` to regenerate them.\n`);
  return 1;
}

async function generate(): Promise<number> {
  const g = await generateTraces((line) => process.stderr.write(`[traces] ${line}\n`));
  process.stdout.write(g.coverageReport);
  for (const line of g.lines) process.stdout.write(`${line}\n`);
  if (g.missing.length > 0) {
    process.stdout.write(`\nFAILED: no trace takes ${g.missing.join(", ")}: the model (or DCA_Record.tla) lost an action of DCA's Next.\n`);
    return 1;
  }
  process.stdout.write(`\n${g.traces} traces written to ${TRACE_DIR}/ in ${g.seconds.toFixed(1)} s; every action of the Correct variant is covered.\n`);
  return 0;
}

async function check(): Promise<number> {
  const r = await checkTraces();
  if (r.problems.length === 0) {
    process.stdout.write(`${r.files.length} traces in ${TRACE_DIR}/ are valid ITF of the current model and cover ${[...r.actions].sort().join(", ")}.\n`);
    return 0;
  }
  for (const p of r.problems) process.stdout.write(`${p}\n`);
  if (r.stale.length > 0) {
    process.stdout.write(`\n${r.stale.length} stale trace(s), made from an older model:\n${r.stale.map((f) => `  ${f}`).join("\n")}\nRun \`npm run traces\` to regenerate them.\n`);
  }
  return 1;
}

await command(import.meta.url, {
  name: "traces",
  help: HELP,
  options: { check: { type: "boolean" }, batch: { type: "boolean" }, zombie: { type: "boolean" } },
  errors: [{ type: TlcSetupError, label: "TLC setup" }],
  run: ({ values }) =>
    values.zombie ? (values.check ? checkZombie() : generateZombie()) : values.batch ? (values.check ? checkBatch() : generateBatch()) : values.check ? check() : generate(),
});
