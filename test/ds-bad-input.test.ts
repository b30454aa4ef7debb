// Bad input never crashes the delivery service or corrupts a log
// (spec/delivery-service.md, "Limits and refusals"): each case gets an `error`
// naming why, nothing is appended, and the same connection (or the room) goes on.
// Teeth: every case first checks the refusal code, then that the log is exactly
// what honest frames made of it — with a check removed the frame would be acked
// (or appended) and the assertion fails.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDs, type RunningDs } from "../impl/ds/server.ts";
import { MemoryStorage } from "../impl/ds/storage-memory.ts";
import { MAX_FRAME_BYTES, HARD_FRAME_BYTES } from "../impl/ds/protocol.ts";
import { add, observeLog, RawClient } from "./ds-harness.ts";

let ds: RunningDs;
const storage = new MemoryStorage();
let n = 0;
const room = () => `bad-${++n}`;
beforeAll(async () => {
  ds = await startDs({ storage, heartbeatMs: 60000, graceMs: 60000, rate: { perSecond: 20, burst: 30 } });
});
afterAll(async () => {
  await ds.close();
  await storage.close();
});

/** A room with its creator (UID 1) and a second user (UID 2, joined at index 0). */
async function twoUsers() {
  const r = room();
  const a = await RawClient.open(ds.url);
  await a.join(r);
  const b = await RawClient.open(ds.url);
  await b.join(r, "S1BL");
  return { r, a, b };
}

/** The connection still works: an honest append is acked at the expected index. */
async function stillServes(c: RawClient, sender: number, target: number, index: number) {
  c.send({ t: "append", id: `ok-${index}`, entry: add(sender, target) });
  expect(await c.kind("ack")).toEqual({ t: "ack", id: `ok-${index}`, index });
}

