// A delivery service that forges the `removes` list beside a Welcome (spec/welcome-auth.md).
// The DC signs the list inside the MLS Welcome (the GroupInfo's extensions); the joiner
// refuses a Welcome whose entry states another list, by name, at the entry's log index.
// Each case runs twice, on real MLS in the in-process room: with the check, and with the
// published rule (`trustWelcomeRemoves`, the joiner takes the list it is shown), which must
// show the harm the check prevents — so these tests fail without the mechanism.
// Budget: about 10 s (real MLS, a few dozen steps).
import { describe, expect, it } from "vitest";
import * as mls from "../impl/mls.ts";
import { Room, type ReadOutcome } from "../impl/room.ts";
import { believes } from "../impl/rules.ts";
import { safetyNumber } from "../impl/safety-number.ts";
import type { CommitEntry, JoinedEntry, Uid, WelcomeEntry } from "../impl/types.ts";
import { addNext, catchUp } from "./room-steps.ts";

const believesDc = (room: Room, uid: Uid) => believes(room.state(uid), "Correct");
const numberOf = (room: Room, uid: Uid) => safetyNumber(mls.epochAuthenticator(room.group(uid)!));

/** The Commits on the log, as "epoch: sender" — two senders for one epoch is a fork. */
function committersByEpoch(room: Room): Map<number, Uid[]> {
  const by = new Map<number, Uid[]>();
  for (const e of room.log) {
    if (e.type !== "add" && e.type !== "remove") continue;
    const c = e as CommitEntry;
    by.set(c.epoch, [...(by.get(c.epoch) ?? []), c.sender]);
  }
  return by;
}

/** The DS replaces the removes of the Welcome entry at `index` (it forges it for every reader). */
function forgeRemoves(room: Room, index: number, removes: Uid[]): void {
  const w = room.log[index] as WelcomeEntry;
  expect(w.type).toBe("welcome");
  room.log[index] = { ...w, removes };
}

/** The joiner reads to the end of the log; returns the outcome of reading entry `index`. */
async function readPast(room: Room, uid: Uid, index: number): Promise<ReadOutcome> {
  let outcome: ReadOutcome | undefined;
  while (room.state(uid).cursor < room.log.length) {
    const at = room.state(uid).cursor;
    const o = await room.read(uid);
    if (at === index) outcome = o;
  }
  return outcome!;
}

function expectRefused(outcome: ReadOutcome, uid: Uid, index: number, reason: string): void {
  expect(outcome.kind).toBe("rejected");
  if (outcome.kind !== "rejected") return;
  expect(outcome.logIndex).toBe(index);
  expect(outcome.error).toMatchObject({ member: uid, logIndex: index, reason });
}

/**
 * Members 1 (DC); 2 joins and DC 1 welcomes it with an empty removes list, but the DS
 * shows 2 a list naming the live DC. Then 3 joins and every user catches up.
 */
async function extendedList(trustWelcomeRemoves: boolean) {
  const room = await Room.create({ trustWelcomeRemoves });
  const two = await room.join();
  await catchUp(room, 1);
  await room.dcWelcome(1);
  const welcomeAt = room.log.length - 1;
  expect((room.log[welcomeAt] as WelcomeEntry).removes).toEqual([]);
  room.dcAdd(1);
  forgeRemoves(room, welcomeAt, [1]);
  const outcome = await readPast(room, two, welcomeAt);
  const three = await room.join();
  await catchUp(room, 1);
  await catchUp(room, two);
  return { room, two, three, welcomeAt, outcome };
}

