// npm run bench [-- --rounds N]
//
// Prints (1) conformance replay throughput, in model steps per second, over the
// committed model traces, with real MLS and with the MLS layer switched off, and
// (2) the time of one Commit and its processing at group sizes 2, 8, 32, 64
// (scripts/bench-mls.ts). Figures, not assertions: nothing here fails on speed.

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { replayTrace } from "../conformance/replay/replay-trace.ts";
import { benchMls } from "./bench-mls.ts";
import { command, InputError, integer } from "./cli/command.ts";
import { readItf, type ItfTrace } from "./tlc/formats/itf.ts";

const HELP = `Usage: npm run bench [-- --rounds N]

Prints replay throughput over traces/model/ (MLS off and on; N rounds each, default 3)
and the time of one Commit and its processing by group size. Figures only: it fails
on bad usage or unreadable traces (exit 2), never on speed.`;

async function load(dir: string): Promise<{ file: string; trace: ItfTrace }[]> {
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".itf.json")).sort();
  } catch {
    return [];
  }
  return Promise.all(names.map(async (n) => ({ file: join(dir, n), trace: await readItf(join(dir, n)) })));
}

await command(import.meta.url, {
  name: "bench",
  help: HELP,
  options: { rounds: { type: "string" } },
  run: async ({ values }) => {
    const rounds = integer("--rounds", values.rounds, { min: 1, max: 1_000, fallback: 3 });
    const traces = await load("traces/model");
    if (traces.length === 0) throw new InputError("no traces in traces/model (run `npm run traces` first)");
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
    await benchMls();
    return 0;
  },
});
