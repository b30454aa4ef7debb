// The delivery service as processes and over time: heartbeat and grace before
// `left`, a DS shutdown that is not a departure, an acknowledged append surviving
// kill -9 (SQLite), two DS processes on one Redis agreeing on one order, and the
// `npm run ds` command's usage. Budget: about 10 s.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { startDs } from "../impl/ds/server.ts";
import { MemoryStorage } from "../impl/ds/storage-memory.ts";
import { readSqliteLog, SqliteStorage } from "../impl/ds/storage-sqlite.ts";
import { add, observeLog, RawClient, startRedis } from "./ds-harness.ts";

const root = join(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "ds-process-"));
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) c.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `npm run ds` as a child process; resolves with its port once it prints "listening". */
async function dsProcess(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "./scripts/register-ts-node.mjs", "scripts/ds.ts", ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (l) => {
      const m = /^listening (\d+)/.exec(l);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (c) => reject(new Error(`ds exited ${c}`)));
  });
  return { child, url: `ws://127.0.0.1:${port}` };
}
async function kill9(child: ChildProcess) {
  const gone = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await gone;
  children.delete(child);
}

describe("heartbeat and grace", () => {
  it("a silent user gets its left after heartbeat + grace; a user that resumes within the grace does not", async () => {
    const ds = await startDs({ storage: new MemoryStorage(), heartbeatMs: 300, graceMs: 300 });
    const a = await RawClient.open(ds.url);
    await a.join("hb");
    const b = await RawClient.open(ds.url);
    await b.join("hb");
    const c = await RawClient.open(ds.url);
    await c.join("hb");
    // a keeps pinging; b goes silent; c's connection drops and it comes back at once
    const pinger = setInterval(() => a.send({ t: "ping" }), 100);
    c.close();
    const c2 = await RawClient.open(ds.url);
    c2.send({ t: "hello", room: "hb", uid: 3, cursor: 2 });
    await c2.kind("ready");
    const c2pinger = setInterval(() => c2.send({ t: "ping" }), 100);
    await sleep(1200);
    clearInterval(pinger);
    clearInterval(c2pinger);
    expect(await observeLog(ds.url, "hb")).toEqual([{ type: "joined", uid: 2 }, { type: "joined", uid: 3 }, { type: "left", uid: 2 }]);
    // the silent connection was dropped by the DS (so its client reconnects and learns it is fenced)
    expect(b.ws.readyState).toBe(b.ws.CLOSED);
    const b2 = await RawClient.open(ds.url);
    b2.send({ t: "hello", room: "hb", uid: 2, cursor: 0 });
    expect(await b2.kind("fenced")).toMatchObject({ t: "fenced" });
    b2.close();
    await ds.close();
  });

  it("a DS shutdown appends no left: users resume after the restart on the same SQLite file", async () => {
    const file = join(dir, "restart.db");
    let storage = new SqliteStorage(file);
    let ds = await startDs({ storage, heartbeatMs: 200, graceMs: 100 });
    const a = await RawClient.open(ds.url);
    await a.join("rs");
    const b = await RawClient.open(ds.url);
    await b.join("rs");
    await ds.close();
    await storage.close();
    await sleep(400);
    storage = new SqliteStorage(file);
    ds = await startDs({ storage, heartbeatMs: 60000, graceMs: 60000 });
    expect(await observeLog(ds.url, "rs")).toEqual([{ type: "joined", uid: 2 }]);
    const b2 = await RawClient.open(ds.url);
    b2.send({ t: "hello", room: "rs", uid: 2, cursor: 1 });
    expect(await b2.kind("ready")).toMatchObject({ uid: 2, head: 1 });
    b2.close();
    await ds.close();
    await storage.close();
  });
});