describe("a DS forging the removes beside a Welcome (spec/welcome-auth.md)", () => {
  it("a list naming the live DC: refused by name, the joiner never believes it is the DC, one committer per epoch", async () => {
    const { room, two, three, welcomeAt, outcome } = await extendedList(false);
    expectRefused(outcome, two, welcomeAt, "entry-mismatch");
    if (outcome.kind === "rejected") expect(outcome.error.message).toContain("its committer signed the removes [], its log entry says [1]");
    // A refused Welcome is as if not received: 2 skipped its Add and is no member.
    expect(room.state(two)).toMatchObject({ welcomed: false, cursor: room.log.length });
    expect(believesDc(room, two)).toBe(false);
    expect(believesDc(room, 1)).toBe(true);
    // Only 1 may commit; it adds 3, and nobody else commits in that epoch.
    expect(room.enabledDcSteps()).toEqual([`DcWelcome(1 → ${three})`]);
    await room.dcWelcome(1);
    room.dcAdd(1);
    for (const u of [1, two, three]) await catchUp(room, u);
    expect(believesDc(room, two)).toBe(false);
    for (const senders of committersByEpoch(room).values()) expect(senders).toHaveLength(1);
    expect(room.state(three)).toMatchObject({ welcomed: true, epoch: 2, by: 1 });
    expect(numberOf(room, three)).toBe(numberOf(room, 1));
  });

  it("without the check (the published rule) the same forgery makes two DCs, who both commit in epoch 1: a fork", async () => {
    const { room, two, three, welcomeAt, outcome } = await extendedList(true);
    expect(outcome).toMatchObject({ kind: "read", logIndex: welcomeAt });
    expect(room.state(two)).toMatchObject({ welcomed: true, epoch: 1, pendingRemoves: [1], ahead: [] });
    expect(believesDc(room, two)).toBe(true);
    expect(believesDc(room, 1)).toBe(true);
    expect(room.enabledDcSteps()).toEqual([`DcWelcome(1 → ${three})`, `DcWelcome(${two} → ${three})`]);
    await room.dcWelcome(1);
    room.dcAdd(1);
    await room.dcWelcome(two);
    room.dcAdd(two);
    expect(committersByEpoch(room).get(1)).toEqual([1, two]);
    // Two MLS states at epoch 2: the two committers show different safety numbers.
    expect(mls.epochOf(room.group(1)!)).toBe(mls.epochOf(room.group(two)!));
    expect(numberOf(room, 1)).not.toBe(numberOf(room, two));
  });

  /**
   * Members 1 (DC), 2, 3; 3 leaves, then 4 joins, so 4 never reads 3's `left`. DC 1
   * (adds before removes) welcomes 4 with removes [3]; the DS empties the list.
   */
  async function emptiedList(trustWelcomeRemoves: boolean) {
    const room = await Room.create({ trustWelcomeRemoves });
    const two = await addNext(room, [1]);
    const three = await addNext(room, [1, two]);
    room.leave(three);
    const four = await room.join();
    await catchUp(room, 1);
    await room.dcWelcome(1);
    const welcomeAt = room.log.length - 1;
    expect((room.log[welcomeAt] as WelcomeEntry).removes).toEqual([three]);
    room.dcAdd(1);
    forgeRemoves(room, welcomeAt, []);
    const outcome = await readPast(room, four, welcomeAt);
    return { room, three, four, welcomeAt, outcome };
  }

  it("an emptied list is refused by name too", async () => {
    const { room, four, welcomeAt, outcome } = await emptiedList(false);
    expectRefused(outcome, four, welcomeAt, "entry-mismatch");
    expect(room.state(four).welcomed).toBe(false);
  });

  it("without the check, an emptied list makes the joiner rank a departed member before itself for ever (the group can stall)", async () => {
    const { room, three, four, welcomeAt, outcome } = await emptiedList(true);
    expect(outcome).toMatchObject({ kind: "read", logIndex: welcomeAt });
    expect(room.state(four).welcomed).toBe(true);
    expect(room.state(four).ahead).toContain(three); // 3's `left` came before 4 arrived: 4 never reads it
    expect(room.state(four).pendingRemoves).not.toContain(three);
  });

  it("a Welcome whose committer signed no list (older or foreign code) is refused by name; the genuine one is taken", async () => {
    for (const trustWelcomeRemoves of [false, true]) {
      const room = await Room.create({ trustWelcomeRemoves });
      const two = await room.join();
      await catchUp(room, 1);
      // A committer that does not sign the list: DC 1's state, committing without it.
      const ctx = await mls.initMls();
      const copy = mls.decodeGroup(ctx, mls.encodeGroup(room.group(1)!));
      const keyPackage = (room.log[0] as JoinedEntry).keyPackage!;
      const unsigned = await mls.commitAdd(ctx, copy, keyPackage);
      const at = room.deliver({ type: "welcome", target: two, epoch: 1, sender: 1, members: [1, two], removes: [], welcome: unsigned.welcome });
      const outcome = await readPast(room, two, at);
      if (trustWelcomeRemoves) {
        // The control: without the check the same Welcome is taken (held as tentative).
        expect(outcome).toMatchObject({ kind: "read", logIndex: at });
        continue;
      }
      expectRefused(outcome, two, at, "unsigned-removes");
      expect(room.state(two).tentative).toBeNull();
      // The refusal leaves the joiner usable: DC 1's own Welcome and Add let it in.
      await catchUp(room, 1);
      await room.dcWelcome(1);
      room.dcAdd(1);
      await catchUp(room, two);
      expect(room.state(two)).toMatchObject({ welcomed: true, epoch: 1, by: 1 });
      expect(numberOf(room, two)).toBe(numberOf(room, 1));
    }
  });
});
