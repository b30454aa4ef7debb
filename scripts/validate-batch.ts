// npm run validate:batch -- <run.itf.json> [--name N]
//
// Trace validation of the batched rules: TLC decides whether a recorded run of
// impl/batch.ts (conformance/validate/batch-validate.ts's BatchRunRecorder, e.g. the
// failing run `npm run fuzz:batch` writes, or a trace of traces/batch/) is a behaviour of
// DCA with tla/DCA_Batch.tla's overrides, and if not, at which step it left them
// (tla/DCA_BatchValidate.tla). `npm run validate` does the same for any batched run (it
// tells one by its form); a run of DCA's single-target rules is refused here, naming
// the mismatch. Exit status: 0 accepted, 1 rejected, 2 error (bad input:
// a trace whose values or steps are not the batched model's, refused before TLC runs;
// no TLC; no verdict).

import { basename } from "node:path";
import { TraceError } from "../conformance/model/vocabulary.ts";
import { batchReportLines, validateBatchRun } from "../conformance/validate/batch-validate.ts";
import { TraceValidationError } from "../conformance/validate/trace-validate.ts";
import { command, UsageError } from "./cli/command.ts";
import { readItf } from "./tlc/formats/itf.ts";
import { TlcSetupError } from "./tlc/resolve.ts";

const HELP = `Usage: npm run validate:batch -- <run.itf.json> [--name N]

  --name N   output directory build/validate-batch/N/ (default: the file's name)

Exit status: 0 accepted, 1 rejected, 2 error (bad input, no TLC, no verdict).`;

await command(import.meta.url, {
  name: "validate:batch",
  help: HELP,
  options: { name: { type: "string" } },
  positionals: true,
  errors: [{ type: TraceError }, { type: TraceValidationError, label: "no verdict" }, { type: TlcSetupError, label: "TLC setup" }],
  run: async ({ values, positionals }) => {
    if (positionals.length !== 1) throw new UsageError("expected one trace file (see --help)");
    const file = positionals[0]!;
    const name = values.name ?? (basename(file).replace(/\.itf\.json$|\.json$/, "").replace(/[^A-Za-z0-9_.-]/g, "_").replace(/^[^A-Za-z0-9]+/, "") || "run");
    const r = await validateBatchRun(await readItf(file), { name, source: file });
    for (const line of batchReportLines(file, r)) console.log(line);
    return r.accepted ? 0 : 1;
  },
});
