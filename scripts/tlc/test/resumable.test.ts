// Resumable TLC runs (resumable.ts): the run key, checkpoint discovery, the run
// folder's lock, the ledger, and what a second invocation does with a recorded
// result, on small specs written here. The real stop-and-resume on TLC takes
// minutes (TLC checkpoints at most once a minute); the repository using the
// driver proves it with real TLC processes (its npm run resume-drill).

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  checkpointWorkers,
  describeProgress,
  formatResumable,
  findCheckpoint,
  LedgerError,
  newLedger,
  otherRuns,
  readLedger,
  recordMessage,
  runDir,
  runKey,
  runResumable,
  runStatus,
  takeLock,
  totalSeconds,
  writeLedger,
  type Segment,
} from "../resumable.ts";
import type { ResolvedTlc } from "../resolve.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tlc-resumable-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function model(): { spec: string; config: string } {
  mkdirSync(join(dir, "tla"), { recursive: true });
  const spec = join(dir, "tla", "M.tla");
  writeFileSync(spec, "---- MODULE M ----\nEXTENDS Naturals,\n  Helper\nVARIABLE x\n====\n");
  writeFileSync(join(dir, "tla", "Helper.tla"), "---- MODULE Helper ----\n====\n");
  writeFileSync(join(dir, "tla", "Unrelated.tla"), "---- MODULE Unrelated ----\n====\n");
  const config = join(dir, "tla", "MC.cfg");
  writeFileSync(config, "INIT Init\nNEXT Next\n");
  return { spec, config };
}

describe("runKey", () => {
  it("is stable, and changes with the modules the spec uses, the config, the jar and the TLC arguments", () => {
    const { spec, config } = model();
    const base = { spec, config, jarSha256: "aa", extraArgs: [] as string[] };
    const k = runKey(base);
    expect(k).toMatch(/^[0-9a-f]{16}$/);
    expect(runKey(base)).toBe(k);
    expect(runKey({ ...base, jarSha256: "bb" })).not.toBe(k);
    expect(runKey({ ...base, extraArgs: ["-deadlock"] })).not.toBe(k);
    writeFileSync(join(dir, "tla", "Unrelated.tla"), "---- MODULE Unrelated ----\nX == 1\n====\n");
    expect(runKey(base)).toBe(k); // a module the spec does not use keeps the checkpoint valid
    writeFileSync(config, "INIT Init\nNEXT Next\nINVARIANT Inv\n");
    const k2 = runKey(base);
    expect(k2).not.toBe(k);
    writeFileSync(join(dir, "tla", "Helper.tla"), "---- MODULE Helper ----\nX == 1\n====\n");
    expect(runKey(base)).not.toBe(k2);
  });

});

describe("otherRuns", () => {
  it("finds the same config's run folders of other keys that still hold checkpoints, and nothing else", () => {
    const root = join(dir, "runs");
    for (const d of ["MC_full-aaaa", "MC_full-bbbb", "MC_full-cccc", "MC_full_liveness-dddd"]) mkdirSync(join(root, d), { recursive: true });
    for (const d of ["MC_full-aaaa", "MC_full-bbbb", "MC_full_liveness-dddd"]) mkdirSync(join(root, d, "meta"));
    expect(otherRuns(join(root, "MC_full-aaaa"))).toEqual([join(root, "MC_full-bbbb")]);
  });
});

describe("findCheckpoint", () => {
  it("finds none where there is no folder or no complete checkpoint", () => {
    expect(findCheckpoint(join(dir, "missing"))).toBeUndefined();
    const half = join(dir, "meta", "26-11-23-14-00-00");
    mkdirSync(half, { recursive: true });
    writeFileSync(join(half, "queue.chkpt"), "q"); // vars.chkpt not yet written
    expect(findCheckpoint(join(dir, "meta"))).toBeUndefined();
  });

  it("picks the newest complete one", () => {
    const old = join(dir, "meta", "a"), young = join(dir, "meta", "b");
    for (const d of [old, young]) {
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, "queue.chkpt"), "q");
      writeFileSync(join(d, "vars.chkpt"), "v");
    }
    utimesSync(join(old, "vars.chkpt"), new Date(2026, 0, 1), new Date(2026, 0, 1));
    expect(findCheckpoint(join(dir, "meta"))).toBe(young);
    utimesSync(join(young, "vars.chkpt"), new Date(2025, 0, 1), new Date(2025, 0, 1));
    expect(findCheckpoint(join(dir, "meta"))).toBe(old);
  });
});

