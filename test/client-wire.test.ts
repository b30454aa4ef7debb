// The client's side of the wire (impl/client/ds-link.ts): frames from the DS that
// are not what the protocol says are reported and dropped, never trusted; entries
// carry their MLS bytes as base64 both ways; an append resolves with the index of
// its ack and fails when the connection closes or the user is fenced.

import { describe, expect, it } from "vitest";
import { entryFromWire, entryToWire, linkOver } from "../impl/client/ds-link.ts";
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
});
