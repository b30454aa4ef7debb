// Runs TLC on a spec/config, keeping the raw output under build/ and parsing it
// as it streams (for progress lines) and at the end (for the result).

import { spawn } from "node:child_process";
import { createWriteStream, existsSync, readdirSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import {
  describeOutcome,
  EC,
  parseProgress,
  summarize,
  TlcOutputSplitter,
  type TlcEvent,
  type TlcResult,
} from "./messages.ts";
import { runKey } from "./check-key.ts";
import { checkJava, resolveTlc, TlcSetupError, type ResolvedTlc, type ResolveOptions } from "./resolve.ts";

export interface TlcProgress {
  elapsedSeconds: number;
  /** TLC's message, on one line. */
  text: string;
  code: number;
  depth?: number;
  generated?: number;
  distinct?: number;
  left?: number;
}

export interface RunTlcOptions {
  /** Path to the .tla module. */
  spec: string;
  /** Path to the .cfg file. */
  config: string;
  /** Default: resolveTlc(). */
  jar?: ResolvedTlc;
  /** Default "auto" (one per core). */
  workers?: number | "auto";
  /** Default build/tlc/<config basename>/ (relative to the current directory). */
  outDir?: string;
  /**
   * TLC's -metadir (its queue, fingerprints and checkpoints). Default: a states/
   * folder in outDir, emptied first. A folder given here is left as it is, so a
   * checkpoint in it survives the run (see tlc-resumable.ts).
   */
  metaDir?: string;
  /** Where TLC's raw output goes, written as it arrives. Default <outDir>/tlc.out. */
  rawOutputPath?: string;
  /** Passed to TLC before the spec, e.g. ["-deadlock"]. */
  extraArgs?: string[];
  /** Default: one line on stderr per report, unless quiet. */
  onProgress?: (p: TlcProgress) => void;
  /** Called with every complete TLC message as it arrives (after onProgress). */
  onMessage?: (code: number, body: string, elapsedSeconds: number) => void;
  quiet?: boolean;
  /** Aborting stops TLC (SIGTERM); the run then ends as an error saying so. */
  signal?: AbortSignal;
  /** Called with java's process id once it has started (a lock can name it). */
  onSpawn?: (pid: number) => void | Promise<void>;
  /** For resolveTlc when no jar is given. */
  resolve?: ResolveOptions;
}

export type TlcRun = TlcResult & {
  tlc: ResolvedTlc & { version?: string; java?: string };
  rawOutputPath: string;
  exitCode: number | null;
  config: string;
  spec: string;
  outDir: string;
  command: string[];
  /** runKey() of what was checked: a reader of result.json can tell whether it is of the current model. */
  modelKey: string;
};

const clock = (s: number) => {
  const t = Math.floor(s);
  const hh = Math.floor(t / 3600);
  const mm = String(Math.floor((t % 3600) / 60)).padStart(2, "0");
  const ss = String(t % 60).padStart(2, "0");
  return `${hh}:${mm}:${ss}`;
};
const thousands = (n: number | undefined) => (n === undefined ? "?" : n.toLocaleString("en-US"));

function printProgress(p: TlcProgress): void {
  const what =
    p.code === EC.TLC_PROGRESS_STATS
      ? `${thousands(p.generated)} states generated, ${thousands(p.distinct)} distinct, ${thousands(p.left)} on queue (depth ${p.depth ?? "?"})`
      : p.text;
  process.stderr.write(`[tlc ${clock(p.elapsedSeconds)}] ${what}\n`);
}

/** Messages worth a progress line while TLC runs. */
const PROGRESS_CODES = new Set<number>([
  EC.TLC_PROGRESS_STATS,
  EC.TLC_CHECKING_TEMPORAL_PROPS,
  EC.TLC_CHECKPOINT_END,
  EC.TLC_CHECKPOINT_RECOVER_START,
  EC.TLC_CHECKPOINT_RECOVER_END,
]);

export async function runTlc(opts: RunTlcOptions): Promise<TlcRun> {
  const spec = resolve(opts.spec);
  const config = resolve(opts.config);
  if (!existsSync(spec)) throw new TlcSetupError(`spec not found: ${opts.spec}`);
  if (!existsSync(config)) throw new TlcSetupError(`config not found: ${opts.config}`);
  const java = await checkJava(opts.resolve);
  const tlc = opts.jar ?? (await resolveTlc(opts.resolve));
  const modelKey = runKey({ spec, config, jarSha256: tlc.sha256, extraArgs: opts.extraArgs ?? [] }); // before TLC reads the files

  const outDir = resolve(opts.outDir ?? join("build", "tlc", basename(config, ".cfg")));
  const metaDir = opts.metaDir ? resolve(opts.metaDir) : join(outDir, "states");
  // TLC unpacks the standard modules (Naturals.tla, …) into java.io.tmpdir; runs that
  // share one folder race on those files (seen: SANY failing on a half-written module),
  // so each run gets its own.
  const tmpDir = join(outDir, "tmp");
  if (!opts.metaDir) await rm(metaDir, { recursive: true, force: true }); // stale queues/fingerprints from a previous run
  await mkdir(tmpDir, { recursive: true });
  const rawOutputPath = opts.rawOutputPath ? resolve(opts.rawOutputPath) : join(outDir, "tlc.out");

  const workers = opts.workers ?? "auto";
  const javaOpts = (process.env.TLC_JAVA_OPTS ?? "").split(/\s+/).filter(Boolean);
  const args = [
    ...javaOpts,
    "-XX:+UseParallelGC",
    `-Djava.io.tmpdir=${tmpDir}`,
    "-cp",
    resolve(tlc.jar), // TLC runs in the spec's folder
    "tlc2.TLC",
    "-tool",
    "-workers",
    String(workers),
    "-metadir",
    metaDir,
    "-config",
    config,
    ...(opts.extraArgs ?? []),
    basename(spec),
  ];
  const specDir = dirname(spec);
  const before = new Set(readdirSync(specDir));
  const progress = opts.onProgress ?? (opts.quiet ? undefined : printProgress);
  if (!opts.quiet) {
    const n = workers === "auto" ? `auto (${availableParallelism()} cores)` : String(workers);
    process.stderr.write(`[tlc] ${tlc.label}: ${relative(process.cwd(), spec)} with ${relative(process.cwd(), config)}, workers ${n}\n`);
    process.stderr.write(`[tlc] raw output: ${relative(process.cwd(), rawOutputPath)}\n`);
  }

  const raw = createWriteStream(rawOutputPath);
  // A full disk must not crash node and orphan java: keep checking, and say the output was cut.
  let rawError: string | undefined;
  raw.on("error", (e) => {
    if (!rawError) process.stderr.write(`[tlc] cannot write ${rawOutputPath}: ${e.message}; TLC goes on, its raw output there is cut short\n`);
    rawError ??= e.message;
  });
  const writeRaw = (chunk: string) => {
    if (!rawError) raw.write(chunk);
  };
  const splitter = new TlcOutputSplitter();
  const events: TlcEvent[] = [];
  let stderrText = "";
  const started = Date.now();
  const take = (evs: TlcEvent[]) => {
    for (const ev of evs) {
      events.push(ev);
      if (progress && ev.type === "message" && PROGRESS_CODES.has(ev.message.code)) {
        const body = ev.message.body;
        progress({
          elapsedSeconds: (Date.now() - started) / 1000,
          text: body.replace(/\s+/g, " ").trim(),
          code: ev.message.code,
          ...(ev.message.code === EC.TLC_PROGRESS_STATS ? parseProgress(body) : {}),
        });
      }
      if (opts.onMessage && ev.type === "message") opts.onMessage(ev.message.code, ev.message.body, (Date.now() - started) / 1000);
    }
  };

  let killedBy: string | undefined;
  const exitCode = await new Promise<number | null>((done, fail) => {
    const child = spawn("java", args, { cwd: specDir, stdio: ["ignore", "pipe", "pipe"] });
    // A stop asked for before java started (while checking Java, say) still stops it.
    if (opts.signal?.aborted) child.kill("SIGTERM");
    else opts.signal?.addEventListener("abort", () => child.kill("SIGTERM"), { once: true });
    if (child.pid !== undefined && opts.onSpawn) void Promise.resolve(opts.onSpawn(child.pid)).catch(() => undefined);
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      writeRaw(chunk);
      take(splitter.push(chunk));
    });
    child.stderr.on("data", (chunk: string) => {
      writeRaw(chunk);
      stderrText += chunk;
    });
    child.on("error", (e) => fail(new TlcSetupError(`cannot start java: ${e.message}`)));
    child.on("close", (code, signal) => {
      killedBy = signal ?? undefined;
      done(signal ? null : code);
    });
  });
  take(splitter.end());
  await new Promise<void>((done) => (rawError ? done() : raw.end(done)));

  const result = summarize(events);
  // The first stderr line says what went wrong (java errors, exception names); skip stack frames.
  const stderrFirst = stderrText.split("\n").find((l) => l.trim() !== "" && !/^\s+at /.test(l))?.trim();
  if (result.outcome.kind === "ok" && exitCode !== 0) {
    result.outcome = { kind: "error", message: `TLC reported success but exited with code ${exitCode}` };
  }
  if (killedBy && result.outcome.kind === "error") result.outcome.message += ` [java killed by ${killedBy}]`;
  else if (killedBy) result.outcome = { kind: "error", message: `java killed by ${killedBy}` };
  // The JVM turns SIGTERM/SIGINT into exit 143/130, so an unfinished run shows its exit code.
  if (!killedBy && result.outcome.kind === "error" && result.outcome.message.startsWith("TLC output ended")) {
    result.outcome.message += ` [java exit code ${exitCode}]`;
  }
  if (rawError) result.warnings.push(`the raw output ${rawOutputPath} is incomplete: ${rawError}`);
  if (stderrFirst) {
    if (result.outcome.kind === "error") result.outcome.message += ` [stderr: ${stderrFirst}]`;
    else result.warnings.push(`stderr: ${stderrFirst}`);
  }
  const created = readdirSync(specDir).filter((f) => !before.has(f));
  if (created.length > 0) result.warnings.push(`TLC created files next to the spec: ${created.join(", ")}`);

  const tlcInfo: TlcRun["tlc"] = { ...tlc, java };
  if (result.tlcVersion) tlcInfo.version = result.tlcVersion;
  const run: TlcRun = {
    ...result,
    tlc: tlcInfo,
    rawOutputPath,
    exitCode,
    config,
    spec,
    outDir,
    command: ["java", ...args],
    modelKey,
  };
  await writeFile(join(outDir, "result.json"), `${JSON.stringify(run, null, 2)}\n`);
  return run;
}

