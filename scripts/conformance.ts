// npm run conformance [-- --no-mls] [files...]
//
// Replays every committed model trace (traces/model/) on the implementation with
// real MLS, prints each trace's result and the action coverage, and exits
// non-zero if a trace diverges or an action of the model was never replayed.

import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { CORRECT_ACTIONS, replayAll, traceFiles, uncovered } from "../conformance/suite.ts";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { "no-mls": { type: "boolean" } } });
const files = positionals.length ? positionals : traceFiles();
const mls = !values["no-mls"];
const started = performance.now();
const result = await replayAll(files, { mls });
const seconds = (performance.now() - started) / 1000;

for (const report of result.reports) {
  const failure = result.failures.find((f) => f.file === report.file);
  console.log(`${failure ? "DIVERGES" : "ok      "}  ${report.file}  (${report.steps.length - 1} steps)`);
}
for (const failure of result.failures) console.log(`\n${failure.message}`);

console.log(`\nAction coverage (steps replayed with the implementation matching the model, MLS ${mls ? "on" : "off"}):`);
for (const action of CORRECT_ACTIONS) console.log(`  ${action.padEnd(10)} ${String(result.actions.get(action) ?? 0).padStart(6)}`);
console.log(`  ${result.combinations.size} action/parameter combinations; ${result.steps} steps in ${seconds.toFixed(1)} s`);
const missing = uncovered(result);
if (missing.length) console.log(`\nNever replayed: ${missing.join(", ")}`);
console.log(`\n${result.reports.length - result.failures.length} passed, ${result.failures.length} failed`);
// For the end-of-verify summary (scripts/summary.ts).
mkdirSync("build", { recursive: true });
writeFileSync(
  "build/conformance.json",
  `${JSON.stringify({ mls, traces: result.reports.length, failed: result.failures.length, steps: result.steps, actions: Object.fromEntries(result.actions), missing, seconds }, null, 2)}\n`,
);
process.exitCode = result.failures.length || missing.length ? 1 : 0;