describe("durability and shared order", () => {
  it("an acknowledged append survives kill -9 of the DS process (SQLite), and the restarted DS goes on from it", async () => {
    const file = join(dir, "kill.db");
    let p = await dsProcess(["--storage", `sqlite:${file}`]);
    const a = await RawClient.open(p.url);
    await a.join("k");
    const acked: number[] = [];
    for (let i = 0; i < 20; i++) {
      a.send({ t: "append", id: `a${i}`, entry: add(1, 2, i) });
      acked.push((await a.kind("ack")).index as number);
    }
    await kill9(p.child);
    expect(readSqliteLog(file, "k").map((e) => e.index)).toEqual(acked);
    p = await dsProcess(["--storage", `sqlite:${file}`]);
    const again = await RawClient.open(p.url);
    again.send({ t: "hello", room: "k", uid: 1, cursor: 20 });
    expect(await again.kind("ready")).toMatchObject({ head: 20 });
    // the re-sent last append (a crash before its ack) lands once
    again.send({ t: "append", id: "a19", entry: add(1, 2, 19) });
    expect(await again.kind("ack")).toMatchObject({ index: 19 });
    expect((await observeLog(p.url, "k")).map((e) => e.epoch)).toEqual([...Array(20).keys()]);
    again.close();
    await kill9(p.child);
  });

  it("two DS processes on one Redis hand out distinct UIDs and show one order", async () => {
    const redis = await startRedis();
    try {
      const p1 = await dsProcess(["--storage", `redis:${redis.url}`]);
      const p2 = await dsProcess(["--storage", `redis:${redis.url}`]);
      const a = await RawClient.open(p1.url);
      await a.join("shared");
      const b = await RawClient.open(p2.url);
      expect(await b.join("shared")).toMatchObject({ uid: 2 });
      const sends: Promise<unknown>[] = [];
      for (let i = 0; i < 15; i++) {
        a.send({ t: "append", id: `a${i}`, entry: add(1, 2, i) });
        b.send({ t: "append", id: `b${i}`, entry: add(2, 1, i) });
      }
      for (let i = 0; i < 15; i++) sends.push(a.kind("ack"), b.kind("ack"));
      const acks = (await Promise.all(sends)) as { index: number }[];
      expect(new Set(acks.map((x) => x.index)).size).toBe(30);
      const log1 = await observeLog(p1.url, "shared");
      const log2 = await observeLog(p2.url, "shared");
      expect(log1).toHaveLength(31);
      expect(log2).toEqual(log1);
      // both processes relay the other's appends, in index order
      const seen = async (c: RawClient) => {
        const idx: number[] = [];
        while (idx.length < 31) idx.push((await c.kind("entry")).index as number);
        return idx;
      };
      expect(await seen(a)).toEqual([...Array(31).keys()]);
      a.close();
      b.close();
      await kill9(p1.child);
      await kill9(p2.child);
    } finally {
      await redis.stop();
    }
  });
});

describe("npm run ds usage", () => {
  const run = (args: string[]) => spawnSync(process.execPath, ["--import", "./scripts/register-ts-node.mjs", "scripts/ds.ts", ...args], { cwd: root, encoding: "utf8", timeout: 20000 });
  it("--help exits 0; bad usage exits 2 with one line", () => {
    expect(run(["--help"])).toMatchObject({ status: 0, stdout: expect.stringMatching(/usage: npm run ds/) });
    for (const [args, why] of [[["--port", "x"], /--port: expected a non-negative integer/], [["--storage", "mongo:x"], /--storage mongo:x: expected memory/], [["--bogus", "1"], /Unknown option '--bogus'/]] as const) {
      const r = run([...args]);
      expect(r.status).toBe(2);
      expect(r.stderr.split("\n")[0]).toMatch(why);
    }
  });
  it("SIGTERM closes it cleanly (exit 0)", async () => {
    const p = await dsProcess([]);
    const code = new Promise((r) => p.child.once("exit", (c) => r(c)));
    p.child.kill("SIGTERM");
    expect(await code).toBe(0);
    children.delete(p.child);
  });
});
