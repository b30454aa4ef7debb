// Long TLC runs that survive being stopped: `npm run tlc -- <cfg> --resumable`.
//
// A run that takes longer than one sitting (MC_full: hours) keeps its state in a
// run folder in the user's cache, outside the work tree:
//
//   ${XDG_CACHE_HOME:-~/.cache}/<cacheFolder>/runs/<config>-<key>/   (cacheFolder: settings.ts)
//     ledger.json      what happened so far: one entry per TLC invocation (segment)
//     segment-<n>.out  TLC's raw output of each segment, written as it comes
//     meta/<stamp>/    TLC's metadir: queue, fingerprints, checkpoint files
//     pool-guard/      while a resumed TLC has not yet written its own checkpoint:
//                      links to the queue files the checkpoint needs (tlc-pool-guard.ts)
//
// TLC writes a checkpoint every few minutes (-checkpoint); the same command run
// again resumes from the newest one (-recover), so at most the minutes since the
// last checkpoint are redone. The key hashes everything that decides the state
// space and its encoding (the .tla modules, the config, the TLC jar, extra TLC
// arguments), so a checkpoint is never reused for a changed model. TLC picks a
// random fingerprint polynomial per run; a resumed run must use the one its
// fingerprints were made with, so the run pins it (-fp) and records it.
//
// When TLC finishes (no error, or a violation) the checkpoint files are deleted
// and the result stays in the ledger; running the command again prints it
// instead of re-checking, unless --fresh.

