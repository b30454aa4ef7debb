// R15 under a DS that garbles a joiner's KeyPackage, on the in-process room with real MLS
// (spec/welcome-auth.md section 5, tla/DCA_Refusals.tla). The DS garbles the KeyPackage
// of `joined 2`, so the DC refuses that entry. With R16's skip (RefusalRule "Skip", the
// default) the DC still counts 2 as a pending joiner it can never add and skips it before
// welcoming 3; 2 reads its own `skipped` and stops by name, never reviving; after DC 1
// leaves there is one DC, one group, one safety number. Teeth: the same steps under the
// known-bad "Silent" rule (CoreOptions.refusalRule, tests only) split the room — 2 revives
// apart while 3 is DC of the old group: two DCs, two safety numbers. Also: a refused
// `joined` bars its refuser from reviving before it is welcomed, a forged skip of a member
// is still refused, the `left` of a skipped joiner leaves no remove behind, and the batched
// rules (RoomOptions.batch) skip the refused joiner before their one Welcome too.
// Budget: about 3 s.
import { describe, expect, it } from "vitest";
import * as mls from "../impl/mls.ts";
import { Room, StepNotEnabled } from "../impl/room.ts";
import { believes } from "../impl/rules.ts";
import { safetyNumber } from "../impl/safety-number.ts";
import type { Uid } from "../impl/types.ts";
import { addNext, catchUp } from "./room-steps.ts";

/** The DC takes the steps it would take on its own until it has none (as a client does). */
async function dcWork(room: Room, dc: Uid): Promise<string[]> {
  const taken: string[] = [];
  for (;;) {
    await catchUp(room, dc);
    const steps = room.enabledDcSteps().filter((s) => s.includes(`(${dc}`));
    const step = steps.find((s) => s.startsWith("Revive")) ?? steps.find((s) => s.startsWith("DcSkip")) ?? steps.find((s) => s.startsWith("DcAdd")) ?? steps.find((s) => s.startsWith("DcRemove")) ?? steps[0];
    if (!step) return taken;
    taken.push(step);
    if (step.startsWith("Revive")) await room.revive(dc);
    else if (step.startsWith("DcSkip")) room.dcSkip(dc);
    else if (step.startsWith("DcWelcome")) await room.dcWelcome(dc);
    else if (step.startsWith("DcAdd")) room.dcAdd(dc);
    else if (step.startsWith("DcRemove")) await room.dcRemove(dc);
    else throw new Error(`unexpected step ${step}`);
  }
}

/** The DS replaces the KeyPackage of user `uid`'s `joined` entry with bytes that are no KeyPackage. */
function garbleKeyPackage(room: Room, uid: Uid): number {
  const i = room.log.findIndex((e) => e.type === "joined" && e.uid === uid);
  room.log[i] = { type: "joined", uid, keyPackage: new Uint8Array([0xde, 0xad, 0xbe, 0xef]) };
  return i;
}

/** The user reads on until the room refuses it (it read its own skip) or it reaches the end. */
async function untilRefused(room: Room, uid: Uid): Promise<void> {
  while (!room.refusedByRoom(uid) && room.state(uid).cursor < room.log.length) await room.read(uid);
}

/** Who believes it is the DC, and the safety number of each believer's group. */
function dcs(room: Room): { dcs: Uid[]; numbers: Set<string> } {
  const out = room.uids().filter((u) => believes(room.state(u), room.variant) && !room.refusedByRoom(u));
  return { dcs: out, numbers: new Set(out.map((u) => safetyNumber(mls.epochAuthenticator(room.group(u)!)))) };
}

/** 2 arrives and its KeyPackage reaches everyone garbled; 3 arrives; DC 1 works; 1 leaves. */
async function garbledJoiner(refusalRule: "Skip" | "Silent") {
  const room = await Room.create({ refusalRule });
  const two = await room.join();
  const garbledAt = garbleKeyPackage(room, two);
  const three = await room.join();
  await catchUp(room, 1);
  const dc1 = await dcWork(room, 1);
  await untilRefused(room, two);
  await catchUp(room, three);
  return { room, two, three, garbledAt, dc1 };
}

