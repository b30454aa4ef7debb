// npm run bench:storm [-- --joiners N --leavers M --window MS --where net,room --svg FILE]
//
// Join and leave storms on real MLS, one add per Commit (today's rules) against batched
// adds and removes (the candidate rule of spec/batching.md), side by side in one run,
// twice: over the network (`net`: a real delivery service process on a loopback port and
// every user a real network client with its own WebSocket, impl/client with `batch: false`
// and `batch: true`; scripts/lib/storm-net.ts), and on the in-process room of impl/batch.ts
// (`room`: no network; `batch: false` is today's rules on that code). Join storm: N users (default 50) join a room of 2 within one second of log time (the DS
// appends their `joined` entries spread over the window, as the wall clock passes). Leave
// storm: then M of them (default 25) leave at once. For each: the time from the first
// arrival (departure) until every active member is welcomed, caught up and shows one
// safety number (DCA's Converged), and the Commits made. Writes an SVG of members
// converged over time, both ways (build/bench-storm.svg unless --svg). A progress line
// goes to stderr every 5 s of a long phase (network runs).
// Exit status: 0 done, 1 a storm did not converge, 2 bad usage.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { BatchRoom, type Uid } from "../impl/batch.ts";
import { command, integer, UsageError } from "./cli/command.ts";
import { stepChart, type Panel, type Series } from "./lib/step-plot.ts";
import { netStorm, StormNotConverged, type Phase } from "./lib/storm-net.ts";

const HELP = `Usage: npm run bench:storm [-- --joiners N --leavers M --window MS --where net,room --svg FILE]

  --joiners N   users joining a room of 2 (default 50)
  --leavers M   of them, leaving at once after the join storm (default 25)
  --window MS   the joins are spread over this many milliseconds (default 1000)
  --where W     net (a real DS process and network clients), room (the in-process room
                of impl/batch.ts), or both, comma-separated (default net,room)
  --svg FILE    where the chart goes (default build/bench-storm.svg)`;

class NotConverged extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now() / 1000;

/** Rounds until converged; `due` appends what the DS has to append by now and says whether more will come. */
async function runUntilConverged(room: BatchRoom, due: () => boolean, limitS: number, t0: number): Promise<void> {
  for (;;) {
    const more = due();
    await room.round();
    if (!more && room.converged()) return;
    if (now() - t0 > limitS) throw new NotConverged(`not converged after ${limitS} s`);
    if (more) await sleep(0);
  }
}

/**
 * A member is converged from the moment of its last epoch change in the phase (epochs
 * only grow, so from then on it is in the final epoch), once the phase has converged.
 */
function curveOf(lastChange: Map<Uid, number>, members: Uid[], t0: number): [number, number][] {
  const times = members.map((u) => (lastChange.get(u) ?? t0) - t0).sort((a, b) => a - b);
  return [[0, 0], ...times.map((t, i): [number, number] => [t, i + 1])];
}

/** The storm on the in-process room (impl/batch.ts). */
async function roomStorm(batch: boolean, joiners: number, leavers: number, windowMs: number): Promise<{ join: Phase; leave: Phase }> {
  const lastChange = new Map<Uid, number>();
  const room = await BatchRoom.create({ batch, onEpoch: (uid) => lastChange.set(uid, now()) });
  room.join(await room.prepare(2));
  await runUntilConverged(room, () => false, 60, now());
  // Identities made before the clock starts: the storm times the protocol, not key generation.
  const ids: Awaited<ReturnType<BatchRoom["prepare"]>>[] = [];
  for (let i = 0; i < joiners; i++) ids.push(await room.prepare(3 + i));

  lastChange.clear();
  let commits = room.commits;
  let next = 0;
  const t0 = now();
  const due = () => {
    while (next < joiners && (now() - t0) * 1000 >= (next * windowMs) / joiners) room.join(ids[next++]!);
    return next < joiners;
  };
  await runUntilConverged(room, due, 600, t0);
  const join: Phase = { seconds: now() - t0, commits: room.commits - commits, curve: curveOf(lastChange, room.active(), t0) };

  // Leavers: every second joiner (UIDs 3, 5, 7, ...), so the creator stays the DC.
  lastChange.clear();
  commits = room.commits;
  const t1 = now();
  for (let i = 0; i < leavers; i++) room.leave(3 + 2 * i);
  await runUntilConverged(room, () => false, 600, t1);
  const leave: Phase = { seconds: now() - t1, commits: room.commits - commits, curve: curveOf(lastChange, room.active(), t1) };
  return { join, leave };
}

