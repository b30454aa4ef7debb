// The chaos test (issue 14): real client processes (scripts/client.ts) over
// loopback WebSockets join one room, then random joins, leaves, kill -9 and
// restart from the saved state, and one DS restart, from a fixed printed seed. It
// passes only if every live client converges (one epoch, one safety number, the
// live users as members), a message from one reaches all others, and TLC accepts
// the merged run (conformance/validate/network-merge.ts, spec/network.md) as a behaviour of
// tla/DCA.tla. Teeth: with the known-bad IgnoreRemoves in the clients, the same
// check fails (over the in-memory loopback DS, a smaller run). The real DS
// (impl/ds) runs in this process, on SQLite and on its own redis-server. Budget:
// about 100 s of CPU on 2 cores (TLC included); the time limit
// allows for a loaded machine.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { churn, type ChurnOptions, type DsControl } from "../impl/client/churn.ts";
import { readRoomLog } from "../impl/client/ds-link.ts";
import { connectWs } from "../impl/client/ws-socket.ts";
import { mergeRun } from "../conformance/validate/network-merge.ts";
import { validateRun } from "../conformance/validate/trace-validate.ts";
import { LoopbackDs } from "../impl/client/loopback-ds.ts";
import { openStorage } from "../impl/ds/open-storage.ts";
import { startDs } from "../impl/ds/server.ts";
import { skipWithoutTlc, testJar } from "./local-tlc.ts";

const SEED = Number(process.env.CHAOS_SEED ?? 20261205);
console.log(`chaos seed ${SEED} (CHAOS_SEED=${SEED} reproduces the choices)`);

const dir = mkdtempSync(join(tmpdir(), "dca-chaos-"));
const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const s of stops) await s();
  rmSync(dir, { recursive: true, force: true });
});

async function standIn(): Promise<DsControl> {
  const ds = new LoopbackDs();
  await ds.start();
  stops.push(() => ds.stop());
  const url = `ws://127.0.0.1:${ds.port}`;
  return {
    url,
    restart: async () => {
      await ds.stop();
      await new Promise((r) => setTimeout(r, 200));
      await ds.start(ds.port);
    },
    readLog: (room) => readRoomLog(url, room, connectWs),
  };
}

/** The delivery service of impl/ds on `storage` ("sqlite:FILE" or a redis:// URL, impl/ds/open-storage.ts); a restart closes it and opens the same storage again. */
async function realDs(spec: string): Promise<DsControl> {
  let storage = await openStorage(spec);
  let ds = await startDs({ storage, port: 0 });
  const port = ds.port;
  const url = `ws://127.0.0.1:${port}`;
  stops.push(async () => {
    await ds.close();
    await storage.close();
  });
  return {
    url,
    restart: async () => {
      await ds.close();
      await storage.close();
      storage = await openStorage(spec);
      ds = await startDs({ storage, port });
    },
    readLog: (room) => readRoomLog(url, room, connectWs),
  };
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

/** Its own redis-server on a free loopback port, no persistence; stopped in afterAll. */
async function redisServer(): Promise<string> {
  const port = await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "pipe"] });
  stops.push(async () => {
    child.kill("SIGKILL");
  });
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (/Ready to accept connections/.test(out)) resolve();
    });
    child.once("error", reject);
    child.once("exit", (c) => reject(new Error(`redis-server exited (${c}): ${out.slice(-300)}`)));
  });
  return `redis://127.0.0.1:${port}`;
}

async function check(name: string, ds: DsControl, opts: Partial<ChurnOptions>) {
  const run = await churn({ ds, clients: 8, seed: SEED, dir: join(dir, name), cwd: process.cwd(), log: (l) => console.log(`[${name}] ${l}`), ...opts });
  for (const f of run.finals) console.log(`[${name}] ${f.name} user ${f.status.uid} epoch ${f.status.epoch} ${f.status.safetyNumber}`);
  const merged = mergeRun(run.log, run.recordings, { quiesced: run.quiesced, ...(opts.variant ? { variant: opts.variant } : {}) });
  const tlc = await validateRun(merged.trace, { name: `chaos-${name}`, variant: "Correct", jar: testJar(), explain: false });
  return { run, merged, tlc };
}

describe.skipIf(skipWithoutTlc)(`chaos (seed ${SEED})`, () => {
  const converges = (name: string, ds: () => Promise<DsControl>, events: number) =>
    it(`8+ client processes over the DS (${name} storage) converge, a message reaches all, TLC accepts the merged run`, async () => {
      const { run, merged, tlc } = await check(name, await ds(), { events });
      expect(run.actions.some((a) => a.startsWith("kill -9"))).toBe(true);
      expect(run.actions).toContain("DS restart");
      expect(run.problem ?? "").toBe("");
      expect(run.converged).toBe(true);
      expect(run.messageReachedAll).toBe(true);
      expect(merged.order.length).toBeGreaterThan(50);
      expect(tlc.accepted).toBe(true);
    }, 240_000);
  converges("SQLite", () => realDs(`sqlite:${join(dir, "ds.sqlite")}`), 6);
  converges("Redis", async () => realDs(await redisServer()), 4);

  it("teeth: with IgnoreRemoves in the clients, the same check fails", async () => {
    const { run, tlc } = await check("teeth", await standIn(), { clients: 3, variant: "IgnoreRemoves", plan: ["join", "leave", "kill"], settleMs: 6000 });
    expect(run.actions.some((a) => a.startsWith("leave"))).toBe(true);
    // The departed user stays in the group: the members never match the live users,
    // or, where the clients claim to be done, TLC refuses the claim.
    expect(run.converged && tlc.accepted).toBe(false);
  }, 90_000);
});