describe("a DS garbles the KeyPackage of `joined 2` (in-process room, real MLS)", () => {
  // @spec DCA_Refusals!RLeftBeforeAdded DCA_Refusals!ReadOwnSkip DCA!DcSkip R16 R15 R11
  it("Skip: the DC skips 2 before welcoming 3; 2 stops by name; after 1 leaves, one DC and one safety number", async () => {
    const { room, two, three, garbledAt, dc1 } = await garbledJoiner("Skip");
    expect(dc1).toEqual([`DcSkip(1 → ${two})`, `DcWelcome(1 → ${three})`, `DcAdd(1 → ${three})`]);
    const skipAt = room.log.findIndex((e) => e.type === "skipped");
    expect(skipAt).toBeGreaterThan(garbledAt);
    expect(room.log[skipAt]).toEqual({ type: "skipped", uid: two, sender: 1 });
    expect(room.refusedByRoom(two)).toEqual({ by: 1, logIndex: skipAt, message: `refused by the room: skipped by DC 1 at log index ${skipAt}; to come back, join as a new user` });
    expect(room.state(three)).toMatchObject({ welcomed: true, members: [1, three] });
    // The refused user takes no step but leaving.
    await expect(room.revive(two)).rejects.toThrow(/user 2 was refused by the room: skipped by DC 1/);
    await expect(room.read(two)).rejects.toThrow(StepNotEnabled);
    room.leave(1);
    expect(await dcWork(room, three)).toEqual(["DcRemove(3 → 1)"]);
    expect(room.enabledDcSteps()).toEqual([]); // in particular, no Revive(2)
    expect(dcs(room)).toEqual({ dcs: [three], numbers: expect.any(Set) });
    expect(dcs(room).numbers.size).toBe(1);
    expect(room.revivals).toEqual([]);
    // 2 leaves (its client stops): the DS announces no `left` for a skipped user; nobody tracks it.
    const before = room.log.length;
    room.leave(two);
    expect(room.log.length).toBe(before);
    expect(room.state(three)).toMatchObject({ pendingAdds: [], pendingRemoves: [], members: [three] });
    expect(room.enabledDcSteps()).toEqual([]);
  });

  // @spec DCA_Refusals!RGoSilently DCA_Refusals!LeftOfSkipped R16 — found by TLC (RemovesAreMembers).
  it("a user arriving after the skip does not rank the skipped user, and nobody is left with a remove of a non-member", async () => {
    const room = await Room.create();
    const two = await room.join();
    garbleKeyPackage(room, two);
    expect(await dcWork(room, 1)).toEqual([`DcSkip(1 → ${two})`]);
    await untilRefused(room, two);
    room.leave(two); // no `left` on the log: a later `left 2` would be a pending remove of a non-member for 3
    const three = await room.join();
    expect(room.state(three).ahead).toEqual([1]);
    expect(await dcWork(room, 1)).toEqual([`DcWelcome(1 → ${three})`, `DcAdd(1 → ${three})`]);
    await catchUp(room, three);
    room.leave(1);
    expect(await dcWork(room, three)).toEqual(["DcRemove(3 → 1)"]);
    expect(room.state(three)).toMatchObject({ members: [three], pendingRemoves: [], pendingAdds: [] });
  });

  it("a DC that skips a refused joiner before it reads that joiner's `left` keeps no remove of it", async () => {
    const room = await Room.create();
    const two = await room.join();
    garbleKeyPackage(room, two);
    room.leave(two); // its `left` is on the log before any skip: announced as usual
    expect((await room.read(1)).kind).toBe("rejected"); // `joined 2`, refused: tracked as unusable
    room.dcSkip(1); // skipped before the DC reads `left 2`
    expect(await room.read(1)).toMatchObject({ kind: "read", effect: "track-leave" });
    expect(room.state(1)).toMatchObject({ pendingAdds: [], pendingRemoves: [], ahead: [] });
    await catchUp(room, 1);
    expect(room.enabledDcSteps()).toEqual([]);
  });

  // @spec DCA!Revive R15 — teeth: the known-bad silent refusal on the same steps.
  it("Silent (known-bad): the DC welcomes 3 first; after 1 leaves, 2 revives apart: two DCs, two safety numbers", async () => {
    const { room, two, three, dc1 } = await garbledJoiner("Silent");
    expect(dc1).toEqual([`DcWelcome(1 → ${three})`, `DcAdd(1 → ${three})`]);
    expect(room.log.some((e) => e.type === "skipped")).toBe(false);
    expect(room.refusedByRoom(two)).toBeNull();
    room.leave(1);
    expect(await dcWork(room, three)).toEqual(["DcRemove(3 → 1)"]);
    expect((await dcWork(room, two))[0]).toEqual(`Revive(${two})`);
    const split = dcs(room);
    expect(split.dcs).toEqual([two, three]);
    expect(split.numbers.size).toBe(2);
  });

  // @spec DCA_Batch!BDcSkip R16 — the batched rules skip an unusable joiner too, before their one Welcome.
  it("batched: the DC skips 2, then welcomes and adds 3 and 4 together; 2 stops by name", async () => {
    const room = await Room.create({ batch: true });
    const two = await room.join();
    garbleKeyPackage(room, two);
    const three = await room.join();
    const four = await room.join();
    expect(await dcWork(room, 1)).toEqual([`DcSkip(1 → ${two})`, `DcWelcome(1 → ${three},${four})`, `DcAdd(1 → ${three},${four})`]);
    await untilRefused(room, two);
    expect(room.refusedByRoom(two)?.by).toBe(1);
    for (const u of [three, four]) await catchUp(room, u);
    expect(room.state(four)).toMatchObject({ welcomed: true, members: [1, three, four] });
  });

  it("garbled for the DC only: a member that read `joined 2` intact takes the DC's skip of it", async () => {
    const room = await Room.create();
    await addNext(room, [1]); // 2, a member
    const t = await room.join(); // 3
    await catchUp(room, 2); // 2 reads the KeyPackage intact
    expect(room.state(2).pendingAdds).toEqual([t]);
    garbleKeyPackage(room, t); // ... the DC reads it garbled
    expect(await dcWork(room, 1)).toEqual([`DcSkip(1 → ${t})`]);
    expect(await room.read(2)).toMatchObject({ kind: "read", effect: "drop-skipped" });
    expect(room.state(2)).toMatchObject({ pendingAdds: [], pendingRemoves: [] });
    await untilRefused(room, t);
    expect(room.refusedByRoom(t)?.by).toBe(1);
  });

  // @spec DCA_Refusals!Refuse R15 — a joiner that refused an entry cannot tell it was not its own skip.
  it("a joiner that refused any entry before it was welcomed never revives", async () => {
    const room = await Room.create();
    const t = await room.join(); // 2
    await room.join(); // 3
    garbleKeyPackage(room, 3); // 2 refuses `joined 3` ...
    expect((await room.read(t)).kind).toBe("rejected");
    expect(room.state(t).pendingAdds).toEqual([3]); // ... tracks 3 as a joiner it cannot add ...
    room.leave(1);
    room.leave(3);
    await catchUp(room, t); // ... and, though 1 has left, it does not revive.
    expect(room.state(t)).toMatchObject({ ahead: [], welcomed: false });
    expect(room.enabledDcSteps()).toEqual([]);
    await expect(room.revive(t)).rejects.toThrow(/cannot revive/);
  });

  // @spec DCA_Inputs!SkippedIsExpected R16 — a forged skip of a member is refused; so is one of the joiner being added.
  it("a member refuses a skip of itself or of another member, and the DC one of the joiner it is adding", async () => {
    const room = await Room.create();
    await addNext(room, [1]);
    const t = await room.join();
    await catchUp(room, 1);
    await room.dcWelcome(1);
    const refused = async (reader: Uid, uid: Uid, reason: string, detail: RegExp) => {
      await catchUp(room, reader);
      room.deliver({ type: "skipped", uid, sender: 1 });
      const out = await room.read(reader);
      expect(out.kind === "rejected" && [out.error.reason, out.error.message]).toEqual([reason, expect.stringMatching(detail)]);
    };
    await refused(2, 2, "self-skip", /a skip of this member, which is in the group/);
    await refused(2, 1, "unexpected-skip", /user 1 is a member of the group/);
    await refused(1, t, "unexpected-skip", /a joiner this member is adding/);
    room.dcAdd(1); // the DC did not drop it on the DS's word
    expect(room.state(1).members).toEqual([1, 2, t]);
  });
});
