// Cost of the MLS operations the DCA performs, through impl/mls.ts (real ts-mls).
//
//   node --import ./scripts/register-ts-node.mjs scripts/bench-mls.ts [runs]
//   (also the second half of npm run bench)
//
// For groups of 2, 8, 32 and 64 members it times (median of `runs`, default 5,
// after one warm-up) from the same starting state each run:
//   add+Welcome  the DC makes an Add Commit and its Welcome (commitAdd)
//   process      an existing member applies that Commit (processCommit)
//   join         the new member joins from the Welcome (joinFromWelcome)
//   remove       the DC makes a Remove Commit (commitRemove)
//   save+restore encodeGroup + decodeGroup of the DC's state (persistence, and
//                how a caller takes an independent copy of a group)
// The group is grown by Adds; only the DC and member 2 keep a state (the
// others' Welcomes are not used), which does not change the tree's size.
import { performance } from "node:perf_hooks";
import {
  type MlsContext,
  type MlsGroup,
  commitAdd,
  commitRemove,
  createGroup,
  decodeGroup,
  encodeGroup,
  initMls,
  joinFromWelcome,
  newMember,
  processCommit,
} from "../impl/mls.ts";
import { command, integer } from "./cli/command.ts";

const SIZES = [2, 8, 32, 64];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function time<T>(f: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await f();
  return [value, performance.now() - t0];
}

interface Row {
  size: number;
  add: number;
  process: number;
  join: number;
  remove: number;
  copy: number;
  commitBytes: number;
  welcomeBytes: number;
  stateBytes: number;
}

async function measure(ctx: MlsContext, size: number, dcSaved: Uint8Array, peerSaved: Uint8Array, nextUid: () => number, runs: number): Promise<Row> {
  const samples = { add: [] as number[], process: [] as number[], join: [] as number[], remove: [] as number[], copy: [] as number[] };
  let commitBytes = 0;
  let welcomeBytes = 0;
  for (let run = 0; run <= runs; run++) {
    // fresh handles on the same state each run (every state-deriving call retires its input)
    const dc = decodeGroup(ctx, dcSaved);
    const dc2 = decodeGroup(ctx, dcSaved);
    const peer = decodeGroup(ctx, peerSaved);
    const joiner = await newMember(ctx, nextUid());
    const [added, tAdd] = await time(() => commitAdd(ctx, dc, joiner.keyPackage));
    const [, tProcess] = await time(() => processCommit(ctx, peer, added.commit, { allowedSender: 1 }));
    const [, tJoin] = await time(() => joinFromWelcome(ctx, joiner, added.welcome));
    const [, tCopy] = await time(() => decodeGroup(ctx, encodeGroup(dc2)));
    const [, tRemove] = await time(() => commitRemove(ctx, dc2, 2));
    commitBytes = added.commit.length;
    welcomeBytes = added.welcome.length;
    if (run === 0) continue; // warm-up
    samples.add.push(tAdd);
    samples.process.push(tProcess);
    samples.join.push(tJoin);
    samples.remove.push(tRemove);
    samples.copy.push(tCopy);
  }
  return {
    size,
    add: median(samples.add),
    process: median(samples.process),
    join: median(samples.join),
    remove: median(samples.remove),
    copy: median(samples.copy),
    commitBytes,
    welcomeBytes,
    stateBytes: dcSaved.length,
  };
}

/** Measures every group size and prints the table (median of `runs` runs each). */
export async function benchMls(runs = 5): Promise<void> {
  const ctx = await initMls();
  let uid = 0;
  const nextUid = () => ++uid;

  let dc: MlsGroup = await createGroup(ctx, await newMember(ctx, nextUid()), "bench-room");
  const second = await newMember(ctx, nextUid());
  const first = await commitAdd(ctx, dc, second.keyPackage);
  dc = first.group;
  let peer: MlsGroup = await joinFromWelcome(ctx, second, first.welcome);
  let members = 2;

  const rows: Row[] = [];
  for (const size of SIZES) {
    while (members < size) {
      const m = await newMember(ctx, nextUid());
      const a = await commitAdd(ctx, dc, m.keyPackage);
      dc = a.group;
      peer = await processCommit(ctx, peer, a.commit, { allowedSender: 1 });
      members++;
    }
    process.stderr.write(`measuring ${size} members...\n`);
    rows.push(await measure(ctx, size, encodeGroup(dc), encodeGroup(peer), nextUid, runs));
  }

  const ms = (x: number) => x.toFixed(1);
  const kb = (x: number) => (x / 1024).toFixed(1);
  const header = ["members", "add+Welcome ms", "process ms", "join ms", "remove ms", "save+restore ms", "Commit KiB", "Welcome KiB", "state KiB"];
  const lines = rows.map((r) => [
    String(r.size),
    ms(r.add),
    ms(r.process),
    ms(r.join),
    ms(r.remove),
    ms(r.copy),
    kb(r.commitBytes),
    kb(r.welcomeBytes),
    kb(r.stateBytes),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(`ts-mls via impl/mls.ts, MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519, median of ${runs} runs (node ${process.version})`);
  console.log(fmt(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const l of lines) console.log(fmt(l));
}

await command(import.meta.url, {
  name: "bench-mls",
  help: "Usage: node --import ./scripts/register-ts-node.mjs scripts/bench-mls.ts [runs]\n\nTimes the MLS operations the DCA performs at 2, 8, 32 and 64 members (median of runs, default 5).",
  positionals: true,
  run: async ({ positionals }) => {
    await benchMls(integer("runs", positionals[0], { min: 1, max: 1_000, fallback: 5 }));
    return 0;
  },
});