describe("checkpointWorkers", () => {
  it("counts the per-worker trace positions TLC saved, which a resumed run must match", () => {
    const cp = join(dir, "cp");
    mkdirSync(cp);
    for (const f of ["queue.chkpt", "vars.chkpt", "DCA.st.chkpt", "DCA_0.fp", "17"]) writeFileSync(join(cp, f), "");
    expect(checkpointWorkers(cp)).toBeUndefined();
    writeFileSync(join(cp, "DCA-0.chkpt"), "");
    expect(checkpointWorkers(cp)).toBe(1);
    writeFileSync(join(cp, "DCA-1.chkpt"), "");
    expect(checkpointWorkers(cp)).toBe(2);
  });
});

describe("takeLock", () => {
  const lockFile = () => JSON.parse(readFileSync(join(dir, "lock.json"), "utf8"));
  const dead = 2 ** 22 + 12345; // above Linux's pid_max
  // A live node process other than this one, standing in for another run.
  let other: ChildProcess;
  let otherPid: number;
  beforeAll(() => {
    other = spawn(process.execPath, ["-e", "setTimeout(() => {}, 120000)"], { stdio: "ignore" });
    otherPid = other.pid!;
  });
  afterAll(() => void other.kill("SIGKILL"));

  it("refuses a run folder a live process holds, and takes over a stale lock", async () => {
    writeFileSync(join(dir, "lock.json"), JSON.stringify({ pid: otherPid, started: "T0" }));
    await expect(takeLock(dir)).rejects.toThrow(new RegExp(`in use by process ${otherPid} \\(since T0\\)`));
    writeFileSync(join(dir, "lock.json"), JSON.stringify({ pid: dead, started: "T0" }));
    const lock = await takeLock(dir);
    expect(lockFile().pid).toBe(process.pid);
    await lock.release();
    expect(existsSync(join(dir, "lock.json"))).toBe(false);
  });

  it("two runs starting at once: exactly one gets the folder", async () => {
    const both = await Promise.allSettled([takeLock(dir, process.pid), takeLock(dir, otherPid)]);
    expect(both.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(both.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason))).toEqual([
      expect.stringMatching(/is in use by process/),
    ]);
    for (const r of both) if (r.status === "fulfilled") await r.value.release();
  });

  it("two runs taking over one stale lock at once: exactly one gets the folder", async () => {
    writeFileSync(join(dir, "lock.json"), JSON.stringify({ pid: dead, started: "T0" }));
    const both = await Promise.allSettled([takeLock(dir, process.pid), takeLock(dir, otherPid)]);
    expect(both.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of both) if (r.status === "fulfilled") await r.value.release();
    expect(readdirSync(dir)).toEqual([]); // nothing left aside
  });

  it("is exclusive: a second taker is refused while the first holds it", async () => {
    const first = await takeLock(dir);
    await expect(takeLock(dir, dead)).rejects.toThrow(new RegExp(`in use by process ${process.pid}`));
    await first.release();
  });

  it("stays taken while the java it names lives, even when the node that took it is gone", async () => {
    writeFileSync(join(dir, "lock.json"), JSON.stringify({ pid: dead, java: otherPid, started: "T0" }));
    await expect(takeLock(dir)).rejects.toThrow(new RegExp(`in use by TLC \\(java\\) process ${otherPid}, left running by a run whose node process is gone`));
    rmSync(join(dir, "lock.json"));
    const lock = await takeLock(dir);
    await lock.addJava(otherPid);
    expect(lockFile()).toMatchObject({ pid: process.pid, java: otherPid });
    await lock.release();
  });

  it("is stale when its pid now runs something that is neither node nor java", async () => {
    const sleeper = spawn("sleep", ["60"], { stdio: "ignore" });
    writeFileSync(join(dir, "lock.json"), JSON.stringify({ pid: sleeper.pid, started: "T0" }));
    await (await takeLock(dir)).release();
    sleeper.kill("SIGKILL");
  });

  it("is stale when its pid now belongs to another process (start time differs) or the machine restarted", async () => {
    writeFileSync(join(dir, "lock.json"), JSON.stringify({ pid: otherPid, pidStart: "1", started: "T0" }));
    await (await takeLock(dir)).release();
    writeFileSync(join(dir, "lock.json"), JSON.stringify({ pid: otherPid, boot: "another boot", started: "T0" }));
    await (await takeLock(dir)).release();
  });
});

