// The churn scenario of the demo and the chaos test: N client processes
// (impl/client/client-process.ts) join one room through a delivery service, then
// random joins, leaves, kill -9 with restart from the saved state, and one DS
// restart, from a seed; then it waits until every live client shows one epoch, one
// safety number and the live users as members, has one client send a message and
// waits until every other live client got it. It returns each client's final view
// and what a TLC check needs: the DS's log and every client's recording.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { LogEntry, Uid, Variant } from "../types.ts";
import { ClientProcess, type ClientStatus } from "./client-process.ts";
import { readRecording, type RecordedStep } from "./step-record.ts";

export interface DsControl {
  url: string;
  /** Stops the DS and starts it again on the same address with the same storage. */
  restart(): Promise<void>;
  readLog(room: string): Promise<LogEntry[]>;
}

export interface ChurnOptions {
  ds: DsControl;
  clients: number;
  seed: number;
  /** Random events after the initial joins (default 2 × clients). */
  events?: number;
  room?: string;
  dir: string;
  cwd: string;
  variant?: Variant;
  /** Every client runs the batched rules (spec/batching.md section 4). */
  batch?: boolean;
  /** A fixed sequence of events instead of random ones (for a small, certain run). */
  plan?: ("join" | "leave" | "kill" | "ds-restart")[];
  /** Give up waiting for convergence after this long (ms). */
  settleMs?: number;
  log?: (line: string) => void;
}

export interface ChurnResult {
  converged: boolean;
  /** Why not, if not. */
  problem?: string;
  finals: { name: string; status: ClientStatus }[];
  messageReachedAll: boolean;
  log: LogEntry[];
  recordings: Map<Uid, RecordedStep[]>;
  /** Every live client idle at the end (read the whole log, nothing to do). */
  quiesced: boolean;
  actions: string[];
}

/** A small seeded generator (mulberry32), so a printed seed reproduces a run's choices. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function churn(o: ChurnOptions): Promise<ChurnResult> {
  const room = o.room ?? "chaos";
  const say = o.log ?? (() => {});
  const rnd = seeded(o.seed);
  mkdirSync(o.dir, { recursive: true });
  const all: ClientProcess[] = [];
  const left = new Set<ClientProcess>();
  const actions: string[] = [];
  const act = (a: string) => {
    actions.push(a);
    say(a);
  };
  const spawnClient = async () => {
    const name = `c${all.length + 1}`;
    const c = new ClientProcess({ name, room, url: o.ds.url, stateFile: join(o.dir, `${name}.json`), recordFile: join(o.dir, `${name}.steps.jsonl`), cwd: o.cwd, ...(o.variant ? { variant: o.variant } : {}), ...(o.batch ? { batch: true } : {}) });
    all.push(c);
    const connected = c.next((l) => l.type === "connected", 30000, "connection");
    c.start();
    await connected;
    act(`join ${name} (user ${String(c.events("connected")[0]?.uid)})`);
    return c;
  };
  const live = () => all.filter((c) => !left.has(c) && !c.events("left").length);

  try {
    // The first client creates the room; the others join at once.
    await spawnClient();
    await Promise.all(Array.from({ length: o.clients - 1 }, () => spawnClient()));
    const events = o.plan?.length ?? o.events ?? 2 * o.clients;
    const dsRestartAt = Math.floor(events / 2);
    for (let k = 0; k < events; k++) {
      await sleep(100 + Math.floor(rnd() * 300));
      const planned = o.plan?.[k];
      if (planned === "ds-restart" || (!o.plan && k === dsRestartAt)) {
        act("DS restart");
        await o.ds.restart();
        continue;
      }
      const pool = live().filter((c) => c.running);
      const r = planned === "join" ? 0 : planned === "leave" ? 0.4 : planned === "kill" ? 0.9 : rnd();
      if (r < 0.3 || pool.length < 3) await spawnClient();
      else if (r < 0.55) {
        const c = pool[1 + Math.floor(rnd() * (pool.length - 1))]!;
        act(`leave ${c.opts.name}`);
        left.add(c);
        c.leave();
      } else {
        const c = pool[Math.floor(rnd() * pool.length)]!;
        act(`kill -9 ${c.opts.name}, restart from its state file`);
        c.kill9();
        await c.exited;
        await sleep(50 + Math.floor(rnd() * 250));
        c.start();
      }
    }

    // Settle: one epoch, one safety number, the live users as members.
    const deadline = Date.now() + (o.settleMs ?? 30000);
    let problem = "";
    let finals: { name: string; status: ClientStatus }[] = [];
    let logLength = -1;
    for (;;) {
      const alive = live().filter((c) => c.running);
      finals = await Promise.all(alive.map(async (c) => ({ name: c.opts.name, status: await c.status() })));
      const active = finals.filter((f) => !f.status.left);
      logLength = (await o.ds.readLog(room)).length;
      const views = new Set(active.map((f) => `${f.status.epoch} ${f.status.safetyNumber} ${JSON.stringify(f.status.members)}`));
      const uids = active.map((f) => f.status.uid!).sort((a, b) => a - b);
      problem =
        active.some((f) => f.status.epoch === null) ? `not yet welcomed: ${active.filter((f) => f.status.epoch === null).map((f) => f.name).join(", ")}`
        : views.size !== 1 ? `${views.size} different views`
        : JSON.stringify(active[0]!.status.members) !== JSON.stringify(uids) ? `members ${JSON.stringify(active[0]!.status.members)}, live users ${JSON.stringify(uids)}`
        : active.some((f) => f.status.cursor !== logLength) ? `not all have read the whole log (${logLength} entries)`
        : alive.some((c) => !c.connected) ? `not all are connected: ${alive.filter((c) => !c.connected).map((c) => c.opts.name).join(", ")}`
        : "";
      if (!problem) break;
      if (Date.now() > deadline) break;
      await sleep(300);
    }
    const converged = problem === "";
    let messageReachedAll = false;
    if (converged) {
      const alive = live().filter((c) => c.running);
      const sender = alive[0]!;
      const text = `hello from ${sender.opts.name} (seed ${o.seed})`;
      const got = alive.slice(1).map((c) => c.next((l) => l.type === "message" && l.text === text, 15000, "the message"));
      sender.send(text);
      messageReachedAll = await Promise.all(got).then(
        () => true,
        (e: Error) => (say(e.message), false),
      );
    }
    for (const c of all) await c.stop();
    const log = await o.ds.readLog(room);
    const recordings = new Map<Uid, RecordedStep[]>();
    for (const c of all) {
      const uid = c.events("connected")[0]?.uid as number | undefined;
      if (uid !== undefined) recordings.set(uid, readRecording(c.opts.recordFile));
    }
    return { converged, ...(problem ? { problem } : {}), finals, messageReachedAll, log, recordings, quiesced: converged && logLength === log.length, actions };
  } finally {
    for (const c of all) if (c.running) c.kill9();
  }
}
