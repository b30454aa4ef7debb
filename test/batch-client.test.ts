// The batched rules in the real client core (impl/client/core.ts with `batch: true`,
// spec/batching.md section 4), in the in-process room (impl/room.ts), on real MLS: five
// joiners welcomed by one Welcome entry and added by one Commit, one safety number; three
// departures removed by one Commit; a joiner leaving mid-batch skipped (R16) and the rest
// welcomed again; a DC crashing mid-batch restarts from its saved state (and not under the
// other setting); the order of DCs after a batch is the UID order, and the known-bad
// tie-breaks break it (a fork, no DC); entries with a malformed list, an entry made under
// the other setting, and an Add whose list the DS shortened are each refused by name.
// Budget: 20 s (about 5 s measured here).
import { describe, expect, it } from "vitest";
import * as mls from "../impl/mls.ts";
import { MemberCore } from "../impl/client/core.ts";
import { Room } from "../impl/room.ts";
import type { BatchRank } from "../impl/rules.ts";
import { safetyNumber } from "../impl/safety-number.ts";
import type { CommitEntry, LogEntry, Uid, WelcomeEntry } from "../impl/types.ts";
import { catchUp } from "./room-steps.ts";

const active = (room: Room) => room.uids().filter((u) => room.state(u).status === "active");
const catchUpAll = async (room: Room) => {
  for (const u of active(room)) await catchUp(room, u);
};
const numbers = (room: Room) => new Set(active(room).map((u) => safetyNumber(mls.epochAuthenticator(room.group(u)!))));
const believers = (room: Room) => active(room).filter((u) => room.state(u).welcomed && room.state(u).ahead.length === 0);

/** A batched room of user 1 and `joiners` more, DC 1 having read their arrivals; nothing welcomed yet. */
async function roomWith(joiners: number, opts: { batchRank?: BatchRank } = {}): Promise<Room> {
  const room = await Room.create({ batch: true, ...opts });
  for (let i = 0; i < joiners; i++) await room.join();
  await catchUp(room, 1);
  return room;
}