describe("the DS refuses bad input, names why, and goes on", () => {
  it("malformed JSON, a non-object, a binary frame", async () => {
    const { r, a, b } = await twoUsers();
    a.send("{not json");
    expect(await a.kind("error")).toMatchObject({ code: "malformed", reason: expect.stringMatching(/not JSON/) });
    a.send("[1,2]");
    expect(await a.kind("error")).toMatchObject({ code: "malformed", reason: expect.stringMatching(/JSON object/) });
    a.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await a.kind("error")).toMatchObject({ code: "malformed", reason: expect.stringMatching(/binary/) });
    await stillServes(a, 1, 2, 1);
    expect(await observeLog(ds.url, r)).toHaveLength(2);
    a.close();
    b.close();
  });

  it("an unknown kind and a field of the wrong type, named", async () => {
    const { r, a, b } = await twoUsers();
    a.send({ t: "shout" });
    expect(await a.kind("error")).toMatchObject({ code: "unknown-kind", reason: expect.stringMatching(/field t: unknown kind "shout"/) });
    a.send({ t: "append", id: "x1", entry: { ...add(1, 2), epoch: "zero" } });
    expect(await a.kind("error")).toMatchObject({ code: "malformed", id: "x1", reason: expect.stringMatching(/field entry\.epoch/) });
    a.send({ t: "append", id: "x2", entry: { ...add(1, 2), commit: "not base64!" } });
    expect(await a.kind("error")).toMatchObject({ code: "malformed", id: "x2", reason: expect.stringMatching(/field entry\.commit/) });
    a.send({ t: "append", id: "x3", entry: { ...add(1, 2), type: "merge" } });
    expect(await a.kind("error")).toMatchObject({ code: "malformed", id: "x3", reason: expect.stringMatching(/field entry\.type/) });
    a.send({ t: "hello", room: "no/slashes" });
    expect(await a.kind("error")).toMatchObject({ code: "malformed", reason: expect.stringMatching(/field room/) });
    await stillServes(a, 1, 2, 1);
    expect(await observeLog(ds.url, r)).toHaveLength(2);
    a.close();
    b.close();
  });

  it(`an oversize frame (> ${MAX_FRAME_BYTES} bytes) is refused by name; one past the hard limit closes only that socket`, async () => {
    const { r, a, b } = await twoUsers();
    a.send({ t: "broadcast", data: "A".repeat(MAX_FRAME_BYTES) });
    expect(await a.kind("error")).toMatchObject({ code: "oversize", reason: expect.stringMatching(/exceeds 1048576/) });
    expect(b.frames.some((f) => f.t === "broadcast")).toBe(false);
    await stillServes(a, 1, 2, 1);
    const c = await RawClient.open(ds.url);
    const closed = new Promise<number>((res) => c.ws.once("close", (code) => res(code)));
    c.ws.send("x".repeat(HARD_FRAME_BYTES + 1));
    expect(await closed).toBe(1009);
    await stillServes(b, 2, 1, 2);
    expect(await observeLog(ds.url, r)).toHaveLength(3);
    a.close();
    b.close();
  });

  it("join, append, broadcast or leave before hello: not-in-room", async () => {
    const c = await RawClient.open(ds.url);
    c.send({ t: "append", id: "early", entry: add(1, 2) });
    expect(await c.kind("error")).toMatchObject({ code: "not-in-room", id: "early" });
    c.send({ t: "broadcast", data: "AAAA" });
    expect(await c.kind("error")).toMatchObject({ code: "not-in-room" });
    c.send({ t: "leave" });
    expect(await c.kind("error")).toMatchObject({ code: "not-in-room" });
    c.send({ t: "join" });
    expect(await c.kind("error")).toMatchObject({ code: "not-in-room" });
    // The same connection then joins normally.
    expect(await c.join(room())).toMatchObject({ uid: 1 });
    c.close();
  });

  it("an observer may not append; a second hello is refused", async () => {
    const { r, a, b } = await twoUsers();
    const o = await RawClient.open(ds.url);
    o.send({ t: "hello", room: r, observe: true });
    await o.kind("ready");
    o.send({ t: "append", id: "o1", entry: add(1, 2) });
    expect(await o.kind("error")).toMatchObject({ code: "not-in-room", id: "o1" });
    a.send({ t: "hello", room: "elsewhere" });
    expect(await a.kind("error")).toMatchObject({ code: "already-in-room" });
    await stillServes(a, 1, 2, 1);
    expect(await observeLog(ds.url, r)).toHaveLength(2);
    for (const c of [a, b, o]) c.close();
  });

  it("an entry whose sender is not the connection's UID: bad-sender", async () => {
    const { r, a, b } = await twoUsers();
    b.send({ t: "append", id: "forged", entry: add(1, 2) });
    expect(await b.kind("error")).toMatchObject({ code: "bad-sender", id: "forged", reason: expect.stringMatching(/entry\.sender: 1 is not this connection's user 2/) });
    await stillServes(b, 2, 1, 1);
    expect((await observeLog(ds.url, r)).map((e) => e.type)).toEqual(["joined", "add"]);
    a.close();
    b.close();
  });

  it("joined or left appended by a client: reserved-entry", async () => {
    const { r, a, b } = await twoUsers();
    a.send({ t: "append", id: "j", entry: { type: "joined", uid: 9 } });
    expect(await a.kind("error")).toMatchObject({ code: "reserved-entry", id: "j" });
    a.send({ t: "append", id: "l", entry: { type: "left", uid: 2 } });
    expect(await a.kind("error")).toMatchObject({ code: "reserved-entry", id: "l" });
    await stillServes(a, 1, 2, 1);
    expect((await observeLog(ds.url, r)).map((e) => e.type)).toEqual(["joined", "add"]);
    a.close();
    b.close();
  });

  it("a client writing faster than 20 frames/s (burst 30) is rate-limited, then served again", async () => {
    const { r, a, b } = await twoUsers();
    for (let i = 0; i < 60; i++) a.send({ t: "ping" });
    await new Promise((res) => setTimeout(res, 300));
    const limited = a.frames.filter((f) => f.t === "error" && f.code === "rate-limited").length;
    const pongs = a.frames.filter((f) => f.t === "pong").length;
    expect(limited).toBeGreaterThan(20);
    expect(pongs).toBeLessThan(40);
    a.frames.length = 0;
    await new Promise((res) => setTimeout(res, 1600)); // the bucket refills
    await stillServes(a, 1, 2, 1);
    // The other connection was never limited.
    expect(b.frames.some((f) => f.code === "rate-limited")).toBe(false);
    expect(await observeLog(ds.url, r)).toHaveLength(2);
    a.close();
    b.close();
  });
});
