// The delivery service and R16's `skipped` entry, on every storage backend (memory,
// SQLite, Redis), over a real WebSocket: a DC's skip of a joiner that arrived and left
// lands like any append (idempotent per (uid, id)); a skip the log contradicts is
// refused with `bad-skip`, naming the field and why, and nothing is appended. The DS
// reads envelopes only (impl/ds/protocol.ts skipRefusal), never MLS. Teeth: each refusal
// is followed by a look at the whole log, which an accepted skip would have lengthened.
// Budget: about 3 s (one redis-server of its own).

import { describe, expect, it } from "vitest";
import { skipRefusal } from "../impl/ds/protocol.ts";
import { add, observeLog, RawClient } from "./ds-harness.ts";
import { dsForSuite, storageBackends } from "./ds-storages.ts";

const backends = storageBackends("ds-skip-");

const skipped = (uid: number, sender: number) => ({ type: "skipped", uid, sender });

describe.each(backends)("R16 skips on %s storage", (name, open) => {
  const on = dsForSuite(open);

  // @spec DCA!DcSkip R16
  it("accepts the skip of a joiner that arrived and left, once; refuses skips the log contradicts, naming why", async () => {
    const r = `skip-${name}`;
    const a = await RawClient.open(on.ds.url);
    await a.join(r); // 1, the DC
    const b = await RawClient.open(on.ds.url);
    await b.join(r, "QkI="); // 2: arrives (index 0) ...
    b.send({ t: "leave" }); // ... and leaves (index 1) before anyone added it
    await a.next((f) => f.t === "entry" && f.index === 1);
    const c = await RawClient.open(on.ds.url);
    await c.join(r, "Q0M="); // 3: present, never leaves

    const refused = async (id: string, entry: object, why: RegExp, code = "bad-skip") => {
      a.send({ t: "append", id, entry });
      expect(await a.kind("error")).toMatchObject({ code, id, reason: expect.stringMatching(why) });
    };
    await refused("s1", skipped(4, 1), /field entry\.uid: user 4 has no `joined` on the log/);
    // A skip of 3, joined and not left, would be taken: a DC skips a joiner whose KeyPackage reached it garbled (test/refusal-ds.test.ts).
    await refused("s3", skipped(1, 1), /field entry\.uid: user 1 has no `joined`/); // the creator never joined
    await refused("s4", skipped(2, 3), /field entry\.sender: 3 is not this connection's user 1/, "bad-sender");
    await refused("s5", { type: "skipped", uid: "2", sender: 1 }, /field entry\.uid: expected an integer >= 1/, "malformed");
    expect(await observeLog(on.ds.url, r)).toHaveLength(3); // joined 2, left 2, joined 3: nothing appended

    a.send({ t: "append", id: "ok", entry: skipped(2, 1) });
    expect(await a.kind("ack")).toEqual({ t: "ack", id: "ok", index: 3 });
    expect(await c.next((f) => f.t === "entry" && f.index === 3)).toMatchObject({ entry: skipped(2, 1) });
    a.send({ t: "append", id: "ok", entry: skipped(2, 1) }); // a retry of the landed append: its index again
    expect(await a.kind("ack")).toEqual({ t: "ack", id: "ok", index: 3 });
    await refused("again", skipped(2, 1), /field entry\.uid: user 2 was already skipped at index 3/);

    // A joiner that was added and then left is removed, not skipped.
    a.send({ t: "append", id: "add3", entry: add(1, 3) });
    await a.kind("ack");
    c.send({ t: "leave" });
    await a.next((f) => f.t === "entry" && (f.entry as { type?: string }).type === "left" && (f.entry as { uid?: number }).uid === 3);
    await refused("s6", skipped(3, 1), /field entry\.uid: user 3 was added at index 4 \(a member that left is removed, not skipped\)/);
    expect((await observeLog(on.ds.url, r)).map((e) => `${String(e.type)} ${String(e.uid ?? e.target)}`)).toEqual(["joined 2", "left 2", "joined 3", "skipped 2", "add 3", "left 3"]);
    for (const x of [a, b, c]) x.close();
  });
});

describe("skipRefusal reads envelopes only", () => {
  it("joined, left, no add and no earlier skip: accepted; each missing or extra entry named", () => {
    const log = [{ type: "joined", uid: 2, keyPackage: "AA==" }, { type: "left", uid: 2 }] as const;
    expect(skipRefusal(log, 2, 1)).toBeNull();
    expect(skipRefusal(log.slice(0, 1), 2, 1)).toBeNull(); // no `left` needed (test/refusal-ds.test.ts)
    expect(skipRefusal([...log, { type: "skipped", uid: 2, sender: 1 }], 2, 1)).toMatch(/already skipped at index 2/);
    expect(skipRefusal([log[0], { type: "add", target: 2, epoch: 0, sender: 1, parent: 0 }, log[1]], 2, 1)).toMatch(/was added at index 1/);
  });
});
