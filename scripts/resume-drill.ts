// CLI: `npm run resume-drill -- [config.cfg]` — proves with real TLC processes that a
// resumable run (`npm run tlc -- <cfg> --resumable`) survives being killed, and finds
// exactly the states an uninterrupted run finds.
//
//   1. a reference run, uninterrupted;
//   2. a resumable run, killed (SIGKILL, as a power cut: no chance to save) a few
//      seconds after its first checkpoint;
//   3. the same command again: it resumes, and is killed as soon as it has read past
//      some of the checkpoint's queue files but before its own first checkpoint: the
//      moment where TLC deletes files the checkpoint still needs (tlc-pool-guard.ts);
//   4. the same command again, to the end.
// Passes only if step 3 really lost queue files (else the drill proved nothing) and
// step 4's distinct states and depth equal the reference run's.
//
// Minutes, not seconds (TLC checkpoints at most once a minute), so it is an explicit
// command, not part of `make test`. Queue files are made small
// (-Dtlc2.tool.queue.DiskStateQueue.BufSize) so that a CI-sized model has many.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { command, type Args } from "./cli/command.ts";
import { defaultSpec } from "./tlc/config.ts";
import { runTlc } from "./tlc/run.ts";
import { checkJava, resolveTlc } from "./tlc/resolve.ts";
import { findCheckpoint, readLedger, type Ledger } from "./tlc/resumable.ts";

const HELP = `Usage: npm run resume-drill -- [config.cfg] [--keep]

Kills a resumable TLC run twice (once after a checkpoint, once while a resumed run
has not yet written its own) and checks the finished run against an uninterrupted one.
Default config: tla/MC_ci.cfg (about 5 minutes on 2 cores). The scratch folder is kept
when the drill fails, or with --keep.`;

const BUF = "-Dtlc2.tool.queue.DiskStateQueue.BufSize=64";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (s: string) => console.log(`[drill] ${s}`);
const thousands = (n: number | undefined) => (n === undefined ? "?" : n.toLocaleString("en-US"));

class DrillFailure extends Error {}

interface Segment {
  /** Resolves with the exit code, or the signal that killed it. */
  done: Promise<string>;
  kill(): void;
}

function startSegment(config: string, env: NodeJS.ProcessEnv, log: string): Segment {
  const child = spawn(
    "sh",
    ["-c", `exec npm run -s tlc -- "$0" --resumable --workers 1 --checkpoint-minutes 1 --quiet >> "$1" 2>&1`, config, log],
    { env, detached: true, stdio: "ignore" },
  );
  const exited = new Promise<string>((resolve) => child.on("exit", (code, sig) => resolve(sig ? `killed by ${sig}` : `exit ${code}`)));
  // Done when every process of the group (node, java) is gone, not only the first.
  const done = exited.then(async (how) => {
    for (let i = 0; i < 200 && groupAlive(child.pid!); i++) await sleep(50);
    return how;
  });
  return {
    done,
    // The whole process group: npm, node and java, as a power cut would.
    kill: () => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    },
  };
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function runFolder(root: string): string | undefined {
  if (!existsSync(root)) return undefined;
  const d = readdirSync(root)[0];
  return d ? join(root, d) : undefined;
}

function ledgerOf(root: string): Ledger | undefined {
  const d = runFolder(root);
  try {
    return d ? readLedger(d) : undefined;
  } catch {
    return undefined; // being written
  }
}

const poolFiles = (checkpoint: string) => new Set(readdirSync(checkpoint).filter((f) => /^\d+$/.test(f)));