await command(import.meta.url, {
  name: "bench:storm",
  help: HELP,
  options: { joiners: { type: "string" }, leavers: { type: "string" }, window: { type: "string" }, where: { type: "string" }, svg: { type: "string" } },
  exitWhenDone: true,
  errors: [{ type: NotConverged, label: "", status: 1 }, { type: StormNotConverged, label: "", status: 1 }],
  run: async ({ values }) => {
    const joiners = integer("--joiners", values.joiners, { min: 1, max: 500, fallback: 50 });
    const leavers = integer("--leavers", values.leavers, { min: 0, max: Math.ceil(joiners / 2), fallback: Math.min(25, Math.ceil(joiners / 2)) });
    const windowMs = integer("--window", values.window, { min: 0, max: 600_000, fallback: 1000 });
    const svg = values.svg ?? "build/bench-storm.svg";
    const where = (values.where ?? "net,room").split(",");
    const unknown = where.find((w) => w !== "net" && w !== "room");
    if (unknown !== undefined || where.length === 0) throw new UsageError(`--where: expected net, room or net,room, got ${JSON.stringify(values.where)}`);

    const progress = (line: string) => console.error(line);
    type Both = { single: { join: Phase; leave: Phase }; batched: { join: Phase; leave: Phase }; note: string };
    const runs: [string, Both][] = [];
    if (where.includes("net")) {
      progress(`network: one add per Commit ...`);
      const single = await netStorm({ batch: false, joiners, leavers, windowMs, limitS: 900, progress });
      progress(`network: batched ...`);
      const batched = await netStorm({ batch: true, joiners, leavers, windowMs, limitS: 900, progress });
      const note = `last arrival at ${single.lastArrivalS.toFixed(2)} s / ${batched.lastArrivalS.toFixed(2)} s`;
      runs.push([`over the network: a DS process (npm run ds, memory storage) on loopback, ${2 + joiners} network clients in one process`, { single, batched, note }]);
    }
    if (where.includes("room")) {
      progress(`in-process room ...`);
      runs.push(["in-process room (impl/batch.ts), no network", { single: await roomStorm(false, joiners, leavers, windowMs), batched: await roomStorm(true, joiners, leavers, windowMs), note: "" }]);
    }

    console.log(`Storms on real MLS, ${new Date().toISOString().slice(0, 10)}`);
    console.log(`join: ${joiners} users join a room of 2 within ${windowMs} ms; leave: then ${leavers} of them leave at once`);
    const row = (label: string, a: string, b: string, r: string) => console.log(`${label.padEnd(44)}${a.padStart(16)}${b.padStart(16)}${r.padStart(12)}`);
    for (const [title, { single, batched, note }] of runs) {
      console.log(`\n${title}${note ? ` (${note})` : ""}`);
      row("", "one per Commit", "batched", "ratio");
      const line = (what: string, s: Phase, b: Phase) => {
        row(`${what}: converged, one safety number (s)`, s.seconds.toFixed(2), b.seconds.toFixed(2), `${(s.seconds / b.seconds).toFixed(1)}×`);
        row(`${what}: Commits`, String(s.commits), String(b.commits), `${(s.commits / Math.max(b.commits, 1)).toFixed(1)}×`);
      };
      line("join", single.join, batched.join);
      line("leave", single.leave, batched.leave);
    }

    const panels: Panel[] = runs.flatMap(([title, { single, batched }]) => {
      const where = title.startsWith("over") ? "network" : "in-process";
      const series = (p: (x: typeof single) => Phase): Series[] => [
        { label: "one add/remove per Commit (today's rules)", color: "#c0392b", points: p(single).curve },
        { label: "batched (spec/batching.md)", color: "#2471a3", points: p(batched).curve },
      ];
      return [
        { title: `${where}: ${joiners} users join a room of 2 within ${windowMs} ms (real MLS)`, yLabel: "members converged", series: series((x) => x.join) },
        { title: `${where}: ${leavers} members leave at once`, yLabel: "members converged", series: series((x) => x.leave) },
      ];
    });
    mkdirSync(dirname(svg), { recursive: true });
    writeFileSync(svg, stepChart(panels));
    console.log(`\nchart: ${svg}`);
    return 0;
  },
});
