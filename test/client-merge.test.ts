// The merge of a networked run (conformance/validate/network-merge.ts, spec/network.md):
// appends at their log index, each client's steps in order, reads after the entry
// they read; and the runs it must refuse — an entry nobody recorded, a recording
// that skips an index, a DC step that never reached the log (allowed only as the
// last steps of a user announced as left).

import { describe, expect, it } from "vitest";
import { MemberCore } from "../impl/client/core.ts";
import type { RecordedStep } from "../impl/client/step-record.ts";
import type { LogEntry, Uid } from "../impl/types.ts";
import { MergeError, mergeRun } from "../conformance/validate/network-merge.ts";

/** A tiny run with MLS off: user 2 joins and is added by user 1, each recording its steps. */
async function tinyRun() {
  const opts = (uid: Uid) => ({ uid, variant: "Correct" as const, ctx: null, keyPackageOf: () => new Uint8Array() });
  const log: LogEntry[] = [];
  const rec = new Map<Uid, RecordedStep[]>([[1, []], [2, []]]);
  const a = MemberCore.start(opts(1), 0);
  log.push({ type: "joined", uid: 2 });
  const b = MemberCore.start(opts(2), 1);
  const read = async (c: MemberCore) => {
    const i = c.state.cursor;
    await c.read(log[i]!);
    rec.get(c.uid)!.push({ uid: c.uid, action: "Read", logIndex: i, state: c.state });
  };
  const dc = async (action: "DcWelcome" | "DcAdd") => {
    const e = await a.takeDcStep(action, 2);
    rec.get(1)!.push({ uid: 1, action, target: 2, logIndex: -1, state: a.state });
    log.push(e);
  };
  await read(a);
  await dc("DcWelcome");
  await dc("DcAdd");
  await read(b);
  await read(b);
  return { log, rec };
}

describe("merging a networked run", () => {
  it("places appends at their index and reads after the entry they read", async () => {
    const { log, rec } = await tinyRun();
    const m = mergeRun(log, rec, { quiesced: false });
    expect(m.order).toEqual(["Join(2)", "Read(1)", "DcWelcome(1 → 2)", "DcAdd(1 → 2)", "Read(2)", "Read(2)"]);
    expect(m.trace.states.length).toBe(7);
  });

  it("refuses an entry on the log that its sender never recorded", async () => {
    const { log, rec } = await tinyRun();
    rec.set(1, rec.get(1)!.filter((s) => s.action !== "DcAdd"));
    expect(() => mergeRun(log, rec)).toThrow(MergeError);
    expect(() => mergeRun(log, rec)).toThrow(/log index 2: a add by user 1 that user 1 never recorded/);
  });

  it("refuses a recording that skips a log index", async () => {
    const { log, rec } = await tinyRun();
    rec.set(2, rec.get(2)!.slice(1));
    expect(() => mergeRun(log, rec)).toThrow(/user 2's recording: a read of log index 2, but its cursor is 1/);
  });

  it("drops a DC step that never reached the log only for a user announced as left", async () => {
    const { log, rec } = await tinyRun();
    const unlanded = { ...rec.get(1)!.at(-1)!, action: "DcRemove", target: 2 };
    rec.get(1)!.push(unlanded);
    expect(() => mergeRun(log, rec)).toThrow(/DcRemove\(1 → 2\) has no entry on the log/);
    const m = mergeRun([...log, { type: "left", uid: 1 }], rec);
    expect(m.dropped).toBe(1);
    expect(m.order.at(-1)).toBe("Leave(1)");
  });
});