describe("the ledger", () => {
  it("round-trips, written whole (no temporary file left)", async () => {
    const l = newLedger({ config: "c.cfg", spec: "s.tla", key: "k", fpIndex: 7 });
    await writeLedger(dir, l);
    expect(readLedger(dir)).toEqual(l);
    expect(readdirSync(dir)).toEqual(["ledger.json"]);
    expect(readLedger(join(dir, "nothing-here"))).toBeUndefined();
  });

  it("refuses a garbled or foreign ledger with its path and what to do", () => {
    writeFileSync(join(dir, "ledger.json"), '{"version": 1, "key": "k"');
    expect(() => readLedger(dir)).toThrow(LedgerError);
    expect(() => readLedger(dir)).toThrow(/ledger\.json: not valid JSON.*--fresh/);
    writeFileSync(join(dir, "ledger.json"), JSON.stringify({ version: 9, key: "k", fpIndex: 1, segments: [] }));
    expect(() => readLedger(dir)).toThrow(/not a version-1 run ledger/);
  });

  it("takes a checkpoint's figures from the report TLC makes right after writing it", () => {
    const seg: Segment = { n: 1, started: "", updated: "", seconds: 0 };
    const at = new Date("2026-11-23T10:00:00Z");
    recordMessage(seg, { distinct: 100, generated: 300, left: 40, depth: 9 }, 60, at);
    recordMessage(seg, { checkpointDone: true }, 600, at);
    expect(seg.checkpoint).toEqual({ at: at.toISOString() });
    recordMessage(seg, { distinct: 5000, generated: 9000, left: 700, depth: 20 }, 601, at);
    expect(seg.checkpoint).toEqual({ at: at.toISOString(), distinct: 5000, depth: 20 });
    recordMessage(seg, { distinct: 6000, depth: 21 }, 660, at);
    expect(seg.checkpoint?.distinct).toBe(5000); // later reports do not move it
    expect(seg).toMatchObject({ distinct: 6000, depth: 21, seconds: 660 });
  });

  it("adds up the time of every segment and says where the newest checkpoint is", () => {
    const l = newLedger({ config: "c", spec: "s", key: "k", fpIndex: 1 });
    expect(describeProgress(l)).toBe("no checkpoint yet (0 segments so far, 0 min 00 s)");
    l.segments.push({ n: 1, started: "", updated: "", seconds: 3000, checkpoint: { at: "T1", distinct: 1_234_567 } });
    l.segments.push({ n: 2, started: "", updated: "", seconds: 1000 });
    expect(totalSeconds(l)).toBe(4000);
    expect(describeProgress(l)).toBe("newest checkpoint T1 with 1,234,567 distinct states (2 segments so far, 1 h 06 min)");
    l.segments[0]!.checkpoint!.depth = 27;
    expect(describeProgress(l)).toBe("newest checkpoint T1 with 1,234,567 distinct states at depth 27 (2 segments so far, 1 h 06 min)");
  });
});