/** A readable multi-line summary of a run. */
/** With TLC's -continue, which prints several counterexamples: which one the trace is. */
export const firstOfMany = (run: TlcResult): string =>
  (run.counterexamples ?? 1) > 1 ? ` (the first of ${run.counterexamples} counterexamples)` : "";

export function formatSummary(run: TlcRun): string {
  const rel = (p: string) => relative(process.cwd(), p) || p;
  const o = run.outcome;
  const verdict = o.kind === "ok" ? "OK" : o.kind === "error" ? "ERROR" : "VIOLATION";
  const lines = [
    `TLC:        ${run.tlc.label}${run.tlc.version ? ` - ${run.tlc.version}` : ""}`,
    `Jar:        ${run.tlc.jar}`,
    ...(run.tlc.java ? [`Java:       ${run.tlc.java}`] : []),
    `Spec:       ${rel(run.spec)}`,
    `Config:     ${rel(run.config)}`,
    `Outcome:    ${verdict}: ${o.kind === "error" ? o.message : describeOutcome(o)}`,
  ];
  if (run.errorTrace) {
    const lasso =
      run.loopsBackTo === undefined ? "" : run.stuttering ? ", then stutters forever" : `, loops back to state ${run.loopsBackTo}`;
    lines.push(`Trace:      ${run.errorTrace.length} states${firstOfMany(run)}${lasso}`);
  }
  if (run.statesGenerated !== undefined) {
    lines.push(
      `States:     ${thousands(run.statesGenerated)} generated, ${thousands(run.distinctStates)} distinct, ${thousands(run.statesLeft)} left on queue`,
    );
  }
  if (run.depth !== undefined) lines.push(`Depth:      ${run.depth}`);
  if (run.seconds !== undefined) lines.push(`Time:       ${run.seconds} s`);
  for (const w of run.warnings) lines.push(`Warning:    ${w}`);
  lines.push(`Raw output: ${rel(run.rawOutputPath)}`);
  return lines.join("\n");
}
