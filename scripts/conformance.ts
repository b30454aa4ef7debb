// npm run conformance [-- --no-mls] [files...]
//
// Replays every committed model trace (traces/model/) on the implementation with
// real MLS, prints each trace's result and the action coverage, and exits
// non-zero if a trace diverges or an action of the model was never replayed.

import { mkdirSync, writeFileSync } from "node:fs";
import { CORRECT_ACTIONS, replayAll, traceFiles, uncovered } from "../conformance/replay/replay-all.ts";
import { command } from "./cli/command.ts";

const HELP = `Usage: npm run conformance [-- --no-mls] [trace.itf.json ...]

Replays traces on the implementation, step by step, and compares its state with the
model's after every step. Without files: every trace in traces/model/, and every
action of the model must have been replayed; with files: just those, coverage shown
but not required.

Options:
  --no-mls     switch the MLS layer off (faster; the rules only)
  -h, --help   this help

Exit status: 0 every trace followed, 1 a trace diverged (or, without files, an action
was never replayed), 2 bad usage or a trace that cannot be read.`;

await command(import.meta.url, {
  name: "conformance",
  help: HELP,
  options: { "no-mls": { type: "boolean" } },
  positionals: true,
  run: async ({ values, positionals }) => {
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
    if (positionals.length) return result.failures.length ? 1 : 0; // a chosen few need not cover every action
    // For the end-of-verify summary (scripts/summary.ts).
    mkdirSync("build", { recursive: true });
    writeFileSync(
      "build/conformance.json",
      `${JSON.stringify({ mls, traces: result.reports.length, failed: result.failures.length, steps: result.steps, actions: Object.fromEntries(result.actions), missing, seconds }, null, 2)}\n`,
    );
    return result.failures.length || missing.length ? 1 : 0;
  },
});
