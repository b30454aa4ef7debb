// Teeth for the model: every known-bad variant of the DCA (and every published rule
// this project had to replace) must make TLC report the property expected for it.
// Prints variant → expected → what TLC reported, saves each counterexample as ITF
// under traces/counterexamples/, and exits non-zero unless every variant is caught.
//
//   npm run mutants [-- --only <Variant>] [--no-save]

import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { command, UsageError } from "./cli/command.ts";
import { readItf, traceFromTlc, writeItf } from "./tlc/formats/itf.ts";
import { modelHash, MODEL_DIR } from "../conformance/generate/model-source-hash.ts";
import { describeOutcome, type TlcOutcome } from "./tlc/messages.ts";
import { configProperties, configVariant } from "./tlc/config.ts";
import { runTlc } from "./tlc/run.ts";
import { mutantChecks } from "./lib/models.ts";
import { resolveTlc, TlcSetupError } from "./tlc/resolve.ts";

interface Mutant {
  variant: string;
  /** Which rule of spec/dca.md the variant breaks. */
  breaks: string;
  config: string;
  expected: { kind: "invariant" | "property"; name: string };
}

/** The must-fail configurations with a variant, from tla/models.json (liveness ones under FairSpec, 3 users). */
export const MUTANTS: readonly Mutant[] = mutantChecks().map((m) => ({ variant: m.variant, breaks: m.breaks, config: m.config, expected: m.expect }));

export const COUNTEREXAMPLE_DIR = "traces/counterexamples";
export const MUTANTS_RESULT = "build/mutants.json";

/**
 * TLC names a violated invariant or action property, but not a violated liveness
 * property ("Temporal properties were violated"): such a report is attributed to the
 * expected property only when the config checks no other property.
 */
function caught(outcome: TlcOutcome, m: Mutant, checkedProperties: string[]): boolean {
  if (outcome.kind !== m.expected.kind) return false;
  if (outcome.name !== undefined) return outcome.name === m.expected.name;
  return checkedProperties.length === 1 && checkedProperties[0] === m.expected.name;
}

/** The config must select the variant the table says, or the row would lie. */
function checkConfig(m: Mutant): string[] {
  const text = readFileSync(join(MODEL_DIR, m.config), "utf8");
  const variant = configVariant(text);
  if (variant !== m.variant) {
    throw new Error(`${MODEL_DIR}/${m.config} selects Variant "${variant ?? "?"}", the mutant table says "${m.variant}"`);
  }
  return configProperties(text);
}

/**
 * A stored counterexample is current when it was made from this model and config for the same
 * expected violation. TLC's liveness counterexamples depend on when its periodic
 * liveness check runs, so a rerun can find another, equally valid lasso; keeping
 * the stored one keeps `make test` from rewriting committed files.
 */
async function isCurrent(file: string, hash: string, m: Mutant): Promise<boolean> {
  try {
    const meta = (await readItf(file))["#meta"] ?? {};
    const v = meta.violation as Mutant["expected"] | undefined;
    return meta.modelHash === hash && v?.kind === m.expected.kind && v?.name === m.expected.name;
  } catch {
    return false;
  }
}

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
}

const HELP = `Usage: npm run mutants [-- --only <Variant>] [--no-save]

Runs every must-fail configuration of tla/models.json that switches on a variant, and
checks TLC reports the property expected for it.

  --only V     only the configurations of variant V
  --no-save    do not write the counterexamples to ${COUNTEREXAMPLE_DIR}/

Exit status: 0 every variant caught, 1 one was not, 2 bad usage or TLC could not run.`;

await command(import.meta.url, {
  name: "mutants",
  help: HELP,
  options: { only: { type: "string" }, "no-save": { type: "boolean" } },
  errors: [{ type: TlcSetupError, label: "TLC setup" }],
  exitWhenDone: true,
  run: async ({ values }) => {
    const chosen = MUTANTS.filter((m) => !values.only || m.variant === values.only);
    if (chosen.length === 0) throw new UsageError(`--only: no mutant named ${values.only}; known: ${MUTANTS.map((m) => m.variant).join(", ")}`);

    const jar = await resolveTlc();
    const rows = [["variant", "breaks", "expected violation", "TLC reported", "states", "seconds", "result"]];
    let failures = 0;
    let tlcVersion: string | undefined;
    for (const m of chosen) {
      const properties = checkConfig(m);
      process.stderr.write(`mutant ${m.variant}: running TLC on ${MODEL_DIR}/${m.config} …\n`);
      const run = await runTlc({
        spec: join(MODEL_DIR, "DCA.tla"),
        config: join(MODEL_DIR, m.config),
        jar,
        workers: 1, // BFS with one worker: the shortest counterexample, the same every run
        outDir: join("build", "tlc", "mutants", basename(m.config, ".cfg")), // one folder per config: a variant may have two
        quiet: true,
      });
      tlcVersion ??= run.tlc.version;
      const ok = caught(run.outcome, m, properties);
      if (!ok) failures++;
      rows.push([
        m.variant,
        m.breaks,
        `${m.expected.kind} ${m.expected.name}`,
        describeOutcome(run.outcome),
        String(run.distinctStates ?? "?"),
        run.seconds === undefined ? "?" : run.seconds.toFixed(1),
        ok ? "caught" : `NOT CAUGHT (raw output: ${run.rawOutputPath})`,
      ]);
      if (ok && !values["no-save"]) {
        const hash = modelHash(`${MODEL_DIR}/${m.config}`); // the model and this config: its users and its variant
        const trace = traceFromTlc(run, {
          description: `Counterexample for the known-bad variant ${m.variant} (${m.breaks}): TLC's error trace`,
          source: `${MODEL_DIR}/DCA.tla`,
          config: `${MODEL_DIR}/${m.config}`,
          variant: m.variant,
          violation: m.expected,
          modelHash: hash,
          tlc: { label: jar.label, version: run.tlc.version },
          generatedBy: "npm run mutants",
        });
        const file = join(COUNTEREXAMPLE_DIR, `${basename(m.config, ".cfg")}.itf.json`);
        if (await isCurrent(file, hash, m)) continue; // keep the committed one: equally valid, no churn
        await writeItf(file, trace);
        process.stderr.write(`mutant ${m.variant}: counterexample written to ${file}\n`);
      }
    }
    process.stdout.write(`\nKnown-bad variants (TLC: ${jar.label}, ${tlcVersion ?? "version unknown"}, ${jar.jar})\n${pad(rows)}\n\n`);
    // For the end-of-verify summary (scripts/summary.ts).
    await mkdir("build", { recursive: true });
    await writeFile(
      MUTANTS_RESULT,
      `${JSON.stringify({ tlc: { label: jar.label, version: tlcVersion }, rows: rows.slice(1).map(([variant, breaks, expected, reported, states, seconds, result]) => ({ variant, breaks, expected, reported, states, seconds, caught: result === "caught" })) }, null, 2)}\n`,
    );
    process.stdout.write(
      failures === 0
        ? `${chosen.length} passed, 0 failed: every variant is caught by the property expected for it.\n`
        : `${chosen.length - failures} passed, ${failures} failed: a variant TLC does not catch as expected means the model lost its teeth.\n`,
    );
    return failures === 0 ? 0 : 1;
  },
});
