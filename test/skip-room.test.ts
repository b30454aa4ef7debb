// R16 on the in-process room, real MLS: a joiner that leaves before it is added is
// skipped (one `skipped` entry, no Welcome, Add or Remove for it), before its Welcome
// or between its Welcome and its Add (the prepared Commit discarded, the DC staying in
// its epoch, also across a crash of its client); and the known-bad NoSkip, the rule
// before R16, on the same steps spends a Welcome, an Add and a Remove (two more epochs)
// on it. Budget: about 5 s.
import { describe, expect, it } from "vitest";
import * as mls from "../impl/mls.ts";
import { Room } from "../impl/room.ts";
import { safetyNumber } from "../impl/safety-number.ts";
import type { Uid, Variant } from "../impl/types.ts";
import { addNext, catchUp } from "./room-steps.ts";

/** Every active member's safety number and MLS epoch. */
function numbers(room: Room): Map<Uid, { epoch: number; number: string }> {
  const out = new Map<Uid, { epoch: number; number: string }>();
  for (const u of room.uids()) {
    const g = room.group(u);
    if (room.state(u).status === "active" && g) out.set(u, { epoch: mls.epochOf(g), number: safetyNumber(mls.epochAuthenticator(g)) });
  }
  return out;
}

/** The DC takes the steps it would take on its own until it has none (as a client does). */
async function dcWork(room: Room, dc: Uid): Promise<string[]> {
  const taken: string[] = [];
  for (;;) {
    await catchUp(room, dc);
    const steps = room.enabledDcSteps().filter((s) => s.includes(`(${dc}`));
    const step = steps.find((s) => s.startsWith("DcSkip")) ?? steps.find((s) => s.startsWith("DcAdd")) ?? steps.find((s) => s.startsWith("DcRemove")) ?? steps[0];
    if (!step) return taken;
    taken.push(step);
    if (step.startsWith("DcSkip")) room.dcSkip(dc);
    else if (step.startsWith("DcWelcome")) await room.dcWelcome(dc);
    else if (step.startsWith("DcAdd")) room.dcAdd(dc);
    else if (step.startsWith("DcRemove")) await room.dcRemove(dc);
    else throw new Error(`unexpected step ${step}`);
  }
}

/** Users 1 and 2 in the group; user 3 arrives and leaves before the DC (1) has read its arrival. */
async function joinerLeavesBeforeWelcome(variant: Variant) {
  const room = await Room.create({ variant });
  await addNext(room, [1]);
  const t = await room.join();
  room.leave(t);
  const steps = await dcWork(room, 1);
  await catchUp(room, 2);
  return { room, t, steps };
}

const entriesFor = (room: Room, t: Uid) =>
  room.log.filter((e) => ("target" in e && e.target === t) || ((e.type === "skipped") && e.uid === t)).map((e) => e.type);

