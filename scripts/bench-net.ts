// npm run bench:net [-- --clients N --window MS]
//
// Join storm: N clients (default 50) join one room within one second; prints the
// time until every one is welcomed and all show one safety number, Commits per
// second, delivery-service messages per second, and the peak memory (VmHWM) of the
// server process and of one client process — over the network (a DS process, 1
// client process, N-2 clients in this process, real WebSockets on loopback) and
// the same storm on the in-process room (impl/room.ts: the same client cores, no
// network), side by side, with the network's overhead as a ratio. Figures, not
// assertions. The DS is `npm run ds` (impl/ds/) in a process of its own, on SQLite,
// and on Redis when DCA_BENCH_REDIS names a running redis-server.
// Exit status: 0 done, 1 a storm did not converge, 2 bad usage.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NetworkClient } from "../impl/client/client.ts";
import { ClientProcess } from "../impl/client/client-process.ts";
import { DsProcess } from "../impl/client/ds-process.ts";
import { wsLink } from "../impl/client/ds-link.ts";
import { connectWs } from "../impl/client/ws-socket.ts";
import { Room } from "../impl/room.ts";
import { command, integer } from "./cli/command.ts";

const HELP = `Usage: npm run bench:net [-- --clients N --window MS]

  --clients N   clients in the storm, the creator included (default 50)
  --window MS   the joins are spread over this many milliseconds (default 1000)`;

/** The storm: how many clients (the creator included) join within how many milliseconds. */
interface Storm {
  n: number;
  windowMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const peakKb = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN);

interface Figures {
  seconds: number;
  commits: number;
  messages: number | null;
  serverPeakMb: number | null;
  clientPeakMb: number | null;
}

/** Counts the frames the in-process clients send and receive (the DS's messages, less the one client process's). */
const frames = { n: 0 };
const countingWs = async (url: string) => {
  const s = await connectWs(url);
  return {
    send: (t: string) => (frames.n++, s.send(t)),
    close: () => s.close(),
    onMessage: (cb: (t: string) => void) => s.onMessage((t) => (frames.n++, cb(t))),
    onClose: (cb: (w: string) => void) => s.onClose(cb),
  };
};

/** The storm over the network, the DS (npm run ds) on `storage` in a process of its own. */
async function network({ n: clientCount, windowMs }: Storm, storage: string): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), "dca-bench-net-"));
  const spec = storage === "sqlite" ? `sqlite:${join(dir, "ds.sqlite")}` : storage;
  const ds = new DsProcess(process.execPath, (port) => ["--import", "./scripts/register-ts-node.mjs", "scripts/ds.ts", "--port", String(port), "--storage", spec], process.cwd());
  await ds.start();
  const url = ds.url;
  try {
    const clients: NetworkClient[] = [];
    const make = async () => {
      const c = new NetworkClient({ room: "storm", connect: wsLink(url, countingWs) });
      clients.push(c);
      await c.start();
    };
    await make(); // the creator
    const proc = new ClientProcess({ name: "p", room: "storm", url, stateFile: join(dir, "p.json"), recordFile: join(dir, "p.steps.jsonl"), cwd: process.cwd() });
    frames.n = 0;
    const t0 = performance.now();
    const joins: Promise<void>[] = [];
    const connected = proc.next((l) => l.type === "connected", 60000, "connection");
    proc.start();
    for (let i = 0; i < clientCount - 2; i++) {
      joins.push(sleep((windowMs * (i + 1)) / (clientCount - 1)).then(make));
    }
    await Promise.all([...joins, connected]);
    for (;;) {
      const views = clients.map((c) => c.view);
      const st = await proc.status();
      if (views.every((v) => v && v.members.length === clientCount) && new Set([...views.map((v) => v!.safetyNumber), st.safetyNumber]).size === 1) break;
      if (performance.now() - t0 > 300_000) throw new Error("the network storm did not converge within 300 s");
      await sleep(20);
    }
    const seconds = (performance.now() - t0) / 1000;
    const messages = frames.n;
    const clientPeakMb = peakKb(proc.pid!) / 1024;
    const serverPeakMb = ds.peakMb();
    await proc.stop();
    for (const c of clients) c.stop();
    return { seconds, commits: clientCount - 1, messages, serverPeakMb, clientPeakMb };
  } finally {
    await ds.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same storm on the in-process room: clientCount-1 joins, then the members read and the DC acts until all are in. */
async function inProcess({ n: clientCount }: Storm): Promise<Figures> {
  const room = await Room.create();
  const t0 = performance.now();
  for (let i = 0; i < clientCount - 1; i++) await room.join();
  for (;;) {
    for (const u of room.uids()) while (room.state(u).status === "active" && room.state(u).cursor < room.log.length) await room.read(u);
    const steps = room.enabledDcSteps();
    const add = steps.find((s) => s.startsWith("DcAdd("));
    const welcome = steps.find((s) => s.startsWith("DcWelcome("));
    const uidOf = (s: string) => Number(/\((\d+)/.exec(s)![1]);
    if (add) room.dcAdd(uidOf(add));
    else if (welcome) await room.dcWelcome(uidOf(welcome));
    else break;
  }
  const seconds = (performance.now() - t0) / 1000;
  if (!room.uids().every((u) => room.state(u).welcomed)) throw new Error("the in-process storm did not welcome everyone");
  return { seconds, commits: room.log.filter((e) => e.type === "add").length, messages: null, serverPeakMb: null, clientPeakMb: null };
}

await command(import.meta.url, {
  name: "bench:net",
  help: HELP,
  options: { clients: { type: "string" }, window: { type: "string" } },
  exitWhenDone: true,
  run: async ({ values }) => {
    const storm: Storm = {
      n: integer("--clients", values.clients, { min: 3, max: 200, fallback: 50 }),
      windowMs: integer("--window", values.window, { min: 0, max: 600_000, fallback: 1000 }),
    };
    const redisUrl = process.env.DCA_BENCH_REDIS; // a running redis-server, e.g. redis://127.0.0.1:6390
    const runs: [string, Figures][] = [["network, SQLite", await network(storm, "sqlite")]];
    if (redisUrl) runs.push(["network, Redis", await network(storm, redisUrl)]);
    const local = await inProcess(storm);
    const f = (x: number | null, d = 1) => (x === null ? "n/a" : x.toFixed(d));
    console.log(`Join storm: ${storm.n} clients join one room within ${storm.windowMs} ms (${new Date().toISOString().slice(0, 10)})\n`);
    const cols: [string, Figures][] = [...runs, ["in-process room", local]];
    const row = (label: string, cell: (x: Figures) => string) => console.log(`${label.padEnd(40)}${cols.map(([, x]) => cell(x).padStart(18)).join("")}`);
    console.log(`${"".padEnd(40)}${cols.map(([n]) => n.padStart(18)).join("")}`);
    row("all welcomed, one safety number (s)", (x) => f(x.seconds, 2));
    row("Commits per second", (x) => f(x.commits / x.seconds));
    row("DS messages per second (48 clients)", (x) => f(x.messages === null ? null : x.messages / x.seconds, 0));
    row("peak memory, DS process (MB)", (x) => f(x.serverPeakMb));
    row("peak memory, one client process (MB)", (x) => f(x.clientPeakMb));
    for (const [n, x] of runs) console.log(`\n${n}: overhead ${(x.seconds / local.seconds).toFixed(2)} × the in-process time`);
    if (!redisUrl) console.log("\n(Redis: set DCA_BENCH_REDIS=redis://HOST:PORT to a running redis-server.)");
    return 0;
  },
});
