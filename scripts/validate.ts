// npm run validate -- <run.itf.json> [--variant V] [--name N] [--no-explain]
//
// Trace validation: TLC decides whether a recorded run (an ITF trace of the
// model's variables, as conformance/validate/run-recorder.ts writes it, or any trace of
// tla/DCA.tla) is a behaviour of the model, and if not, at which step the run
// left it. See tla/DCA_Validate.tla and conformance/validate/trace-validate.ts.
// Exit status: 0 accepted, 1 rejected, 2 error (bad input, no TLC, no verdict).
// Bad input includes a trace of the wrong shape: one that is not ITF, or whose
// values or steps are not DCA's (the shape check the replay and the viewer make,
// conformance/model/vocabulary.ts): it is refused before TLC runs, never "rejected".
// A run of the batched rules (spec/batching.md: a recording of the client with
// batch: true, in-process or merged from network clients, or of impl/batch.ts) is told
// by its form (conformance/model/trace-rules.ts: st[u].batch and the entries' `targets`
// sets; a `#meta.batch` header must agree) and checked against tla/DCA_BatchValidate.tla
// (conformance/validate/batch-validate.ts), never against DCA.tla; a trace mixing the
// two forms is refused naming both places (conformance/validate/validate-recorded.ts).

import { basename, relative } from "node:path";
import { command, UsageError } from "./cli/command.ts";
import { readItf } from "./tlc/formats/itf.ts";
import { formatLabel, verdictLine, type ValidationResult } from "../conformance/validate/trace-validate.ts";
import { batchReportLines } from "../conformance/validate/batch-validate.ts";
import { validateRecordedRun } from "../conformance/validate/validate-recorded.ts";

const HELP = `Usage: npm run validate -- <run.itf.json> [--variant V] [--name N] [--no-explain]

  --variant V    the model variant to check against (default Correct, whatever
                 switch the implementation ran with)
  --name N       output directory build/validate/N/ (default: the file's name)
  --no-explain   on rejection, skip the second TLC run that explains the step

A run of the batched rules (st[u] with a batch field, entries with targets sets,
as the recorders and the network merge write a run with batch: true) is checked
against them (tla/DCA_BatchValidate.tla) instead, with variant Correct only;
--no-explain does not apply to it.

Exit status: 0 accepted, 1 rejected, 2 error (bad input, e.g. a trace whose
values or steps are not DCA's or mix the two rules' forms; no TLC; no verdict).`;

const rel = (p: string) => relative(process.cwd(), p) || p;

function report(file: string, r: ValidationResult): void {
  const tlc = r.tlc.runs.map((x) => `${x.purpose} ${x.seconds ?? "?"} s (TLC), ${x.wallSeconds.toFixed(1)} s (wall)`).join("; ");
  console.log(`Trace:   ${file} (${r.steps + 1} states, Users = ${r.users}), checked against Variant "${r.variant}"`);
  console.log(`TLC:     ${r.tlc.label}${r.tlc.version ? ` - ${r.tlc.version}` : ""}, one worker`);
  console.log(`Runs:    ${tlc}`);
  for (const w of r.warnings) console.log(`Warning: ${w}`);
  console.log("");
  console.log(verdictLine(r));
  const d = r.leftAt;
  if (d && d.kind !== "not-initial" && d.enabled !== undefined) {
    const step = `${d.action || "step"}${formatLabel(d.params)}`;
    if (!d.enabled) console.log(`  the recorded ${step} is not enabled in state ${d.step - 1}`);
    else if (d.differences) {
      const n = d.successors ?? 1;
      const what = n > 1 ? `the closest of the ${n} states the recorded ${step} leads to in the model` : `what the recorded ${step} leads to in the model`;
      console.log(`  ${what}, against the recorded state ${d.step}:`);
      const cut = (v: string) => (v.length > 240 ? `${v.slice(0, 237)}...` : v);
      for (const x of d.differences) console.log(`    ${x.path || "(state)"}: model ${cut(x.model)}, recorded ${cut(x.recorded)}`);
    }
  }
  if (d) console.log(`  states 0..${d.step - 1} are a behaviour of DCA; TLC's output: ${rel(r.rawOutputPath)}`);
  else console.log(`  generated spec and TLC's output: ${rel(r.dir)}`);
}

await command(import.meta.url, {
  name: "validate",
  help: HELP,
  options: { variant: { type: "string" }, name: { type: "string" }, "no-explain": { type: "boolean" } },
  positionals: true,
  run: async ({ values, positionals }) => {
    if (positionals.length !== 1) throw new UsageError("expected one trace file (see --help)");
    const file = positionals[0]!;
    const fromFile = basename(file).replace(/\.itf\.json$|\.json$/, "").replace(/[^A-Za-z0-9_.-]/g, "_").replace(/^[^A-Za-z0-9]+/, "");
    const name = values.name ?? (fromFile || "run");
    const trace = await readItf(file);
    const v = await validateRecordedRun(trace, {
      name,
      source: file,
      ...(values.variant ? { variant: values.variant } : {}),
      explain: !values["no-explain"],
    });
    if (v.rules === "batched") for (const line of batchReportLines(file, v.result)) console.log(line);
    else report(file, v.result);
    return v.result.accepted ? 0 : 1;
  },
});
