// npm run bench:net [-- --clients N --window MS]
//
// Join storm: N clients (default 50) join one room within one second; prints the
// time until every one is welcomed and all show one safety number, Commits per
// second, delivery-service messages per second, and the peak memory (VmHWM) of the
// server process and of one client process — over the network (a DS process, 1
// client process, N-2 clients in this process, real WebSockets on loopback) and
// the same storm on the in-process room (impl/room.ts: the same client cores, no
// network), side by side, with the network's overhead as a ratio. Figures, not
// assertions. The DS measured is impl/client/loopback-ds.ts (memory storage) until
// impl/ds/ (SQLite, Redis) is wired in.
// Exit status: 0 done, 1 a storm did not converge, 2 bad usage.

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { NetworkClient } from "../impl/client/client.ts";
import { ClientProcess } from "../impl/client/client-process.ts";
import { wsLink } from "../impl/client/ds-link.ts";
import { connectWs } from "../impl/client/socket.ts";
import { Room } from "../impl/room.ts";

const HELP = `Usage: npm run bench:net [-- --clients N --window MS]

  --clients N   clients in the storm, the creator included (default 50)
  --window MS   the joins are spread over this many milliseconds (default 1000)`;

let values: { clients?: string; window?: string; help?: boolean };
try {
  ({ values } = parseArgs({ options: { clients: { type: "string", default: "50" }, window: { type: "string", default: "1000" }, help: { type: "boolean", short: "h" } } }));
} catch (e) {
  console.error(`bench:net: usage: ${(e as Error).message}`);
  process.exit(2);
}
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const N = Number(values.clients);
const WINDOW = Number(values.window);
if (!Number.isInteger(N) || N < 3 || N > 200) {
  console.error(`bench:net: usage: --clients must be an integer from 3 to 200, got ${JSON.stringify(values.clients)}`);
  process.exit(2);
}
if (!Number.isInteger(WINDOW) || WINDOW < 0) {
  console.error(`bench:net: usage: --window must be a non-negative integer, got ${JSON.stringify(values.window)}`);
  process.exit(2);
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

/** The storm over the network. */
async function network(): Promise<Figures> {
  const ds = spawn(process.execPath, ["--import", "./scripts/register-ts-node.mjs", "impl/client/loopback-ds.ts", "0"], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: ds.stdout! }).once("line", (l) => {
      const m = /^listening (\d+)$/.exec(l);
      if (m) resolve(Number(m[1]));
      else reject(new Error(`the DS said ${JSON.stringify(l)}`));
    });
    ds.once("exit", (c) => reject(new Error(`the DS exited (${c})`)));
  });
  const url = `ws://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), "dca-bench-net-"));
  const stats = async () => {
    const s = await connectWs(url);
    return new Promise<{ in: number; out: number }>((resolve) => {
      s.onMessage((t) => {
        const m = JSON.parse(t) as { t: string; in: number; out: number };
        if (m.t === "stats") {
          s.close();
          resolve(m);
        }
      });
      s.onClose(() => {});
      s.send(JSON.stringify({ t: "stats" }));
    });
  };
  try {
    const clients: NetworkClient[] = [];
    const make = async () => {
      const c = new NetworkClient({ room: "storm", connect: wsLink(url) });
      clients.push(c);
      await c.start();
    };
    await make(); // the creator
    const proc = new ClientProcess({ name: "p", room: "storm", url, stateFile: join(dir, "p.json"), recordFile: join(dir, "p.steps.jsonl"), cwd: process.cwd() });
    const before = await stats();
    const t0 = performance.now();
    const joins: Promise<void>[] = [];
    const connected = proc.next((l) => l.type === "connected", 60000, "connection");
    proc.start();
    for (let i = 0; i < N - 2; i++) {
      joins.push(sleep((WINDOW * (i + 1)) / (N - 1)).then(make));
    }
    await Promise.all([...joins, connected]);
    for (;;) {
      const views = clients.map((c) => c.view);
      const st = await proc.status();
      if (views.every((v) => v && v.members.length === N) && new Set([...views.map((v) => v!.safetyNumber), st.safetyNumber]).size === 1) break;
      if (performance.now() - t0 > 300_000) throw new Error("the network storm did not converge within 300 s");
      await sleep(20);
    }
    const seconds = (performance.now() - t0) / 1000;
    const after = await stats();
    const clientPeakMb = peakKb(proc.pid!) / 1024;
    const serverPeakMb = peakKb(ds.pid!) / 1024;
    await proc.stop();
    for (const c of clients) c.stop();
    return { seconds, commits: N - 1, messages: after.in + after.out - before.in - before.out, serverPeakMb, clientPeakMb };
  } finally {
    ds.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same storm on the in-process room: N-1 joins, then the members read and the DC acts until all are in. */
async function inProcess(): Promise<Figures> {
  const room = await Room.create();
  const t0 = performance.now();
  for (let i = 0; i < N - 1; i++) await room.join();
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

const net = await network();
const local = await inProcess();
const f = (x: number | null, d = 1) => (x === null ? "n/a" : x.toFixed(d));
console.log(`Join storm: ${N} clients join one room within ${WINDOW} ms (${new Date().toISOString().slice(0, 10)})\n`);
console.log(`${"".padEnd(38)}${"network (loopback DS)".padStart(24)}${"in-process room".padStart(18)}`);
const row = (label: string, a: string, b: string) => console.log(`${label.padEnd(38)}${a.padStart(24)}${b.padStart(18)}`);
row("all welcomed, one safety number (s)", f(net.seconds, 2), f(local.seconds, 2));
row("Commits per second", f(net.commits / net.seconds), f(local.commits / local.seconds));
row("DS messages per second (in + out)", f(net.messages === null ? null : net.messages / net.seconds, 0), "n/a");
row("peak memory, DS process (MB)", f(net.serverPeakMb), "n/a");
row("peak memory, one client process (MB)", f(net.clientPeakMb), "n/a");
console.log(`\nnetwork overhead: ${(net.seconds / local.seconds).toFixed(2)} × the in-process time`);
console.log("The DS here is impl/client/loopback-ds.ts (logs in memory); SQLite and Redis storage: impl/ds/ (not yet wired in).");
process.exit(0);