describe("R16: a joiner that leaves before its Welcome is skipped", () => {
  // @spec DCA!DcSkip R16
  it("one `skipped` entry, no Welcome, Add or Remove for it; one epoch and one safety number for all", async () => {
    const { room, t, steps } = await joinerLeavesBeforeWelcome("Correct");
    expect(steps).toEqual([`DcSkip(1 → ${t})`]);
    expect(entriesFor(room, t)).toEqual(["skipped"]);
    expect(room.log.at(-1)).toEqual({ type: "skipped", uid: t, sender: 1 });
    const n = numbers(room);
    expect([...n.values()].map((x) => x.epoch)).toEqual([1, 1]);
    expect(new Set([...n.values()].map((x) => x.number)).size).toBe(1);
    for (const u of [1, 2]) expect(room.state(u)).toMatchObject({ pendingAdds: [], pendingRemoves: [], adding: 0, epoch: 1 });
    expect(room.enabledDcSteps()).toEqual([]);
  });

  // @spec DCA!DcSkip R16 — teeth: the rule before R16 (known-bad NoSkip) on the same steps.
  it("NoSkip spends a Welcome, an Add and a Remove on it: two more epochs", async () => {
    const { room, t, steps } = await joinerLeavesBeforeWelcome("NoSkip");
    expect(steps).toEqual([`DcWelcome(1 → ${t})`, `DcAdd(1 → ${t})`, `DcRemove(1 → ${t})`]);
    expect(entriesFor(room, t)).toEqual(["welcome", "add", "remove"]);
    expect([...numbers(room).values()].map((x) => x.epoch)).toEqual([3, 3]);
  });

  // @spec DCA!DcSkip DCA!DcAdd R16 — mid-add: the Welcome is on the log, the Add is not.
  it("mid-add: the prepared Commit is discarded, the DC stays in its epoch and commits on from it", async () => {
    const room = await Room.create();
    await addNext(room, [1]);
    const t = await room.join();
    await catchUp(room, 1);
    await room.dcWelcome(1);
    const before = numbers(room).get(1)!;
    room.leave(t);
    await catchUp(room, 1);
    expect(room.enabledDcSteps()).toEqual([`DcSkip(1 → ${t})`]); // not DcAdd
    expect(() => room.dcAdd(1)).toThrow(/cannot take DC_ADD/);
    room.dcSkip(1);
    expect(room.state(1)).toMatchObject({ adding: 0, pendingAdds: [], pendingRemoves: [], epoch: 1 });
    expect(numbers(room).get(1)).toEqual(before);
    expect(entriesFor(room, t)).toEqual(["welcome", "skipped"]);
    // The next joiner is added by a Commit made from the DC's kept state: everyone processes it.
    const u = await room.join();
    expect(await dcWork(room, 1)).toEqual([`DcWelcome(1 → ${u})`, `DcAdd(1 → ${u})`]);
    for (const v of [2, u]) await catchUp(room, v);
    const n = numbers(room);
    expect([...n.keys()]).toEqual([1, 2, u]);
    expect([...n.values()].map((x) => x.epoch)).toEqual([2, 2, 2]);
    expect(new Set([...n.values()].map((x) => x.number)).size).toBe(1);
  });

  // @spec DCA!DcSkip R16 — the epoch's state kept for a skip survives a crash of the DC's client.
  it("mid-add, across a crash and restart of the DC: it skips from its saved state and commits on", async () => {
    const room = await Room.create();
    await addNext(room, [1]);
    const t = await room.join();
    await catchUp(room, 1);
    await room.dcWelcome(1);
    const saved = room.crash(1);
    expect(saved.keptGroup).toBeInstanceOf(Uint8Array);
    room.leave(t);
    room.restart(1, saved);
    await catchUp(room, 1);
    room.dcSkip(1);
    const u = await room.join();
    expect(await dcWork(room, 1)).toEqual([`DcWelcome(1 → ${u})`, `DcAdd(1 → ${u})`]);
    for (const v of [2, u]) await catchUp(room, v);
    const n = numbers(room);
    expect([...n.values()].map((x) => x.epoch)).toEqual([2, 2, 2]);
    expect(new Set([...n.values()].map((x) => x.number)).size).toBe(1);
  });

  // @spec DCA!OnMessage R16 — a later joiner that knew t only as present (ahead), then read its `left`.
  it("every reader drops the skipped joiner, a later joiner too; nobody removes it", async () => {
    const room = await Room.create();
    await addNext(room, [1]);
    const t = await room.join();
    const v = await room.join(); // ranks 1, 2 and t before itself (present)
    room.leave(t);
    await catchUp(room, v);
    expect(room.state(v)).toMatchObject({ ahead: [1, 2], pendingRemoves: [t] });
    expect(await dcWork(room, 1)).toEqual([`DcSkip(1 → ${t})`, `DcWelcome(1 → ${v})`, `DcAdd(1 → ${v})`]);
    for (const u of [2, v]) await catchUp(room, u);
    for (const u of [1, 2, v]) expect(room.state(u)).toMatchObject({ pendingAdds: [], pendingRemoves: [], epoch: 2, members: [1, 2, v] });
    expect(new Set([...numbers(room).values()].map((x) => x.number)).size).toBe(1);
  });

  // @spec DCA!DcSkip R16 — a DC that leaves before skipping leaves t pending for the next DC.
  it("the next DC skips a joiner its predecessor left pending", async () => {
    const room = await Room.create();
    await addNext(room, [1]);
    const t = await room.join();
    room.leave(t);
    room.leave(1);
    expect(await dcWork(room, 2)).toEqual([`DcSkip(2 → ${t})`, "DcRemove(2 → 1)"]);
    expect(entriesFor(room, t)).toEqual(["skipped"]);
    expect(room.state(2)).toMatchObject({ members: [2], epoch: 2, pendingAdds: [], pendingRemoves: [] });
  });

  // @spec DCA_Inputs!SkippedIsExpected R16 — forged skips (a DS, or anyone on the connection).
  it("a member refuses a skip an honest DS could not hand it, by name; a forged skip of a live joiner stops that joiner, as a garbled KeyPackage would", async () => {
    const room = await Room.create();
    await addNext(room, [1]);
    const t = await room.join(); // live, pending at 1 and 2
    await catchUp(room, 1);
    await catchUp(room, 2);
    const refused = async (reader: number, uid: number, reason: string, detail: RegExp) => {
      room.deliver({ type: "skipped", uid, sender: 1 });
      const out = await room.read(reader);
      expect(out.kind).toBe("rejected");
      expect(out.kind === "rejected" && [out.error.reason, out.error.message]).toEqual([reason, expect.stringMatching(detail)]);
    };
    await refused(2, 2, "self-skip", /a skip of this member, which is in the group/);
    await refused(2, 9, "unknown-user", /user 9 has not arrived as this member knows it/);
    await refused(2, 1, "unexpected-skip", /user 1 is a member of the group/);
    await catchUp(room, 1); // the same three, refused by the DC too
    // A skip of a live joiner is taken (spec/welcome-auth.md section 5: an honest DC skips a
    // joiner whose KeyPackage reached it garbled): everyone drops it, and the joiner, reading
    // its own skip, stops by name instead of waiting for a Welcome that will never come.
    room.deliver({ type: "skipped", uid: t, sender: 1 });
    for (const reader of [1, 2]) {
      expect(await room.read(reader)).toMatchObject({ kind: "read", effect: "drop-skipped" });
      expect(room.state(reader).pendingAdds).toEqual([]);
    }
    while (!room.refusedByRoom(t)) await room.read(t);
    expect(room.refusedByRoom(t)?.by).toBe(1);
    expect(await dcWork(room, 1)).toEqual([]);
  });
});
