// Batched adds and removes on real MLS (impl/batch.ts, impl/mls/batch.ts; spec/batching.md):
// a batch of joiners is welcomed with one MLS Welcome and added with one Commit, and all
// show one safety number; the order of DCs after a batch is the UID order; one Commit
// removes every departure; the same room with `batch: false` needs one Commit per joiner
// (so the counts come from the rule, not the room); bad batches are refused, naming why.
// Budget: 20 s (about 6 s measured here under load).
import { describe, expect, it } from "vitest";
import * as mls from "../impl/mls.ts";
import { BatchRoom } from "../impl/batch.ts";

async function roomWith(joiners: number, batch: boolean): Promise<BatchRoom> {
  const room = await BatchRoom.create({ batch });
  room.join(await room.prepare(2));
  while (!room.converged()) await room.round();
  for (let i = 0; i < joiners; i++) room.join(await room.prepare(room.nextUid));
  return room;
}

async function settle(room: BatchRoom, maxRounds = 100): Promise<void> {
  for (let i = 0; i < maxRounds && !room.converged(); i++) await room.round();
  expect(room.converged()).toBe(true);
}

describe("batched adds and removes on real MLS", () => {
  it("five joiners: one Welcome entry, one Commit, one safety number", async () => {
    const room = await roomWith(5, true);
    const before = { log: room.log.length, commits: room.commits };
    await settle(room);
    const added = room.log.slice(before.log);
    const welcomes = added.filter((e) => e.type === "welcome");
    expect(welcomes).toHaveLength(1);
    expect(welcomes[0]!.type === "welcome" && welcomes[0]!.targets).toEqual([3, 4, 5, 6, 7]);
    expect(room.commits - before.commits).toBe(1);
    const numbers = new Set(room.safetyNumbers().values());
    expect(numbers.size).toBe(1);
    expect([...numbers][0]).toMatch(/^(\d{5} ){5}\d{5}$/);
    expect(room.active()).toHaveLength(7);
  }, 20_000);

  it("today's rules on the same room: one Welcome and one Commit per joiner", async () => {
    const room = await roomWith(5, false);
    const before = room.commits;
    await settle(room);
    expect(room.commits - before).toBe(5);
    expect(room.log.filter((e) => e.type === "welcome")).toHaveLength(6);
  }, 20_000);

  it("after a batch the DCs follow UID order: batch-mates rank the smaller UIDs before them", async () => {
    const room = await roomWith(4, true);
    await settle(room);
    expect(room.ahead(3)).toEqual([1, 2]);
    expect(room.ahead(5)).toEqual([1, 2, 3, 4]);
    expect(room.ahead(6)).toEqual([1, 2, 3, 4, 5]);
    // The DC leaves, then the next: each time exactly one DC, the lowest UID present.
    for (const gone of [1, 2, 3]) {
      room.leave(gone);
      await settle(room);
      expect(room.dcs()).toEqual([Math.min(...room.active())]);
    }
    expect(room.dcs()).toEqual([4]);
  }, 20_000);

  it("three departures: one Remove Commit", async () => {
    const room = await roomWith(4, true);
    await settle(room);
    const before = room.commits;
    for (const uid of [3, 5, 6]) room.leave(uid);
    await settle(room);
    expect(room.commits - before).toBe(1);
    const last = room.log.at(-1)!;
    expect(last.type === "remove" && last.targets).toEqual([3, 5, 6]);
    expect(new Set(room.safetyNumbers().values()).size).toBe(1);
  }, 20_000);

  it("refuses bad batches, naming why", async () => {
    const ctx = await mls.initMls();
    const creator = await mls.newMember(ctx, 1);
    const [a, b] = [await mls.newMember(ctx, 2), await mls.newMember(ctx, 3)];
    const g = await mls.createGroup(ctx, creator, "bad-batches");
    await expect(mls.commitAddMany(ctx, g, [])).rejects.toThrow(/no KeyPackage to add/);
    await expect(mls.commitAddMany(ctx, g, [a.keyPackage, a.keyPackage])).rejects.toThrow(/UID 2 is listed twice/);
    await expect(mls.commitAddMany(ctx, g, [a.keyPackage, new Uint8Array([1, 2, 3])])).rejects.toThrow(/KeyPackage 2 of 2/);
    const made = await mls.commitAddMany(ctx, g, [a.keyPackage, b.keyPackage]);
    expect(made.addedUids).toEqual([2, 3]);
    await expect(mls.commitAddMany(ctx, made.group, [b.keyPackage])).rejects.toThrow(/UID 3 is already a member/);
    await expect(mls.commitRemoveMany(ctx, made.group, [])).rejects.toThrow(/no member to remove/);
    await expect(mls.commitRemoveMany(ctx, made.group, [2, 9])).rejects.toThrow(/UID 9 is not a member/);
    await expect(mls.commitRemoveMany(ctx, made.group, [1])).rejects.toThrow(/cannot remove itself/);
    // A member checks a batched Commit against its entry before applying it.
    const ga = await mls.joinFromWelcome(ctx, a, made.welcome);
    const gb = await mls.joinFromWelcome(ctx, b, made.welcome);
    expect(mls.epochAuthenticator(ga)).toEqual(mls.epochAuthenticator(gb));
    const removed = await mls.commitRemoveMany(ctx, made.group, [3]);
    await expect(mls.processCommit(ctx, ga, removed.commit, { allowedSender: 1, expect: { type: "remove", uids: [2, 3] } })).rejects.toThrow(/makes \[remove 3\], its entry says \[remove 2, remove 3\]/);
    const after = await mls.processCommit(ctx, ga, removed.commit, { allowedSender: 1, expect: { type: "remove", uids: [3] } });
    expect(mls.membersOf(after).sort()).toEqual([1, 2]);
  }, 20_000);
});