import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { link, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { availableParallelism, homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import { describeLevels, levelsFromSegments, LevelTracker } from "./bfs-levels.ts";
import { runKey } from "./check-key.ts";
import { describeOutcome, EC, parseProgress, parseRecovery } from "./messages.ts";
import { guardPool, releasePool } from "./pool-guard.ts";
import { checkJava, resolveTlc, type ResolvedTlc } from "./resolve.ts";
import { runTlc, type TlcRun } from "./run.ts";
import { tlcSettings } from "./settings.ts";

// The key is also what tells a TLC result from a stale one (tlc-run.ts), so it has a module of its own.
export { moduleClosure, runKey } from "./check-key.ts";

export const LEDGER_VERSION = 1;

/** One TLC invocation of a resumable run. */
export interface Segment {
  n: number;
  started: string;
  /** Last time this segment reported (progress, checkpoint, end). */
  updated: string;
  /** Wall-clock seconds this segment has run so far. */
  seconds: number;
  /** Resumed from a checkpoint holding this many distinct states (TLC: "states examined"). */
  resumedFrom?: number;
  distinct?: number;
  generated?: number;
  left?: number;
  depth?: number;
  /** The newest checkpoint this segment completed, with the figures TLC reported right after it. */
  checkpoint?: { at: string; distinct?: number; depth?: number };
  /** How the segment ended; absent while it runs, or when it was killed without a word. */
  end?: "finished" | "interrupted" | "error";
  error?: string;
}

export interface FinalResult {
  finishedAt: string;
  /** The outcome as the run's summary says it ("no error found", or the violation). */
  outcome: string;
  ok: boolean;
  exitCode: number;
  distinct?: number;
  depth?: number;
  tlc: string;
}

export interface Ledger {
  version: number;
  config: string;
  spec: string;
  key: string;
  /** TLC's -fp index, fixed for the life of the run. */
  fpIndex: number;
  /** TLC's worker count, fixed too: each worker has its own checkpointed trace file. */
  workers?: number;
  /**
   * TLC checked liveness (it said "Checking … temporal properties"). TLC 2.18 cannot
   * resume that from a checkpoint: measured on MC_full_liveness, the resumed run
   * fails with a RuntimeException in its liveness check. Such a run is not resumed.
   */
  liveness?: boolean;
  created: string;
  segments: Segment[];
  final?: FinalResult;
}

export function runsRoot(env: Record<string, string | undefined> = process.env, home: string = homedir()): string {
  return join(env.XDG_CACHE_HOME || join(home, ".cache"), tlcSettings().cacheFolder, "runs");
}

export function runDir(root: string, config: string, key: string): string {
  return join(root, `${basename(config, ".cfg")}-${key}`);
}

/**
 * The newest complete checkpoint under meta/: a folder holding TLC's queue and
 * variables checkpoint files. TLC renames these into place when a checkpoint
 * completes, so their presence means one was written whole.
 */
export function findCheckpoint(metaRoot: string): string | undefined {
  if (!existsSync(metaRoot)) return undefined;
  const complete = readdirSync(metaRoot)
    .map((d) => join(metaRoot, d))
    .filter((d) => statSync(d).isDirectory() && existsSync(join(d, "queue.chkpt")) && existsSync(join(d, "vars.chkpt")))
    .map((d) => ({ d, t: statSync(join(d, "vars.chkpt")).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  return complete[0]?.d;
}

/** How many workers made a checkpoint: TLC saves one trace file position per worker, <Spec>-<i>.chkpt. */
export function checkpointWorkers(checkpoint: string): number | undefined {
  const n = readdirSync(checkpoint).filter((f) => /^\w+-\d+\.chkpt$/.test(f)).length;
  return n > 0 ? n : undefined;
}

export class LedgerError extends Error {}

/** Run folders of the same config for other keys that still hold checkpoints (gigabytes, forgotten otherwise). */
export function otherRuns(dir: string): string[] {
  const root = dirname(dir);
  if (!existsSync(root)) return [];
  const prefix = `${basename(dir).replace(/-[0-9a-f]+$/, "")}-`;
  return readdirSync(root)
    .filter((d) => d.startsWith(prefix) && /^[0-9a-f]+$/.test(d.slice(prefix.length)) && join(root, d) !== dir)
    .map((d) => join(root, d))
    .filter((d) => existsSync(join(d, "meta")));
}

/** Is a process with this pid alive (on this machine)? A zombie, killed but not yet reaped, is not. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true; // no /proc (macOS): the signal test is all there is
  }
}

/**
 * When a process started (clock ticks since boot, /proc/<pid>/stat field 22), so a
 * pid reused by another process after a reboot or a long time is not taken for it.
 */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** A lock's holder is node or java; a pid now running anything else was reused (and a lock from before start times were recorded cannot tell otherwise). */
function runsNodeOrJava(pid: number): boolean {
  try {
    return /(^|\/)(node|java)(\0|$)/.test(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0]! + "\0");
  } catch {
    return true; // no /proc: cannot tell
  }
}

function bootId(): string | undefined {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return undefined;
  }
}

/** Who holds a run folder: the node process and, once started, its java. */
interface LockHolder {
  pid: number;
  /** Tells this lock from any other, whoever holds it. */
  token?: string;
  pidStart?: string;
  java?: number;
  javaStart?: string;
  boot?: string;
  started: string;
}

function holderAlive(h: Partial<LockHolder>): number | undefined {
  if (h.boot !== undefined && h.boot !== bootId()) return undefined; // the machine restarted since
  const same = (pid: unknown, start: unknown) => {
    if (typeof pid !== "number" || !alive(pid) || !runsNodeOrJava(pid)) return false;
    const now = processStart(pid);
    return start === undefined || now === undefined || now === start;
  };
  if (same(h.pid, h.pidStart)) return h.pid;
  if (same(h.java, h.javaStart)) return h.java; // java outlives a killed node: it still writes the queue
  return undefined;
}

/** Who is running TLC in a run folder now, in words, or undefined if nobody (a stale lock is nobody). */
export function runHolder(dir: string): string | undefined {
  let found: Partial<LockHolder>;
  try {
    found = JSON.parse(readFileSync(join(dir, "lock.json"), "utf8"));
  } catch {
    return undefined; // no lock, or one cut short by a crash: nobody holds it
  }
  const live = holderAlive(found);
  if (live === undefined) return undefined;
  const who = live === found.java && live !== found.pid ? `TLC (java) process ${live}, left running by a run whose node process is gone` : `process ${live}`;
  return `${who}, since ${String(found.started)}`;
}

export interface RunLock {
  /** Names java too: a java left running by a killed node keeps the folder locked. */
  addJava(pid: number): Promise<void>;
  release(): Promise<void>;
}

/**
 * One TLC at a time per run folder: two would write the same queue and checkpoint.
 * The lock file appears whole or not at all (written aside, then hard-linked into
 * place, which fails if it exists), so a second run never reads it half-written.
 * A lock whose processes are gone is stale: it is moved aside (one mover wins) and
 * checked to be the one judged stale before it is dropped.
 */
export async function takeLock(dir: string, pid: number = process.pid): Promise<RunLock> {
  const path = join(dir, "lock.json");
  await mkdir(dir, { recursive: true });
  const token = randomBytes(8).toString("hex");
  const holder: LockHolder = { pid, started: new Date().toISOString(), token };
  const pidStart = processStart(pid), boot = bootId();
  if (pidStart !== undefined) holder.pidStart = pidStart;
  if (boot !== undefined) holder.boot = boot;
  const aside = join(dir, `lock.json.${token}`);
  const text = () => `${JSON.stringify(holder)}\n`;
  /** Puts our lock in place: true, or false if a lock is there. */
  const create = async (): Promise<boolean> => {
    await writeFile(aside, text());
    try {
      await link(aside, path);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw e;
    } finally {
      await rm(aside, { force: true });
    }
  };
  const inUse = (found: Partial<LockHolder>, live: number) => {
    const who = live === found.java && live !== found.pid ? `TLC (java) process ${live}, left running by a run whose node process is gone,` : `process ${live}`;
    return new LedgerError(`${dir} is in use by ${who} (since ${String(found.started)}); wait for it, or stop it (it keeps its checkpoint)`);
  };
  for (let attempt = 0; !(await create()); attempt++) {
    let seen = "";
    let found: Partial<LockHolder> = {};
    try {
      seen = readFileSync(path, "utf8");
      found = JSON.parse(seen);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") continue; // released meanwhile: try again
      // unreadable: a lock cut short by a crash of the old code, stale
    }
    const live = holderAlive(found);
    if (live !== undefined && live !== pid) throw inUse(found, live);
    if (attempt > 2) throw new LedgerError(`${dir}: cannot take its lock (${path} keeps coming back); is another run starting?`);
    const grave = join(dir, `lock.json.stale-${token}`);
    try {
      await rename(path, grave);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") continue; // another run moved it first
      throw e;
    }
    const moved = readFileSync(grave, "utf8");
    if (moved !== seen) {
      // Not the stale lock: a run took the folder between our look and the move. Give it back.
      await link(grave, path).catch(() => undefined);
      await rm(grave, { force: true });
      const other: Partial<LockHolder> = JSON.parse(moved);
      throw inUse(other, other.pid ?? 0);
    }
    await rm(grave, { force: true });
  }
  return {
    async addJava(javaPid: number) {
      holder.java = javaPid;
      const start = processStart(javaPid);
      if (start !== undefined) holder.javaStart = start;
      await writeFile(aside, text());
      await rename(aside, path); // replaced whole
    },
    async release() {
      try {
        if ((JSON.parse(readFileSync(path, "utf8")) as Partial<LockHolder>).token !== token) return; // not ours (any more)
      } catch {
        return;
      }
      await rm(path, { force: true });
    },
  };
}

export function readLedger(dir: string): Ledger | undefined {
  const path = join(dir, "ledger.json");
  if (!existsSync(path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new LedgerError(`${path}: not valid JSON (${(e as Error).message}); delete the folder or pass --fresh`);
  }
  const l = parsed as Partial<Ledger>;
  if (l.version !== LEDGER_VERSION || typeof l.key !== "string" || typeof l.fpIndex !== "number" || !Array.isArray(l.segments)) {
    throw new LedgerError(`${path}: not a version-${LEDGER_VERSION} run ledger (fields version, key, fpIndex, segments); delete the folder or pass --fresh`);
  }
  return l as Ledger;
}

/** Written whole or not at all: a run killed mid-write keeps the previous ledger. */
export async function writeLedger(dir: string, ledger: Ledger): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, "ledger.json.tmp");
  await writeFile(tmp, `${JSON.stringify(ledger, null, 2)}\n`);
  await rename(tmp, join(dir, "ledger.json"));
}

export function newLedger(opts: { config: string; spec: string; key: string; fpIndex?: number; now?: Date }): Ledger {
  return {
    version: LEDGER_VERSION,
    config: opts.config,
    spec: opts.spec,
    key: opts.key,
    // TLC's table has 130-odd polynomials; any fixed one will do.
    fpIndex: opts.fpIndex ?? Math.floor(Math.random() * 128),
    created: (opts.now ?? new Date()).toISOString(),
    segments: [],
  };
}

/** Wall-clock seconds over all segments, redone work included. */
export const totalSeconds = (l: Ledger) => l.segments.reduce((s, g) => s + g.seconds, 0);

export interface SegmentNews {
  distinct?: number | undefined;
  generated?: number | undefined;
  left?: number | undefined;
  depth?: number | undefined;
  resumedFrom?: number | undefined;
  checkpointDone?: boolean;
}

/** Feeds what one TLC message of the running segment says into its ledger entry. */
export function recordMessage(seg: Segment, news: SegmentNews, elapsed: number, now: Date): void {
  seg.seconds = Math.round(elapsed);
  seg.updated = now.toISOString();
  if (news.checkpointDone) seg.checkpoint = { at: seg.updated }; // its figures come with TLC's next report
  for (const k of ["distinct", "generated", "left", "depth", "resumedFrom"] as const) {
    const v = news[k];
    if (v !== undefined) seg[k] = v;
  }
  // TLC reports progress right after writing a checkpoint: those are the checkpoint's figures.
  if (seg.checkpoint && seg.checkpoint.distinct === undefined && news.distinct !== undefined) {
    seg.checkpoint.distinct = news.distinct;
    if (news.depth !== undefined) seg.checkpoint.depth = news.depth;
  }
}

const thousands = (n: number | undefined) => (n === undefined ? "?" : n.toLocaleString("en-US"));
export const hours = (s: number) => {
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  return h ? `${h} h ${String(m).padStart(2, "0")} min` : `${m} min ${String(Math.round(s % 60)).padStart(2, "0")} s`;
};

/** What the earlier segments achieved, in one line. */
export function describeProgress(l: Ledger): string {
  const done = l.segments.filter((s) => s.checkpoint);
  const last = done[done.length - 1];
  const seg = `${l.segments.length} segment${l.segments.length === 1 ? "" : "s"} so far, ${hours(totalSeconds(l))}`;
  return last
    ? `newest checkpoint ${last.checkpoint!.at} with ${thousands(last.checkpoint!.distinct)} distinct states${last.checkpoint!.depth === undefined ? "" : ` at depth ${last.checkpoint!.depth}`} (${seg})`
    : `no checkpoint yet (${seg})`;
}

/** Checkpoint files can be gigabytes; once the run has a result they are only clutter. */
export async function removeCheckpoints(dir: string): Promise<void> {
  await rm(join(dir, "meta"), { recursive: true, force: true });
  await rm(join(dir, "tmp"), { recursive: true, force: true });
  await releasePool(poolGuardDir(dir));
}

export const poolGuardDir = (dir: string) => join(dir, "pool-guard");

export interface ResumableOptions {
  spec: string;
  config: string;
  workers: number | "auto";
  extraArgs: string[];
  checkpointMinutes: number;
  fresh: boolean;
  quiet: boolean;
  /** Default: runsRoot(). */
  root?: string;
  /** Default: checkJava() and resolveTlc(). */
  tlc?: ResolvedTlc;
}

export interface ResumableOutcome {
  /** The TLC run of this invocation; absent when the ledger already held a result. */
  run?: TlcRun;
  ledger: Ledger;
  dir: string;
  exitCode: number;
  /** The widths of the search's last BFS levels (bfs-levels.ts), when TLC reported any. */
  levels?: string | undefined;
  /** For a status report: who runs TLC in the folder now (runHolder). */
  running?: string | undefined;
}

/**
 * Where a resumable run stands, without running anything: for a second terminal, or
 * a CI job that checks on a run. Undefined when this model has no run folder.
 */
export function runStatus(opts: { spec: string; config: string; jarSha256: string; extraArgs: string[]; root?: string }): ResumableOutcome | { dir: string; others: string[] } {
  const dir = runDir(opts.root ?? runsRoot(), opts.config, runKey(opts));
  const ledger = readLedger(dir);
  // None for this text of the model; runs of an earlier text may still hold gigabytes of checkpoints.
  if (!ledger) return { dir, others: otherRuns(dir) };
  const running = runHolder(dir);
  return { ledger, dir, exitCode: ledger.final?.exitCode ?? 0, levels: runLevels(dir, ledger), ...(running ? { running } : {}) };
}

/** The raw outputs of a run's segments, in order. */
export const segmentOutputs = (dir: string, l: Ledger) => l.segments.map((g) => join(dir, `segment-${g.n}.out`));

/** The widths of the run's last BFS levels, read from its segments' outputs. */
export const runLevels = (dir: string, l: Ledger) =>
  describeLevels(levelsFromSegments(segmentOutputs(dir, l)).widths(), { finished: Boolean(l.final) });

/**
 * Runs TLC as one segment of a resumable run: resumes from the newest checkpoint if
 * there is one, records progress and checkpoints in the ledger as TLC reports them,
 * and on a result deletes the checkpoint files.
 */
export async function runResumable(opts: ResumableOptions): Promise<ResumableOutcome> {
  const tlc = opts.tlc ?? (await checkJava(), await resolveTlc());
  const key = runKey({ spec: opts.spec, config: opts.config, jarSha256: tlc.sha256, extraArgs: opts.extraArgs });
  const dir = runDir(opts.root ?? runsRoot(), opts.config, key);
  const say = (line: string): void => void process.stderr.write(`[tlc] ${line}\n`);
  const lock = await takeLock(dir); // before --fresh: never delete a folder another run is using
  try {
    if (opts.fresh) {
      for (const f of readdirSync(dir).filter((f) => f !== "lock.json")) await rm(join(dir, f), { recursive: true, force: true });
      say(`--fresh: emptied ${dir}`);
    }
    const found = readLedger(dir);
    const outcome = found?.final ? { ledger: found, dir, exitCode: found.final.exitCode } : await runSegment(opts, tlc, dir, key, found, say, lock);
    return { ...outcome, levels: runLevels(dir, outcome.ledger) };
  } finally {
    await lock.release();
  }
}

async function runSegment(
  opts: ResumableOptions,
  tlc: ResolvedTlc,
  dir: string,
  key: string,
  found: Ledger | undefined,
  say: (line: string) => void,
  lock: RunLock,
): Promise<ResumableOutcome> {
  const metaRoot = join(dir, "meta");
  const checkpoint = findCheckpoint(metaRoot);
  if (checkpoint && !found) {
    throw new LedgerError(`${dir} holds a checkpoint but no ledger.json, so the fingerprint polynomial it was made with is unknown; pass --fresh to start over`);
  }
  if (checkpoint && found?.liveness) {
    throw new LedgerError(
      `${dir}: this run checks liveness, which TLC cannot resume from a checkpoint (it fails in its liveness check); pass --fresh to start over, or run without --resumable`,
    );
  }
  if (!checkpoint && found?.segments.some((g) => g.checkpoint)) {
    throw new LedgerError(
      `${dir}: the ledger records a checkpoint (${describeProgress(found)}) but meta/ holds no complete one (queue.chkpt and vars.chkpt); it cannot be resumed: look at it, or start over with --fresh`,
    );
  }
  const ledger = found ?? newLedger({ config: opts.config, spec: opts.spec, key });
  const asked = opts.workers === "auto" ? availableParallelism() : opts.workers;
  // TLC cannot resume a checkpoint with another worker count (it looks for each worker's trace file).
  const workers = checkpoint ? checkpointWorkers(checkpoint) ?? asked : asked;
  if (workers !== asked) say(`resuming with ${workers} worker(s), as the checkpoint was made (asked for ${asked})`);
  ledger.workers = workers;
  if (checkpoint) say(`resuming ${dir}: ${describeProgress(ledger)}`);
  else if (ledger.segments.length) say(`no checkpoint in ${dir} yet (${describeProgress(ledger)}): starting over`);
  else {
    say(`new resumable run in ${dir} (checkpoint every ${opts.checkpointMinutes} min; stop at any time, the same command resumes)`);
    for (const other of otherRuns(dir)) say(`note: ${other} holds a checkpoint of another text of this model (or another TLC); it is not resumed, delete it if it is not needed`);
  }
  if (!checkpoint) {
    await rm(metaRoot, { recursive: true, force: true }); // half-made first checkpoint
    await releasePool(poolGuardDir(dir));
  } else {
    // A resumed TLC deletes queue files the checkpoint needs until it writes its own (see tlc-pool-guard.ts).
    const g = await guardPool(checkpoint, poolGuardDir(dir));
    const restored = g.restored ? `; linked back ${g.restored} that an earlier resume lost` : "";
    const copied = g.copied ? ` (${g.copied} copied: no hard links here)` : "";
    say(`guarding the checkpoint's ${g.guarded} queue files until this run's first checkpoint${copied}${restored}`);
  }
  let guarded = Boolean(checkpoint);
  // Shown at each checkpoint: the only hint a breadth-first search gives of how far it has to go.
  const levels = checkpoint ? levelsFromSegments(segmentOutputs(dir, ledger)) : new LevelTracker();

  const seg: Segment = { n: ledger.segments.length + 1, started: new Date().toISOString(), updated: new Date().toISOString(), seconds: 0 };
  ledger.segments.push(seg);
  await writeLedger(dir, ledger);

  // A stop request (Ctrl-C, SIGTERM) stops TLC; the ledger is saved before exiting.
  const stop = new AbortController();
  const onSignal = (sig: string) => {
    say(`${sig}: stopping TLC; the newest checkpoint is kept, run the same command to resume`);
    stop.abort();
  };
  const handlers = { SIGINT: () => onSignal("SIGINT"), SIGTERM: () => onSignal("SIGTERM") };
  process.on("SIGINT", handlers.SIGINT).on("SIGTERM", handlers.SIGTERM);

  let saving = Promise.resolve();
  const save = () => (saving = saving.then(() => writeLedger(dir, ledger)).catch((e) => say(`cannot save the ledger: ${(e as Error).message}`)));
  const onMessage = (code: number, body: string, elapsed: number) => {
    const parsed =
      code === EC.TLC_PROGRESS_STATS ? parseProgress(body)
      : code === EC.TLC_CHECKPOINT_END ? { checkpointDone: true }
      : code === EC.TLC_CHECKPOINT_RECOVER_END ? { resumedFrom: parseRecovery(body).examined }
      : undefined;
    if (code === EC.TLC_CHECKING_TEMPORAL_PROPS && !ledger.liveness) {
      ledger.liveness = true;
      say("this run checks liveness: TLC cannot resume that from a checkpoint, so a stop means starting over");
      void save();
    }
    if (!parsed) return;
    if ("depth" in parsed) levels.note(parsed);
    if (code === EC.TLC_CHECKPOINT_END && !opts.quiet) {
      const widths = describeLevels(levels.widths());
      if (widths) say(`new distinct states per BFS level: ${widths}`);
    }
    recordMessage(seg, parsed, elapsed, new Date());
    void save();
    if (guarded && code === EC.TLC_CHECKPOINT_END) {
      guarded = false;
      saving = saving.then(() => releasePool(poolGuardDir(dir))).catch((e) => say(`cannot remove ${poolGuardDir(dir)}: ${(e as Error).message}`));
    }
  };

  let run: TlcRun;
  try {
    run = await runTlc({
      spec: opts.spec,
      config: opts.config,
      jar: tlc,
      workers,
      metaDir: metaRoot,
      rawOutputPath: join(dir, `segment-${seg.n}.out`),
      outDir: dir, // result.json and java's tmp/ too: nothing in the work tree, nothing shared with other runs
      extraArgs: ["-fp", String(ledger.fpIndex), "-checkpoint", String(opts.checkpointMinutes), ...(checkpoint ? ["-recover", checkpoint] : []), ...opts.extraArgs],
      quiet: opts.quiet,
      onMessage,
      onSpawn: (pid) => lock.addJava(pid),
      signal: stop.signal,
    });
  } finally {
    process.off("SIGINT", handlers.SIGINT).off("SIGTERM", handlers.SIGTERM);
    await saving;
  }

  seg.updated = new Date().toISOString();
  seg.seconds = Math.round((Date.now() - Date.parse(seg.started)) / 1000); // wall time, start-up and recovery included
  if (run.distinctStates !== undefined) seg.distinct = run.distinctStates;
  if (run.depth !== undefined) seg.depth = run.depth;
  const o = run.outcome;
  let exitCode: number;
  if (o.kind !== "error") {
    seg.end = "finished";
    exitCode = o.kind === "ok" ? 0 : 1;
    ledger.final = {
      finishedAt: seg.updated,
      outcome: describeOutcome(o),
      ok: o.kind === "ok",
      exitCode,
      ...(run.distinctStates === undefined ? {} : { distinct: run.distinctStates }),
      ...(run.depth === undefined ? {} : { depth: run.depth }),
      tlc: `${tlc.label}${run.tlc.version ? ` - ${run.tlc.version}` : ""}`,
    };
    await writeLedger(dir, ledger); // the result first: deleting gigabytes may be interrupted
    await removeCheckpoints(dir);
  } else {
    seg.end = stop.signal.aborted ? "interrupted" : "error";
    seg.error = o.message;
    if (stop.signal.aborted) o.message = `stopped on request (${o.message}); the same command resumes from the newest checkpoint`;
    exitCode = 2;
  }
  await writeLedger(dir, ledger);
  return { run, ledger, dir, exitCode };
}

/** TLC's words when a queue file a checkpoint needs is gone (see tlc-pool-guard.ts). */
const LOST_QUEUE_FILE = /StatePoolReader\.run\): \S*?([^/\s]+) \(No such file or directory\)/;

/** The queue file the newest checkpoint lacks, if its last segment failed for want of one: that run cannot be resumed. */
export const lostQueueFile = (l: Ledger): string | undefined => l.segments.at(-1)?.error?.match(LOST_QUEUE_FILE)?.[1];

/** Lines for the run's summary: the run folder, the segments, the time over all of them. */
export function formatResumable(r: ResumableOutcome): string {
  const l = r.ledger;
  const lines = r.run || !l.final ? [] : [`TLC:        ${l.final.tlc}`];
  lines.push(`Run folder: ${r.dir}`);
  const segs = l.segments.length;
  lines.push(`Segments:   ${segs} (TLC invocations), ${hours(totalSeconds(l))} in all, redone minutes after a stop included`);
  if (r.levels) lines.push(`Levels:     new distinct states per BFS level, by depth: ${r.levels}`);
  if (l.final) {
    lines.push(`Result:     ${l.final.ok ? "OK" : "VIOLATION"}: ${l.final.outcome}; ${thousands(l.final.distinct)} distinct states, depth ${l.final.depth ?? "?"}, finished ${l.final.finishedAt}`);
    if (segs > 1) lines.push(`Note:       TLC restarts its "states generated" count on recovery; distinct states and depth are exact`);
  } else if (r.running) {
    const g = l.segments.at(-1);
    if (g?.distinct !== undefined) lines.push(`Latest:     ${thousands(g.distinct)} distinct states, depth ${g.depth ?? "?"}, ${thousands(g.left)} on the queue (TLC's report at ${g.updated})`);
    lines.push(`Running:    ${r.running}; stopping it keeps the newest checkpoint (${describeProgress(l)})`);
  } else {
    const lost = lostQueueFile(l);
    if (lost) {
      lines.push(`Resume:     impossible: the checkpoint lacks its queue file ${lost}; start over with --fresh (make check-full FRESH=1)`);
    } else {
      lines.push(`Resume:     run the same command again (${describeProgress(l)})`);
    }
  }
  return lines.join("\n");
}
