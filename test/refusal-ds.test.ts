// The delivery service and the skip of a refused joiner (R16, spec/welcome-auth.md section 5,
// spec/delivery-service.md), on every storage backend over a real WebSocket: a DC's `skipped`
// of a joiner that arrived and has NOT left lands (the DC refused that joiner's KeyPackage; the
// DS, which never parses MLS, cannot tell); a skip from a user that did not arrive before the
// joiner, a second skip, and a skip of a user that was added are still refused with
// `bad-skip`, naming why, and nothing is appended. Teeth: each refusal is followed by a look
// at the whole log, which an accepted skip would have lengthened; the unit test pins each
// refusal of skipRefusal by its message. Budget: about 3 s (one redis-server of its own).

import { describe, expect, it } from "vitest";
import { presentAt, skippedOnLog, skipRefusal, type WireEntry } from "../impl/ds/protocol.ts";
import { add, observeLog, RawClient } from "./ds-harness.ts";
import { dsForSuite, storageBackends } from "./ds-storages.ts";

const backends = storageBackends("refusal-ds-");

const skipped = (uid: number, sender: number) => ({ type: "skipped", uid, sender });

describe.each(backends)("the skip of a refused joiner on %s storage", (name, open) => {
  const on = dsForSuite(open);

  // @spec DCA!DcSkip R16
  it("lands without a `left` of the joiner; a skip by a later arrival, a second skip, a skip of an added user are refused", async () => {
    const r = `refusal-${name}`;
    const a = await RawClient.open(on.ds.url);
    await a.join(r); // 1, the DC
    const b = await RawClient.open(on.ds.url);
    await b.join(r, "QkI="); // 2: arrives (index 0) and stays; its KeyPackage reaches the DC garbled
    const c = await RawClient.open(on.ds.url);
    await c.join(r, "Q0M="); // 3: arrives (index 1)

    const refused = async (who: RawClient, id: string, entry: object, why: RegExp) => {
      who.send({ t: "append", id, entry });
      expect(await who.kind("error")).toMatchObject({ code: "bad-skip", id, reason: expect.stringMatching(why) });
    };
    // 3 arrived after 2: no DC of 3's tracks 2, so 3 cannot skip it.
    await refused(c, "later", skipped(2, 3), /field entry\.uid: user 2 did not arrive after the sender, user 3/);
    expect(await observeLog(on.ds.url, r)).toHaveLength(2);

    a.send({ t: "append", id: "skip2", entry: skipped(2, 1) });
    expect(await a.kind("ack")).toEqual({ t: "ack", id: "skip2", index: 2 });
    expect(await b.next((f) => f.t === "entry" && f.index === 2)).toMatchObject({ entry: skipped(2, 1) });
    await refused(a, "again", skipped(2, 1), /field entry\.uid: user 2 was already skipped at index 2/);

    a.send({ t: "append", id: "add3", entry: add(1, 3) });
    await a.kind("ack");
    await refused(a, "added", skipped(3, 1), /field entry\.uid: user 3 was added at index 3/);
    // The skipped user leaves (its client stopped): the DS announces no `left` for it, and a
    // user arriving now is not told it is present; 3, not skipped, leaves as usual.
    b.send({ t: "leave" });
    await b.sync();
    const d = await RawClient.open(on.ds.url);
    expect(await d.join(r, "RETE")).toMatchObject({ uid: 4, present: [1, 3] });
    c.send({ t: "leave" });
    await a.next((f) => f.t === "entry" && f.index === 5);
    expect((await observeLog(on.ds.url, r)).map((e) => `${String(e.type)} ${String(e.uid ?? e.target)}`)).toEqual(["joined 2", "joined 3", "skipped 2", "add 3", "joined 4", "left 3"]);
    for (const x of [a, b, c, d]) x.close();
  });
});

describe("presentAt and skippedOnLog: a skipped user is neither present nor announced", () => {
  it("a user skipped before an arrival is not present for it; skippedOnLog says whom the DS never announces", () => {
    const log = [{ type: "joined", uid: 2, keyPackage: "AA==" }, { type: "skipped", uid: 2, sender: 1 }, { type: "joined", uid: 3, keyPackage: "AA==" }] as WireEntry[];
    expect(presentAt(log, 2, 3)).toEqual([1]);
    expect(presentAt(log.slice(0, 1), 1, 3)).toEqual([1, 2]); // before the skip: present
    expect([skippedOnLog(log, 2), skippedOnLog(log, 3)]).toEqual([true, false]);
  });
});

describe("skipRefusal: the skip of a joiner that has not left", () => {
  const joined = (uid: number): WireEntry => ({ type: "joined", uid, keyPackage: "AA==" });
  it("accepted from an earlier arrival; refused from the joiner itself or a later one, and for a user never joined, added, or skipped", () => {
    const log = [joined(2), joined(3)];
    expect(skipRefusal(log, 2, 1)).toBeNull();
    expect(skipRefusal(log, 3, 2)).toBeNull();
    expect(skipRefusal(log, 2, 2)).toMatch(/user 2 did not arrive after the sender, user 2/);
    expect(skipRefusal(log, 2, 3)).toMatch(/user 2 did not arrive after the sender, user 3/);
    expect(skipRefusal(log, 4, 1)).toMatch(/user 4 has no `joined` on the log/);
    expect(skipRefusal([...log, { type: "add", target: 2, epoch: 0, sender: 1, parent: 0 } as WireEntry], 2, 1)).toMatch(/user 2 was added at index 2/);
    expect(skipRefusal([...log, { type: "skipped", uid: 2, sender: 1 }], 2, 1)).toMatch(/user 2 was already skipped at index 2/);
  });
});
