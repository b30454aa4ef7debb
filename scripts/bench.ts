// npm run bench [-- --rounds N]
//
// Prints (1) conformance replay throughput, in model steps per second, over the
// committed model traces, with real MLS and with the MLS layer switched off, and
// (2) the time of one Commit and its processing at group sizes 2, 8, 32, 64
// (scripts/bench-mls.ts). Figures, not assertions: nothing here fails on speed.

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { replayTrace } from "../conformance/replay/replay-trace.ts";
import { readItf, type ItfTrace } from "./tlc/formats/itf.ts";

const HELP = `Usage: npm run bench [-- --rounds N]

Prints replay throughput over traces/model/ (MLS off and on; N rounds each, default 3)
and the time of one Commit and its processing by group size. Figures only: it fails
on bad usage or unreadable traces (exit 2), never on speed.`;

let values: { rounds?: string; help?: boolean };
try {
  ({ values } = parseArgs({ options: { rounds: { type: "string", default: "3" }, help: { type: "boolean", short: "h" } } }));
} catch (e) {
  console.error(`bench: usage: ${(e as Error).message}`);
  process.exit(2);
}
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`bench: usage: --rounds must be a positive integer, got ${JSON.stringify(values.rounds)}`);
  process.exit(2);
}

async function load(dir: string): Promise<{ file: string; trace: ItfTrace }[]> {
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".itf.json")).sort();
  } catch {
    return [];
  }
  return Promise.all(names.map(async (n) => ({ file: join(dir, n), trace: await readItf(join(dir, n)) })));
}

const traces = await load("traces/model").catch((e: unknown) => {
  console.error(`bench: error: ${(e as Error).message}`); // an unreadable trace: its error names the file
  return process.exit(2);
});
if (traces.length === 0) {
  console.error("bench: no traces in traces/model (run `npm run traces` first)");
  process.exit(2);
}
const steps = traces.reduce((n, t) => n + t.trace.states.length - 1, 0);
console.log(`Replay throughput: ${traces.length} model traces, ${steps} steps, ${rounds} rounds each\n`);
console.log("MLS   steps/s   ms/step   total s");
for (const mls of [false, true]) {
  const start = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const { file, trace } of traces) await replayTrace(trace, { file, mls });
  }
  const seconds = (performance.now() - start) / 1000;
  const perSecond = (steps * rounds) / seconds;
  console.log(`${mls ? "on " : "off"}   ${perSecond.toFixed(0).padStart(7)}   ${(1000 / perSecond).toFixed(3).padStart(7)}   ${seconds.toFixed(2).padStart(7)}`);
}
console.log("\nOne Commit and its processing, by group size (scripts/bench-mls.ts):\n");
await import("./bench-mls.ts");
