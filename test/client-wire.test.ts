// The client's side of the wire (impl/client/ds-link.ts): frames from the DS that
// are not what the protocol says are reported and dropped, never trusted; entries
// carry their MLS bytes as base64 both ways; an append resolves with the index of
// its ack and fails when the connection closes or the user is fenced; a new user's
// list of the users present (R2, R15) is checked before the user starts on it.

import { describe, expect, it } from "vitest";
import { entryFromWire, entryToWire, linkOver } from "../impl/client/ds-link.ts";
import { BadPresentList, checkPresent } from "../impl/client/errors.ts";
import type { LinkHandlers } from "../impl/client/link.ts";
import type { ClientSocket } from "../impl/client/socket.ts";
import type { LogEntry } from "../impl/types.ts";

function fake() {
  const sent: Record<string, unknown>[] = [];
  let onMessage: (t: string) => void = () => {};
  let onClose: (w: string) => void = () => {};
  const socket: ClientSocket = {
    send: (t) => sent.push(JSON.parse(t) as Record<string, unknown>),
    close: () => onClose("closed by test"),
    onMessage: (cb) => (onMessage = cb),
    onClose: (cb) => (onClose = cb),
  };
  const seen = { entries: [] as [number, LogEntry][], refused: [] as string[], fenced: [] as string[], closed: [] as string[] };
  const handlers: LinkHandlers = {
    entry: (i, e) => seen.entries.push([i, e]),
    broadcast: () => {},
    fenced: (r) => seen.fenced.push(r),
    refused: (r) => seen.refused.push(r),
    closed: (w) => seen.closed.push(w),
  };
  const link = linkOver(socket, handlers);
  return { link, sent, seen, deliver: (m: unknown) => onMessage(typeof m === "string" ? m : JSON.stringify(m)), drop: () => onClose("dropped") };
}

describe("the client's wire side", () => {
  it("reports and drops frames that are not the protocol's", () => {
    const f = fake();
    f.deliver("{not json");
    f.deliver({ t: "entry", entry: { type: "left", uid: 2 } });
    f.deliver({ t: "ack", id: "nobody", index: 3 });
    f.deliver({ t: "surprise" });
    f.deliver({ t: "ready", uid: 2, head: 0 });
    expect(f.seen.refused).toEqual([
      expect.stringMatching(/not JSON/),
      expect.stringMatching(/"entry" frame without index/),
      expect.stringMatching(/"ack" for no pending append/),
      expect.stringMatching(/unknown kind "surprise"/),
      expect.stringMatching(/unexpected "ready"/),
    ]);
    expect(f.seen.entries).toEqual([]);
  });

  it("carries MLS bytes as base64 both ways", () => {
    const e: LogEntry = { type: "add", target: 3, epoch: 2, sender: 1, parent: 1, commit: new Uint8Array([0, 255, 7]) };
    const wire = entryToWire(e);
    expect(typeof wire.commit).toBe("string");
    expect(entryFromWire(JSON.parse(JSON.stringify(wire)) as Record<string, unknown>)).toEqual(e);
    const f = fake();
    f.deliver({ t: "entry", index: 4, entry: wire });
    expect(f.seen.entries).toEqual([[4, e]]);
  });

  it("an append resolves with its ack's index, and fails when fenced or when the connection drops", async () => {
    const f = fake();
    const e: LogEntry = { type: "remove", target: 2, epoch: 1, sender: 1, parent: 1 };
    const ok = f.link.append(e, "1:1");
    expect(f.sent.at(-1)).toMatchObject({ t: "append", id: "1:1", entry: { type: "remove", target: 2 } });
    f.deliver({ t: "ack", id: "1:1", index: 9 });
    await expect(ok).resolves.toBe(9);
    const fenced = f.link.append(e, "1:2");
    f.deliver({ t: "fenced", reason: "announced as left" });
    await expect(fenced).rejects.toThrow(/fenced: announced as left/);
    expect(f.seen.fenced).toEqual(["announced as left"]);
    const lost = f.link.append(e, "1:3");
    f.drop();
    await expect(lost).rejects.toThrow(/connection dropped/);
    expect(f.seen.closed).toEqual(["dropped"]);
  });

  // @spec DCA!Join R2 R15
  it("a new user takes the DS's list of the users present only if it is earlier UIDs, increasing", async () => {
    const join = (present: unknown) => {
      const f = fake();
      const joined = f.link.joinNew("r", async () => new Uint8Array([1]));
      f.deliver({ t: "assigned", uid: 4 });
      f.deliver({ t: "ready", uid: 4, head: 5, joinedAt: 4, ...(present === undefined ? {} : { present }) });
      return { joined, f };
    };
    const ok = join([1, 3]);
    await expect(ok.joined).resolves.toEqual({ uid: 4, head: 5, joinedAt: 4, present: [1, 3] });
    expect(ok.f.seen.refused).toEqual([]);
    const bad: [unknown, RegExp][] = [
      [undefined, /field present: expected an array of UIDs, got undefined/],
      ["1,3", /expected an array of UIDs/],
      [[1, 4], /entry 1 is 4, not a UID of an earlier user \(1\.\.3\)/],
      [[0], /entry 0 is 0, not a UID/],
      [[1.5], /entry 0 is 1\.5, not a UID/],
      [[3, 1], /entry 1 \(1\) does not follow 3: UIDs must increase, each once/],
      [[2, 2], /does not follow 2/],
    ];
    for (const [present, message] of bad) {
      const { joined, f } = join(present);
      const error = await joined.catch((e: unknown) => e);
      expect(error, JSON.stringify(present)).toBeInstanceOf(BadPresentList);
      expect((error as Error).message).toMatch(/^the DS's "ready" answer for new user 4: field present: /);
      expect((error as Error).message).toMatch(message);
      expect(f.seen.refused).toEqual([(error as Error).message]);
    }
    // A resume and the creator get no list, and none is asked of them.
    const f = fake();
    const resumed = f.link.resume("r", 2, 7);
    f.deliver({ t: "ready", uid: 2, head: 9, joinedAt: null });
    await expect(resumed).resolves.toEqual({ uid: 2, head: 9, joinedAt: null, present: [] });
    expect(checkPresent(2, [1])).toEqual([1]);
  });
});
