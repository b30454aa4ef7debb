// One suite, run against every storage backend of the delivery service (memory,
// SQLite, Redis): the guarantees of spec/delivery-service.md seen over a real
// WebSocket — the creator is UID 1 with no `joined`, UIDs increase, joins are
// serialized, appends are idempotent per (uid, id), every entry carries its
// index, resume from a cursor with the head, fencing after `left`, broadcast
// relayed and not stored, an observer reads the whole log.

import { describe, expect, it } from "vitest";
import { add, observeLog, RawClient } from "./ds-harness.ts";
import { dsForSuite, storageBackends } from "./ds-storages.ts";

const backends = storageBackends("ds-storage-");

describe.each(backends)("delivery service on %s storage", (_name, open) => {
  const on = dsForSuite(open);
  let n = 0;
  const room = () => `room-${_name}-${++n}`;

  it("the creator is UID 1 with no joined entry; the next user is UID 2 at index 0", async () => {
    const r = room();
    const a = await RawClient.open(on.ds.url);
    expect(await a.join(r)).toMatchObject({ uid: 1, head: 0, joinedAt: null });
    const b = await RawClient.open(on.ds.url);
    expect(await b.join(r, "S1BL")).toMatchObject({ uid: 2, head: 1, joinedAt: 0 });
    expect(await a.kind("entry")).toEqual({ t: "entry", index: 0, entry: { type: "joined", uid: 2, keyPackage: "S1BL" } });
    expect(await observeLog(on.ds.url, r)).toEqual([{ type: "joined", uid: 2, keyPackage: "S1BL" }]);
    a.close();
    b.close();
  });

  it("joins are serialized: a second hello is assigned only after the first joins, and UIDs increase", async () => {
    const r = room();
    const a = await RawClient.open(on.ds.url);
    await a.join(r);
    const b = await RawClient.open(on.ds.url);
    const c = await RawClient.open(on.ds.url);
    b.send({ t: "hello", room: r });
    expect(await b.kind("assigned")).toEqual({ t: "assigned", uid: 2 });
    c.send({ t: "hello", room: r });
    await c.sync();
    expect(c.frames.some((f) => f.t === "assigned")).toBe(false);
    b.send({ t: "join", keyPackage: "QkI=" });
    expect(await c.kind("assigned")).toEqual({ t: "assigned", uid: 3 });
    c.send({ t: "join", keyPackage: "Q0M=" });
    await c.kind("ready");
    expect((await observeLog(on.ds.url, r)).map((e) => e.uid)).toEqual([2, 3]);
    // A reservation whose connection closes before join goes, with the same UID, to the next hello.
    const d = await RawClient.open(on.ds.url);
    const e = await RawClient.open(on.ds.url);
    d.send({ t: "hello", room: r });
    expect(await d.kind("assigned")).toEqual({ t: "assigned", uid: 4 });
    e.send({ t: "hello", room: r });
    d.close();
    expect(await e.kind("assigned")).toEqual({ t: "assigned", uid: 4 });
    for (const x of [a, b, c, e]) x.close();
  });

  // @spec DCA!Join R2 R15
  it("a new user is told who is present: every earlier user not announced as left (read off the log)", async () => {
    const r = room();
    const a = await RawClient.open(on.ds.url);
    expect(await a.join(r)).toMatchObject({ uid: 1, joinedAt: null, present: [] });
    const b = await RawClient.open(on.ds.url);
    expect(await b.join(r, "QkI=")).toMatchObject({ uid: 2, joinedAt: 0, present: [1] });
    const c = await RawClient.open(on.ds.url);
    expect(await c.join(r, "Q0M=")).toMatchObject({ uid: 3, joinedAt: 1, present: [1, 2] });
    a.send({ t: "leave" });
    await a.sync();
    const d = await RawClient.open(on.ds.url);
    expect(await d.join(r, "RA==")).toMatchObject({ uid: 4, present: [2, 3] });
    expect((await observeLog(on.ds.url, r)).map((e) => `${String(e.type)} ${String(e.uid)}`)).toEqual(["joined 2", "joined 3", "left 1", "joined 4"]);
    for (const x of [b, c, d]) x.close();
  });

  it("an append is acknowledged with its index, relayed with it to everyone, and a re-sent (uid, id) lands once", async () => {
    const r = room();
    const a = await RawClient.open(on.ds.url);
    await a.join(r);
    const b = await RawClient.open(on.ds.url);
    await b.join(r);
    await a.kind("entry");
    a.send({ t: "append", id: "x1", entry: add(1, 2) });
    expect(await a.kind("ack")).toEqual({ t: "ack", id: "x1", index: 1 });
    expect(await a.kind("entry")).toMatchObject({ index: 1, entry: add(1, 2) });
    expect(await b.kind("entry")).toMatchObject({ index: 1, entry: add(1, 2) });
    a.send({ t: "append", id: "x1", entry: add(1, 2) });
    expect(await a.kind("ack")).toEqual({ t: "ack", id: "x1", index: 1 });
    // the same id from another user is another append
    b.send({ t: "append", id: "x1", entry: add(2, 1) });
    expect(await b.kind("ack")).toEqual({ t: "ack", id: "x1", index: 2 });
    expect(await observeLog(on.ds.url, r)).toHaveLength(3);
    a.close();
    b.close();
  });

  it("a returning user resumes from its cursor and learns the head", async () => {
    const r = room();
    const a = await RawClient.open(on.ds.url);
    await a.join(r);
    for (const id of ["1", "2", "3"]) {
      a.send({ t: "append", id, entry: add(1, 2) });
      await a.kind("ack");
    }
    a.close();
    const again = await RawClient.open(on.ds.url);
    again.send({ t: "hello", room: r, uid: 1, cursor: 1 });
    expect(await again.kind("ready")).toEqual({ t: "ready", uid: 1, head: 3, joinedAt: null, present: [] });
    expect((await again.kind("entry")).index).toBe(1);
    expect((await again.kind("entry")).index).toBe(2);
    await again.sync();
    expect(again.frames.filter((f) => f.t === "entry")).toEqual([]);
    again.close();
  });

  it("after its left, a user is fenced: appends refused, resume refused, even on a new connection", async () => {
    const r = room();
    const a = await RawClient.open(on.ds.url);
    await a.join(r);
    const b = await RawClient.open(on.ds.url);
    await b.join(r);
    b.send({ t: "leave" });
    expect(await a.next((f) => f.t === "entry" && (f.entry as { type: string }).type === "left")).toMatchObject({ index: 1, entry: { type: "left", uid: 2 } });
    b.send({ t: "append", id: "z", entry: add(2, 1) });
    expect(await b.kind("fenced")).toMatchObject({ t: "fenced" });
    const b2 = await RawClient.open(on.ds.url);
    b2.send({ t: "hello", room: r, uid: 2, cursor: 0 });
    expect(await b2.kind("fenced")).toMatchObject({ t: "fenced" });
    expect(await observeLog(on.ds.url, r)).toEqual([{ type: "joined", uid: 2 }, { type: "left", uid: 2 }]);
    // it may come back only as a new user
    expect(await b2.join(r)).toMatchObject({ uid: 3 });
    for (const x of [a, b, b2]) x.close();
  });

  it("broadcast goes to the room's other connections and is not stored", async () => {
    const r = room();
    const a = await RawClient.open(on.ds.url);
    await a.join(r);
    const b = await RawClient.open(on.ds.url);
    await b.join(r);
    const other = await RawClient.open(on.ds.url);
    await other.join(room());
    a.send({ t: "broadcast", data: "aGk=" });
    expect(await b.kind("broadcast")).toEqual({ t: "broadcast", from: 1, data: "aGk=" });
    await a.sync();
    await other.sync();
    expect(a.frames.concat(other.frames).some((f) => f.t === "broadcast")).toBe(false);
    expect(await on.storage.head(r)).toBe(1);
    for (const x of [a, b, other]) x.close();
  });
});