describe("batched adds and removes in the client core (batch: true)", () => {
  it("five joiners: one Welcome entry, one Commit, one epoch, one safety number", async () => {
    const room = await roomWith(5);
    expect(room.enabledDcSteps()).toEqual(["DcWelcome(1 → 2,3,4,5,6)"]);
    await room.dcWelcome(1);
    expect(room.enabledDcSteps()).toEqual(["DcAdd(1 → 2,3,4,5,6)"]);
    room.dcAdd(1);
    await catchUpAll(room);
    const welcomes = room.log.filter((e): e is WelcomeEntry => e.type === "welcome");
    const commits = room.log.filter((e): e is CommitEntry => e.type === "add" || e.type === "remove");
    expect(welcomes.map((w) => w.targets)).toEqual([[2, 3, 4, 5, 6]]);
    expect(commits.map((c) => [c.type, c.targets])).toEqual([["add", [2, 3, 4, 5, 6]]]);
    for (const u of active(room)) {
      expect(room.state(u)).toMatchObject({ welcomed: true, epoch: 1, members: [1, 2, 3, 4, 5, 6], pendingAdds: [], adding: 0 });
      expect(room.state(u).batch).toBeUndefined();
      expect(mls.membersOf(room.group(u)!).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    }
    expect(numbers(room).size).toBe(1);
    // Batch-mates rank by UID: those with a smaller UID before them.
    expect(room.state(4).ahead).toEqual([1, 2, 3]);
    expect(room.state(2).ahead).toEqual([1]);
  }, 20_000);

  it("three departures: one Remove Commit, one safety number", async () => {
    const room = await roomWith(5);
    await room.dcWelcome(1);
    room.dcAdd(1);
    await catchUpAll(room);
    for (const u of [2, 4, 6]) room.leave(u);
    await catchUp(room, 1);
    expect(room.enabledDcSteps()).toEqual(["DcRemove(1 → 2,4,6)"]);
    await room.dcRemove(1);
    await catchUpAll(room);
    const removes = room.log.filter((e): e is CommitEntry => e.type === "remove");
    expect(removes.map((c) => c.targets)).toEqual([[2, 4, 6]]);
    for (const u of active(room)) expect(room.state(u)).toMatchObject({ epoch: 2, members: [1, 3, 5], pendingRemoves: [] });
    expect(numbers(room).size).toBe(1);
  }, 20_000);

  it("a joiner leaving mid-batch is skipped (R16) and the others are welcomed again", async () => {
    const room = await roomWith(3);
    await room.dcWelcome(1); // [2, 3, 4]
    room.leave(3);
    await catchUp(room, 1);
    expect(room.enabledDcSteps()).toEqual(["DcSkip(1 → 3)"]);
    room.dcSkip(1);
    expect(room.enabledDcSteps()).toEqual(["DcWelcome(1 → 2,4)"]);
    await room.dcWelcome(1);
    room.dcAdd(1);
    await catchUpAll(room);
    expect(room.log.filter((e) => e.type !== "joined" && e.type !== "left").map((e) => `${e.type} ${e.type === "skipped" ? e.uid : e.targets}`)).toEqual([
      "welcome 2,3,4",
      "skipped 3",
      "welcome 2,4",
      "add 2,4",
    ]);
    for (const u of active(room)) expect(room.state(u)).toMatchObject({ epoch: 1, members: [1, 2, 4], pendingAdds: [], pendingRemoves: [] });
    expect(numbers(room).size).toBe(1);
  }, 20_000);

  // The order of DCs after a batch (tla/DCA_Batch.tla's AtMostOneBelievesDc and
  // QuiescentSomeDc): DC 1 leaves once five joiners are in; who believes it is the DC now?
  const dcsAfterTheDcLeaves = async (batchRank: BatchRank): Promise<Uid[]> => {
    const room = await roomWith(5, { batchRank });
    await room.dcWelcome(1);
    room.dcAdd(1);
    room.leave(1);
    await catchUpAll(room);
    return believers(room);
  };

  it("a DC that crashes between its batched Welcome and its Add restarts from its saved state and adds the batch", async () => {
    const room = await roomWith(3);
    await room.dcWelcome(1);
    const saved = room.crash(1);
    expect(saved.snapshot.context).toMatchObject({ batched: true, state: { adding: 2, batch: [2, 3, 4] } });
    room.restart(1, saved);
    expect(room.enabledDcSteps()).toEqual(["DcAdd(1 → 2,3,4)"]);
    room.dcAdd(1);
    await catchUpAll(room);
    for (const u of active(room)) expect(room.state(u)).toMatchObject({ epoch: 1, members: [1, 2, 3, 4] });
    expect(numbers(room).size).toBe(1);
    // A client restarted under the other setting refuses to start, naming both.
    expect(() => MemberCore.restore({ uid: 1, variant: "Correct", ctx: null, keyPackageOf: () => new Uint8Array() }, room.save(1))).toThrow(
      /user 1: its saved state was made with batch: true, the client now runs batch: false/,
    );
  }, 20_000);

  it("after a batch exactly one member believes it is the DC, the lowest UID", async () => {
    expect(await dcsAfterTheDcLeaves("Uid")).toEqual([2]);
  }, 20_000);

  it("teeth: batch-mates that do not rank each other all believe (a fork); ranking all, none does", async () => {
    expect(await dcsAfterTheDcLeaves("None")).toEqual([2, 3, 4, 5, 6]);
    expect(await dcsAfterTheDcLeaves("All")).toEqual([]);
  }, 20_000);
});

describe("batched entries a member refuses", () => {
  /** The batched Welcome and Add of [2, 3, 4] made by DC 1 (2 is already a member); nobody else has read them. */
  async function batchUnderWay(): Promise<{ room: Room; welcome: number; add: number }> {
    const room = await Room.create({ batch: true });
    await room.join();
    await catchUp(room, 1);
    await room.dcWelcome(1);
    room.dcAdd(1);
    await catchUp(room, 2);
    for (let i = 0; i < 3; i++) await room.join();
    await catchUp(room, 1);
    const welcome = room.log.length;
    await room.dcWelcome(1);
    room.dcAdd(1);
    return { room, welcome, add: welcome + 1 };
  }
  const readTo = async (room: Room, uid: Uid, index: number) => {
    while (room.state(uid).cursor < index) {
      const out = await room.read(uid);
      expect(out.kind).toBe("read");
    }
    return room.read(uid);
  };
  const refusal = async (room: Room, uid: Uid, index: number) => {
    const out = await readTo(room, uid, index);
    if (out.kind !== "rejected") throw new Error(`member ${uid} accepted entry ${index}`);
    return `${out.error.reason}: ${out.error.message}`;
  };

  it("an Add whose list the DS shortened: the members refuse its Commit (MLS), the joiners its mismatch with their Welcome", async () => {
    const { room, add } = await batchUnderWay();
    const honest = room.log[add] as CommitEntry;
    expect(honest.targets).toEqual([3, 4, 5]);
    room.log[add] = { ...honest, targets: [3, 4] };
    expect(await refusal(room, 2, add)).toMatch(/^unexpected-change: .*add 3, add 4, add 5.*add 3, add 4/);
    expect(await refusal(room, 3, add)).toMatch(/^entry-mismatch: .*batched add of \[3,4\].*Welcome it confirms was for \[3,4,5\]/);
    expect(room.state(3).welcomed).toBe(false);
    expect(room.state(2).epoch).toBe(1); // still the epoch before the batch
  }, 20_000);

  it("malformed lists are refused, naming why", async () => {
    const { room, welcome } = await batchUnderWay();
    const w = room.log[welcome] as WelcomeEntry;
    const bad: [Partial<WelcomeEntry>, RegExp][] = [
      [{ targets: [] }, /empty list/],
      [{ targets: [3, 5, 4] }, /not ascending \(5 before 4\)/],
      [{ targets: [3, 3, 4] }, /UID 3 is repeated/],
      [{ targets: [3, 4.5] as Uid[] }, /element 1 is 4.5, not an integer UID/],
      [{ target: 4 }, /first UID 3 is not the entry's target 4/],
      [{ targets: [3, 4, 5, 9], members: [1, 2, 3, 4, 5] }, /targets 9 are not among its members/],
    ];
    for (const [change, why] of bad) {
      const at = room.deliver({ ...w, ...change } as LogEntry);
      expect(await refusal(room, 3, at)).toMatch(new RegExp(`^malformed-entry: member 3, log entry ${at}: .*${why.source}`));
    }
  }, 20_000);

  it("entries made under the other batch setting are refused (batch-mismatch), both ways", async () => {
    const { room, welcome } = await batchUnderWay();
    const w = room.log[welcome] as WelcomeEntry;
    const { targets: _t, ...single } = w;
    const at = room.deliver(single);
    expect(await refusal(room, 2, at)).toMatch(/^batch-mismatch: .*without a targets list, but this member runs the batched rules/);

    const plain = await Room.create();
    await plain.join();
    await catchUp(plain, 1);
    const at2 = plain.deliver({ ...w, sender: 1, epoch: 1 });
    expect(await refusal(plain, 2, at2)).toMatch(/^batch-mismatch: .*a batched welcome of \[3,4,5\].*batch: false/);
  }, 20_000);
});