describe("runResumable", () => {
  const tlc: ResolvedTlc = { jar: "/nonexistent/tla2tools.jar", source: "env", label: "test jar", sha256: "cafe" };

  /** A run folder for a small model, with a checkpoint folder holding the given files. */
  function runFolder(checkpointFiles: string[]) {
    const { spec, config } = model();
    const root = join(dir, "runs");
    const key = runKey({ spec, config, jarSha256: tlc.sha256, extraArgs: [] });
    const run = runDir(root, config, key);
    const cp = join(run, "meta", "stamp");
    if (checkpointFiles.length) mkdirSync(cp, { recursive: true });
    for (const f of checkpointFiles) writeFileSync(join(cp, f), f);
    const resume = () => runResumable({ spec, config, workers: 1, extraArgs: [], checkpointMinutes: 10, fresh: false, quiet: true, root, tlc });
    return { spec, config, key, run, cp, resume };
  }

  it("prints the recorded result of a finished run instead of checking again", async () => {
    const { spec, config, key, run, resume } = runFolder([]);
    const l = newLedger({ config, spec, key, fpIndex: 3 });
    l.final = { finishedAt: "T", outcome: "invariant Inv violated", ok: false, exitCode: 1, distinct: 42, tlc: "test jar" };
    await writeLedger(run, l);
    const r = await resume();
    expect(r.run).toBeUndefined(); // the jar does not exist: had TLC been started, this would have failed
    expect(r.exitCode).toBe(1);
    expect(r.ledger.final?.outcome).toBe("invariant Inv violated");
  });

  it("will not resume a liveness run, which TLC cannot recover", async () => {
    const { spec, config, key, run, resume } = runFolder(["queue.chkpt", "vars.chkpt"]);
    await writeLedger(run, { ...newLedger({ config, spec, key, fpIndex: 3 }), liveness: true });
    await expect(resume()).rejects.toThrow(/checks liveness, which TLC cannot resume.*--fresh/);
  });

  it("will not start over silently when the ledger records a checkpoint that meta/ no longer holds whole", async () => {
    // vars.chkpt missing: a checkpoint cut short, or a file removed
    const { spec, config, key, run, cp, resume } = runFolder(["queue.chkpt"]);
    const l = newLedger({ config, spec, key, fpIndex: 3 });
    l.segments.push({ n: 1, started: "", updated: "", seconds: 3600, checkpoint: { at: "T1", distinct: 5_000_000 } });
    await writeLedger(run, l);
    await expect(resume()).rejects.toThrow(/records a checkpoint \(newest checkpoint T1 with 5,000,000 distinct states.*cannot be resumed.*--fresh/);
    expect(existsSync(join(cp, "queue.chkpt"))).toBe(true); // nothing deleted
  });

  it("reports where a run stands without running anything: who runs it, the latest figures, the levels", async () => {
    const { spec, config, key, run } = runFolder(["queue.chkpt", "vars.chkpt"]);
    const found = () => runStatus({ spec, config, jarSha256: tlc.sha256, extraArgs: [], root: join(dir, "runs") });
    const status = () => {
      const r = found();
      if ("others" in r) throw new Error("expected a run");
      return r;
    };
    // No ledger: no run of this text of the model, but a run of an earlier text still holds a checkpoint.
    const older = join(dir, "runs", "MC-0123456789abcdef");
    mkdirSync(join(older, "meta"), { recursive: true });
    expect(found()).toEqual({ dir: run, others: [older] });
    const l = newLedger({ config, spec, key, fpIndex: 3 });
    l.segments.push({ n: 1, started: "T0", updated: "T2", seconds: 600, distinct: 900, depth: 7, left: 40, checkpoint: { at: "T1", distinct: 800, depth: 7 } });
    await writeLedger(run, l);
    const progress = (depth: number, distinct: number) =>
      `@!@!@STARTMSG 2200:0 @!@!@\nProgress(${depth}) at T: 1 states generated (1 s/min), ${distinct} distinct states found (1 ds/min), 1 states left on queue.\n@!@!@ENDMSG 2200 @!@!@\n`;
    writeFileSync(join(run, "segment-1.out"), progress(5, 100) + progress(6, 300) + progress(7, 900));
    const lock = await takeLock(run);
    const live = status();
    expect(live.running).toMatch(new RegExp(`^process ${process.pid}, since `));
    expect(live.levels).toBe("5: 200, 6: 600, 7: ≥ 0 so far (still widening)");
    const text = formatResumable(live);
    expect(text).toMatch(/\nLatest: +900 distinct states, depth 7, 40 on the queue \(TLC's report at T2\)/);
    expect(text).toMatch(new RegExp(`\\nRunning: +process ${process.pid}, since .*keeps the newest checkpoint \\(newest checkpoint T1 with 800`));
    expect(text).not.toMatch(/Resume:/);
    await lock.release();
    const stopped = status();
    expect(stopped.running).toBeUndefined();
    expect(formatResumable(stopped)).toMatch(/\nResume: +run the same command again/);
  });

  it("will not resume a checkpoint whose ledger (and so fingerprint polynomial) is lost", async () => {
    const { resume } = runFolder(["queue.chkpt", "vars.chkpt"]);
    await expect(resume()).rejects.toThrow(/holds a checkpoint but no ledger\.json.*--fresh/);
  });
});

describe("formatResumable", () => {
  it("says a checkpoint that lost a queue file cannot be resumed, instead of suggesting to run again", () => {
    const l = newLedger({ config: "tla/MC.cfg", spec: "tla/M.tla", key: "k", fpIndex: 3 });
    l.segments.push({ n: 1, started: "", updated: "", seconds: 60, checkpoint: { at: "T1", distinct: 10 } });
    l.segments.push({
      n: 2, started: "", updated: "", seconds: 5, end: "error",
      error: "TLC output ended before TLC finished; TLC reported: when reading the disk (StatePoolReader.run): /c/runs/MC-k/meta/26-11-23/7515 (No such file or directory) [java exit code 1]",
    });
    const text = formatResumable({ ledger: l, dir: "/c/runs/MC-k", exitCode: 2 });
    expect(text).toMatch(/Resume: +impossible: the checkpoint lacks its queue file 7515; start over with --fresh/);
    l.segments[1]!.error = "TLC output ended before TLC finished [java exit code 143]";
    expect(formatResumable({ ledger: l, dir: "/c/runs/MC-k", exitCode: 2 })).toMatch(/Resume: +run the same command again \(newest checkpoint T1/);
  });
});
