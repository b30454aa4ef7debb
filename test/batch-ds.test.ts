// The delivery service and batched entries (spec/delivery-service.md, spec/batching.md
// section 4), on every storage backend (memory, SQLite, Redis): a malformed `targets` list
// is refused with `malformed`, naming the field and why, and nothing is appended; a
// well-formed batched entry is stored and relayed exactly as sent, beside single-target
// entries (logs stored before batching read unchanged); a `skipped` of a user a batched
// `add` lists is refused. Teeth: without the list check each bad append would be acked
// and the log would grow. Budget: 10 s (about 2 s measured here).
import { describe, expect, it } from "vitest";
import { observeLog, RawClient } from "./ds-harness.ts";
import { dsForSuite, storageBackends } from "./ds-storages.ts";

const backends = storageBackends("batch-ds-");
let n = 0;

describe.each(backends)("batched entries on %s storage", (_name, open) => {
  const on = dsForSuite(open);

  /** A room with its creator (UID 1) and users 2 and 3 arrived; returns the creator's connection. */
  async function room() {
    const r = `batch-${++n}`;
    const a = await RawClient.open(on.ds.url);
    await a.join(r);
    const others = [await RawClient.open(on.ds.url), await RawClient.open(on.ds.url)];
    for (const c of others) await c.join(r, "S1BL");
    return { r, a, close: () => [a, ...others].forEach((c) => c.ws.close()) };
  }
  const add = (target: number, targets: unknown) => ({ type: "add", target, targets, epoch: 0, sender: 1, parent: 0, commit: "AAEC" });

  it("refuses a malformed list, naming the field and why, and appends nothing", async () => {
    const { r, a, close } = await room();
    const bad: [unknown, number, RegExp][] = [
      [[], 2, /field entry\.targets: an empty list/],
      [[3, 2], 3, /field entry\.targets: not ascending \(3 before 2\)/],
      [[2, 2], 2, /field entry\.targets: UID 2 is repeated/],
      [[2, "3"], 2, /field entry\.targets: element 1 is "3", not an integer UID/],
      [[2, 0], 2, /field entry\.targets: element 1 is 0, not an integer UID >= 1/],
      [[2, 3], 3, /field entry\.targets: its first UID 2 is not the entry's target 3/],
      ["2", 2, /field entry\.targets: expected an array of UIDs/],
    ];
    for (const [i, [targets, target, why]] of bad.entries()) {
      a.send({ t: "append", id: `bad-${i}`, entry: add(target, targets) });
      expect(await a.kind("error")).toMatchObject({ code: "malformed", id: `bad-${i}`, reason: expect.stringMatching(why) });
    }
    expect(await observeLog(on.ds.url, r)).toHaveLength(2); // the `joined` of 2 and 3 only
    close();
  });

  it("stores and relays a batched Welcome and Add as sent, beside a single-target entry", async () => {
    const { r, a, close } = await room();
    const welcome = { type: "welcome", target: 2, targets: [2, 3], epoch: 1, sender: 1, members: [1, 2, 3], removes: [], welcome: "AAEC" };
    const single = { type: "remove", target: 3, epoch: 1, sender: 1, parent: 1, commit: "AAEC" };
    for (const [i, entry] of [welcome, add(2, [2, 3]), single].entries()) {
      a.send({ t: "append", id: `ok-${i}`, entry });
      expect(await a.kind("ack")).toEqual({ t: "ack", id: `ok-${i}`, index: 2 + i });
    }
    expect((await observeLog(on.ds.url, r)).slice(2)).toEqual([welcome, add(2, [2, 3]), single]);
    close();
  });

  it("refuses a skip of a user a batched add lists (it was added, not skipped)", async () => {
    const { a, close } = await room();
    a.send({ t: "append", id: "add", entry: add(2, [2, 3]) });
    await a.kind("ack");
    a.send({ t: "append", id: "skip", entry: { type: "skipped", uid: 3, sender: 1 } });
    expect(await a.kind("error")).toMatchObject({ code: "bad-skip", id: "skip", reason: expect.stringMatching(/user 3 was added at index 2/) });
    close();
  });
});
