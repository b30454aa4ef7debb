// The storm benchmark over the network (scripts/bench-storm.ts): a real delivery service
// (`npm run ds`, impl/ds, memory storage) in a process of its own on a loopback port, and
// every user a real network client (impl/client/client.ts, its own WebSocket) in this
// process — one Node process for 52 clients, since 52 processes would not fit 2 cores;
// their MLS work is sequential here, as in the in-process room, while the DS orders and
// relays in parallel. Join storm: `joiners` users join a room of 2, one started every
// window/joiners ms (the DS hands out UIDs one at a time, so arrivals may spread a little
// past the window; the run reports when the last one landed). Leave storm: then `leavers`
// of them (UIDs 3, 5, 7, …) leave at once. Each phase runs until DCA's Converged holds as
// the clients see it: every client still in the room welcomed, caught up with the log,
// in one epoch, nothing pending, its MLS group exactly the users in the room, and all
// showing one safety number.

import { NetworkClient } from "../../impl/client/client.ts";
import { DsProcess } from "../../impl/client/ds-process.ts";
import { observeRoom, wsLink } from "../../impl/client/ds-link.ts";
import { connectWs } from "../../impl/client/ws-socket.ts";

export interface Phase {
  seconds: number;
  commits: number;
  /** (seconds, members converged) in time order. */
  curve: [number, number][];
}

export interface NetStormOptions {
  batch: boolean;
  joiners: number;
  leavers: number;
  windowMs: number;
  /** Give up on a phase after this many seconds. */
  limitS: number;
  /** A short line now and then while a phase runs. */
  progress?: (line: string) => void;
}

export class StormNotConverged extends Error {}

const ROOM = "storm";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now() / 1000;

/** An observer connection to the room: how long the log is and how many Commits are on it, live. */
async function observe(url: string): Promise<{ length: () => number; commits: () => number; close: () => void }> {
  let length = 0;
  let commits = 0;
  const close = await observeRoom(url, ROOM, connectWs, {
    entry: (_index, e) => {
      length++;
      if (e.type === "add" || e.type === "remove") commits++;
    },
  });
  return { length: () => length, commits: () => commits, close };
}

export async function netStorm(o: NetStormOptions): Promise<{ join: Phase; leave: Phase; lastArrivalS: number }> {
  // Heartbeat and grace far beyond a phase: a client process busy with MLS must not be presumed dead.
  const ds = new DsProcess(
    process.execPath,
    (port) => ["--import", "./scripts/register-ts-node.mjs", "scripts/ds.ts", "--port", String(port), "--storage", "memory", "--heartbeat-ms", "600000", "--grace-ms", "600000"],
    process.cwd(),
  );
  await ds.start();
  const clients: NetworkClient[] = [];
  const lastChange = new Map<NetworkClient, number>();
  let log: Awaited<ReturnType<typeof observe>> | null = null;
  try {
    log = await observe(ds.url);
    const make = async () => {
      const c = new NetworkClient({ room: ROOM, connect: wsLink(ds.url, connectWs), batch: o.batch, backoff: { first: 50, max: 500 } });
      c.on((e) => {
        if (e.type === "epoch") lastChange.set(c, now());
        if (e.type === "error") o.progress?.(`client ${c.uid ?? "?"}: ${e.where}: ${e.message.split("\n")[0]}`);
      });
      clients.push(c);
      await c.start();
      return c;
    };
    const alive = () => clients.filter((c) => !c.hasLeft);
    // Polled every 50 ms: the member states first (cheap), the MLS groups and safety numbers
    // only once every state says converged (reading 52 groups each poll would cost the
    // clients' own CPU time, which the storm measures).
    const stateConverged = (c: NetworkClient, epoch: number, users: string) => {
      const s = c.state;
      return (
        s !== null && s.welcomed && s.cursor === log!.length() && s.epoch === epoch && s.pendingAdds.length === 0 &&
        s.pendingRemoves.length === 0 && s.adding === 0 && s.members.join() === users
      );
    };
    /** Converged (every client in the room, its MLS group exactly them, one safety number) and how many clients are so far. */
    const status = (expected: number) => {
      const in_ = alive();
      const users = in_.map((c) => c.uid ?? 0).sort((a, b) => a - b).join();
      const epoch = Math.max(...in_.map((c) => c.state?.epoch ?? -1));
      const done = in_.filter((c) => stateConverged(c, epoch, users));
      if (in_.length !== expected || done.length !== expected) return { all: false, converged: done.length };
      const views = done.map((c) => c.view);
      const all = views.every((v) => v !== null && v.epoch === epoch && [...v.members].sort((a, b) => a - b).join() === users) &&
        new Set(views.map((v) => v!.safetyNumber)).size === 1;
      return { all, converged: done.length };
    };
    const phase = async (what: string, expected: number, t0: number, more: () => boolean): Promise<Phase> => {
      const commits0 = log!.commits();
      let said = t0;
      for (;;) {
        const s = status(expected);
        if (!more() && s.all) break;
        if (now() - said >= 5) {
          said = now();
          o.progress?.(`  ${o.batch ? "batched" : "one per Commit"}, ${what}: ${(now() - t0).toFixed(0)} s, ${s.converged}/${expected} converged, ${log!.commits() - commits0} Commits`);
        }
        if (now() - t0 > o.limitS) throw new StormNotConverged(`${what} (${o.batch ? "batched" : "one per Commit"}): not converged after ${o.limitS} s`);
        await sleep(50);
      }
      const seconds = now() - t0;
      const times = alive().map((c) => Math.max(0, (lastChange.get(c) ?? t0) - t0)).sort((a, b) => a - b);
      return { seconds, commits: log!.commits() - commits0, curve: [[0, 0], ...times.map((t, i): [number, number] => [t, i + 1])] };
    };

    await make();
    await make();
    await phase("room of 2", 2, now(), () => false);

    lastChange.clear();
    const t0 = now();
    let started = 0;
    let lastArrivalS = 0;
    const joins: Promise<unknown>[] = [];
    for (let i = 0; i < o.joiners; i++) {
      joins.push(
        sleep((i * o.windowMs) / o.joiners).then(async () => {
          await make();
          started++;
          lastArrivalS = Math.max(lastArrivalS, now() - t0);
        }),
      );
    }
    const join = await phase("join storm", 2 + o.joiners, t0, () => started < o.joiners);
    await Promise.all(joins);

    lastChange.clear();
    const t1 = now();
    const leaving = new Set(Array.from({ length: o.leavers }, (_, i) => 3 + 2 * i));
    for (const c of clients) if (leaving.has(c.uid ?? 0)) c.leave();
    const leave = await phase("leave storm", 2 + o.joiners - o.leavers, t1, () => false);
    return { join, leave, lastArrivalS };
  } finally {
    for (const c of clients) c.stop();
    log?.close();
    await ds.stop();
  }
}