async function waitFor<T>(what: string, seg: Segment, test: () => T | undefined, timeoutMs = 15 * 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let ended: string | undefined;
  void seg.done.then((e) => (ended = e));
  for (;;) {
    const v = test();
    if (v !== undefined) return v;
    if (ended) throw new DrillFailure(`TLC ended (${ended}) before ${what}`);
    if (Date.now() > until) throw new DrillFailure(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

const OPTIONS = { keep: { type: "boolean" } } as const;

async function main({ values, positionals }: Args<typeof OPTIONS>): Promise<number> {
  const config = positionals[0] ?? "tla/MC_ci.cfg";
  await checkJava();
  const tlc = await resolveTlc();
  const scratch = mkdtempSync(join(tmpdir(), "resume-drill-"));
  const root = join(scratch, "cache", "dca-verified", "runs");
  const log = join(scratch, "segments.log");
  // The drill's own cache: never touches the user's runs. The jar is the one resolved above.
  const env = { ...process.env, XDG_CACHE_HOME: join(scratch, "cache"), TLA2TOOLS_JAR: tlc.jar, TLC_JAVA_OPTS: `${process.env.TLC_JAVA_OPTS ?? ""} ${BUF}`.trim() };
  say(`${config} with ${tlc.label}; scratch folder ${scratch}; segment output in ${log}`);
  let passed = false;
  try {
    say("1. reference run, uninterrupted, 1 worker ...");
    // The module npm run tlc picks for the config, as the resumable segments below use.
    const ref = await runTlc({ spec: defaultSpec(config), config, jar: tlc, workers: 1, outDir: join(scratch, "reference"), quiet: true });
    if (ref.outcome.kind !== "ok") throw new DrillFailure(`the reference run did not pass: ${ref.outcome.kind} (${relative(".", ref.rawOutputPath)})`);
    say(`   ${thousands(ref.distinctStates)} distinct states, depth ${ref.depth}, ${Math.round(ref.seconds ?? 0)} s`);

    say("2. resumable run, killed 5 s after its first checkpoint ...");
    let seg = startSegment(config, env, log);
    await waitFor("its first checkpoint", seg, () => (ledgerOf(root)?.segments.at(-1)?.checkpoint ? true : undefined));
    await sleep(5000);
    seg.kill();
    await seg.done;
    const cp = findCheckpoint(join(runFolder(root)!, "meta"));
    if (!cp) throw new DrillFailure("no complete checkpoint after step 2");
    const atCheckpoint = poolFiles(cp);
    say(`   killed; checkpoint holds ${thousands(ledgerOf(root)?.segments.at(-1)?.checkpoint?.distinct)} distinct states, ${atCheckpoint.size} queue files`);

    say("3. resumed, killed once its TLC has deleted some of those queue files, before its own checkpoint ...");
    seg = startSegment(config, env, log);
    const lost = await waitFor("deleting queue files", seg, () => {
      const l = ledgerOf(root);
      if (l?.segments.length !== 2 || l.segments.at(-1)!.resumedFrom === undefined) return undefined;
      const now = poolFiles(cp);
      const gone = [...atCheckpoint].filter((f) => !now.has(f));
      return gone.length > 0 ? gone : undefined;
    });
    seg.kill();
    await seg.done;
    const l3 = ledgerOf(root)!;
    if (l3.segments.at(-1)!.checkpoint) throw new DrillFailure("the resumed run wrote a checkpoint before it was killed; the drill needs a faster kill");
    say(`   killed after its TLC deleted ${lost.length} queue files the checkpoint needs`);

    say("4. resumed again, to the end ...");
    seg = startSegment(config, env, log);
    const end = await seg.done;
    const final = ledgerOf(root)?.final;
    if (!final) throw new DrillFailure(`the last segment ended (${end}) without a result; see ${log}`);
    const restored = readFileSync(log, "utf8").match(/linked back (\d+) that an earlier resume lost/)?.[1];
    say(`   the pool guard put back ${restored ?? "no"} queue files; ${final.outcome}: ${thousands(final.distinct)} distinct states, depth ${final.depth}`);

    if (!restored) throw new DrillFailure("the pool guard put nothing back, so step 3 did not test it (did the resumed run checkpoint before the kill?)");
    const same = final.ok && final.distinct === ref.distinctStates && final.depth === ref.depth;
    console.log("");
    console.log(`| run | distinct states | depth |`);
    console.log(`|---|---:|---:|`);
    console.log(`| uninterrupted | ${thousands(ref.distinctStates)} | ${ref.depth} |`);
    console.log(`| killed twice, resumed (${ledgerOf(root)!.segments.length} segments) | ${thousands(final.distinct)} | ${final.depth} |`);
    console.log("");
    if (!same) throw new DrillFailure("the resumed run does not match the uninterrupted one");
    say("passed: the resumed run found exactly the states of the uninterrupted one");
    passed = true;
    return 0;
  } finally {
    if (values.keep || !passed) say(`kept ${scratch} (run folder, TLC output) for a look`);
    else rmSync(scratch, { recursive: true, force: true });
  }
}

await command(import.meta.url, {
  name: "resume-drill",
  help: HELP,
  options: OPTIONS,
  positionals: true,
  errors: [{ type: DrillFailure, label: "FAILED", status: 1 }],
  exitWhenDone: true,
  run: main,
});
