// The network client (impl/client/client.ts) against an in-memory delivery service
// (test/client-memory-ds.ts): members converge on one epoch and safety number
// through joins, a leave, a crash and restart from the state file, a lost append
// (sent again after reconnecting, not twice), a DS restart; a message from one
// reaches all others; and the merged run (conformance/validate/network-merge.ts) is a
// behaviour of the model by TLC — but not under a known-bad switch. A dead room revives
// (R15): the next user creates a new group and later joiners are welcomed into it.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NetworkClient, type ClientEvent } from "../impl/client/client.ts";
import { fileStore } from "../impl/client/state-file.ts";
import { readRecording, StepRecorder, type RecordedStep } from "../impl/client/step-record.ts";
import type { Uid, Variant } from "../impl/types.ts";
import { mergeRun } from "../conformance/validate/network-merge.ts";
import { validateRun } from "../conformance/validate/trace-validate.ts";
import { MemoryDs } from "./client-memory-ds.ts";
import { skipWithoutTlc, testJar } from "./local-tlc.ts";

const dir = mkdtempSync(join(tmpdir(), "dca-client-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const until = async (what: string, cond: () => boolean, ms = 20000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

async function run(variant: Variant, tag: string) {
  const ds = new MemoryDs();
  const clients = new Map<string, NetworkClient>();
  const events: string[] = [];
  const uids = new Map<string, Uid>();
  const make = async (name: string) => {
    const c = new NetworkClient({
      room: "r",
      connect: ds.connect,
      store: fileStore(join(dir, `${tag}-${name}.json`)),
      recorder: new StepRecorder(join(dir, `${tag}-${name}.steps.jsonl`)),
      variant,
      backoff: { first: 5, max: 20 },
    });
    c.on((e: ClientEvent) => events.push(`${name} ${e.type} ${JSON.stringify(e)}`));
    clients.set(name, c);
    await c.start();
    uids.set(name, c.uid!);
    return c;
  };
  const alive = () => [...clients.values()].filter((c) => !c.hasLeft);
  const quiet = () =>
    alive().every((c) => c.state!.cursor === ds.log.length && c.view !== null) &&
    new Set(alive().map((c) => c.view!.safetyNumber)).size === 1;

  await make("a");
  for (const n of ["b", "c", "d"]) await make(n);
  await until("first convergence", quiet);
  // c crashes and restarts from its state file.
  clients.get("c")!.stop();
  await make("e");
  await make("c");
  await until("convergence after restart", quiet);
  // The DC's next append is lost with its connection: it must land once.
  ds.loseNextAppendOf = 1;
  await make("f");
  await until("convergence after a lost append", quiet);
  // b leaves; the DS restarts (every connection drops).
  clients.get("b")!.leave();
  ds.dropAll();
  await until("convergence after a leave and a DS restart", quiet, 20000).catch((e) => {
    throw new Error(`${(e as Error).message}\n${events.slice(-30).join("\n")}`);
  });
  const got: string[] = [];
  for (const [n, c] of clients) if (n !== "a") c.on((e) => e.type === "message" && got.push(`${n}:${e.text}`));
  await clients.get("a")!.send("hello from a");
  await until("the message everywhere", () => got.length === alive().length - 1);

  const recordings = new Map<Uid, RecordedStep[]>();
  for (const [n] of clients) recordings.set(uids.get(n)!, readRecording(join(dir, `${tag}-${n}.steps.jsonl`)));
  for (const c of clients.values()) c.stop();
  return { ds, clients, alive: alive(), got, merged: mergeRun(ds.log, recordings, { variant, quiesced: true }), events };
}

describe("the network client over an in-memory DS", () => {
  it("converges through joins, a crash and restart, a lost append, a leave and a DS restart; a message reaches all", async () => {
    const r = await run("Correct", "ok");
    const views = r.alive.map((c) => c.view!);
    expect(new Set(views.map((v) => `${v.epoch} ${v.safetyNumber}`)).size).toBe(1);
    expect(views[0]!.members).toEqual([1, 3, 4, 5, 6]);
    expect(r.got.sort()).toEqual(["c:hello from a", "d:hello from a", "e:hello from a", "f:hello from a"]);
    // The lost append landed exactly once: one Add per joiner, one Remove.
    expect(r.ds.log.filter((e) => e.type === "add").map((e) => (e as { target: number }).target)).toEqual([2, 3, 4, 5, 6]);
    expect(r.ds.log.filter((e) => e.type === "remove").length).toBe(1);
    expect(r.merged.order.filter((s) => s.startsWith("Read")).length).toBeGreaterThan(20);
  }, 60000);

  it.skipIf(skipWithoutTlc)("its merged run is a behaviour of the model (TLC); with IgnoreRemoves in the clients it is not", async () => {
    const ok = await run("Correct", "tlc-ok");
    const accepted = await validateRun(ok.merged.trace, { name: "client-memory-ok", variant: "Correct", jar: testJar(), explain: false });
    expect(accepted.accepted).toBe(true);
    // Known-bad: the DC never removes b. The members agree (one epoch, one safety
    // number), with b still in the group; TLC refuses the run's claim to be done.
    const bad = await run("IgnoreRemoves", "tlc-bad");
    expect(bad.alive[0]!.view!.members).toContain(2);
    const rejected = await validateRun(bad.merged.trace, { name: "client-memory-bad", variant: "Correct", jar: testJar(), explain: false });
    expect(rejected.accepted).toBe(false);
  }, 120000);

  it("a client announced as left while it was down is fenced on restart: it stops, the others remove it, the merge accepts", async () => {
    const ds = new MemoryDs();
    const mk = (name: string) =>
      new NetworkClient({ room: "r", connect: ds.connect, store: fileStore(join(dir, `z-${name}.json`)), recorder: new StepRecorder(join(dir, `z-${name}.steps.jsonl`)), backoff: { first: 5, max: 20 } });
    const a = mk("a");
    const b = mk("b");
    let c = mk("c");
    for (const x of [a, b, c]) await x.start();
    const quiet = (xs: NetworkClient[]) => xs.every((x) => x.state!.cursor === ds.log.length && x.view) && new Set(xs.map((x) => x.view!.safetyNumber)).size === 1;
    await until("three members", () => quiet([a, b, c]) && a.view!.members.length === 3);
    c.stop(); // a crash: the DS presumes it dead
    ds.announceLeft(3);
    c = mk("c");
    const events: string[] = [];
    c.on((e) => e.type === "left" && events.push(e.reason));
    await c.start();
    await until("c fenced", () => events.length > 0);
    expect(events).toEqual(["fenced"]);
    expect(c.hasLeft).toBe(true);
    await until("a and b without c", () => quiet([a, b]) && a.view!.members.join() === "1,2");
    const rec = new Map([1, 2, 3].map((u) => [u, readRecording(join(dir, `z-${"abc"[u - 1]}.steps.jsonl`))] as const));
    for (const x of [a, b]) x.stop();
    const merged = mergeRun(ds.log, rec, { quiesced: true });
    expect(merged.order).toContain("Leave(3)");
    expect(merged.order.filter((s) => s.startsWith("DcRemove")).length).toBe(1);
  }, 30000);

  // @spec DCA!Revive R15 R2
  it("a dead room revives over the network: the next user creates a new group, the one after joins it; TLC accepts the merged run", async () => {
    const ds = new MemoryDs();
    const mk = (name: string) =>
      new NetworkClient({ room: "r", connect: ds.connect, store: fileStore(join(dir, `rv-${name}.json`)), recorder: new StepRecorder(join(dir, `rv-${name}.steps.jsonl`)), backoff: { first: 5, max: 20 } });
    const quiet = (xs: NetworkClient[]) => xs.every((x) => x.state!.cursor === ds.log.length && x.view) && new Set(xs.map((x) => x.view!.safetyNumber)).size === 1;
    const a = mk("a");
    await a.start();
    const first = a.view!.safetyNumber;
    a.leave();
    await until("a's left", () => ds.log.some((e) => e.type === "left" && e.uid === 1));
    const b = mk("b");
    const revived: ClientEvent[] = [];
    b.on((e) => e.type === "revived" && revived.push(e));
    await b.start();
    await until("b revives the dead room", () => revived.length === 1);
    expect(revived).toEqual([{ type: "revived", uid: 2, logLength: 2 }]);
    const c = mk("c");
    await c.start();
    await until("b and c in b's group", () => quiet([b, c]) && b.view!.members.join() === "2,3");
    expect(c.view!.safetyNumber).not.toBe(first);
    expect(ds.log.map((e) => `${e.type} ${"uid" in e ? e.uid : e.target}`)).toEqual(["left 1", "joined 2", "joined 3", "welcome 3", "add 3"]);
    const rec = new Map([1, 2, 3].map((u) => [u, readRecording(join(dir, `rv-${"abc"[u - 1]}.steps.jsonl`))] as const));
    for (const x of [b, c]) x.stop();
    const merged = mergeRun(ds.log, rec, { quiesced: true });
    expect(merged.order).toContain("Revive(2)");
    if (skipWithoutTlc) return;
    const verdict = await validateRun(merged.trace, { name: "client-memory-revive", variant: "Correct", jar: testJar(), explain: false });
    expect(verdict.accepted).toBe(true);
  }, 60000);
});
