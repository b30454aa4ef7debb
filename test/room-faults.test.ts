// Faults: a member crashes and restarts from its saved state (MLS state included,
// in ts-mls's own encoding) and catches up; a DC crashes between its Welcome and its
// Add and finishes the add after restarting; a malicious delivery service that
// substitutes a joiner's KeyPackage is exposed by the safety numbers.
import { describe, expect, it } from "vitest";
import * as mls from "../impl/mls.ts";
import { Room, StepNotEnabled } from "../impl/room.ts";
import { safetyNumber } from "../impl/safety-number.ts";
import type { JoinedEntry, WelcomeEntry } from "../impl/types.ts";
import { addNext, catchUp } from "./room-steps.ts";

const numberOf = (room: Room, uid: number) => safetyNumber(mls.epochAuthenticator(room.group(uid)!));


// @spec R5
describe("crash and restart", () => {
  it("a member restarts from its saved state behind the log and catches up", async () => {
    const room = await Room.create();
    await addNext(room, []); // 2
    const saved = room.crash(2);
    await expect(room.read(2)).rejects.toThrow(StepNotEnabled);
    await addNext(room, []); // 3, while 2 is down
    await addNext(room, [3]); // 4
    room.restart(2, structuredClone(saved)); // from storage, as bytes
    expect(room.state(2).epoch).toBe(1);
    await catchUp(room, 2);
    expect(room.state(2)).toMatchObject({ epoch: 3, members: [1, 2, 3, 4] });
    expect(mls.epochOf(room.group(2)!)).toBe(3);
    expect(numberOf(room, 2)).toBe(numberOf(room, 1));
  });

  it("a DC that crashes between its Welcome and its Add finishes the add after restarting", async () => {
    const room = await Room.create();
    await addNext(room, []); // 2
    const u = await room.join(); // 3
    await catchUp(room, 1);
    await catchUp(room, 2);
    await room.dcWelcome(1);
    const saved = room.crash(1);
    expect(() => room.dcAdd(1)).toThrow(StepNotEnabled);
    room.restart(1, structuredClone(saved));
    room.dcAdd(1);
    for (const r of [2, u]) await catchUp(room, r);
    expect(room.state(u)).toMatchObject({ welcomed: true, epoch: 2, members: [1, 2, 3] });
    expect(numberOf(room, u)).toBe(numberOf(room, 1));
    expect(numberOf(room, 2)).toBe(numberOf(room, 1));
  });

  // @spec R4 R5 R6 R13
  it("a crash the DS announces is a leave: the next DC takes over", async () => {
    const room = await Room.create();
    await addNext(room, []); // 2
    room.crash(1);
    room.leave(1);
    await catchUp(room, 2);
    expect(room.enabledDcSteps()).toEqual(["DcRemove(2 → 1)"]);
    await room.dcRemove(2);
    expect(room.state(2)).toMatchObject({ epoch: 2, members: [2] });
  });
});

describe("a malicious delivery service", () => {
  it("substitutes a joiner's KeyPackage: the victim cannot get in, and its safety number differs from the group's", async () => {
    const room = await Room.create();
    await addNext(room, []); // 2
    const victim = await room.join(); // 3
    const ctx = await mls.initMls();
    const attacker = await mls.newMember(ctx, victim); // claims the victim's UID
    const index = room.log.length - 1;
    const realKeyPackage = (room.log[index] as JoinedEntry).keyPackage!;
    room.log[index] = { ...(room.log[index] as JoinedEntry), keyPackage: attacker.keyPackage };
    await catchUp(room, 1);
    await catchUp(room, 2);
    await room.dcWelcome(1);
    const welcome = room.log[room.log.length - 1] as WelcomeEntry;
    room.dcAdd(1);
    await catchUp(room, 2);
    // The attacker joins as "3" and shows the honest members' number ...
    const attackerGroup = await mls.joinFromWelcome(ctx, attacker, welcome.welcome!);
    expect(safetyNumber(mls.epochAuthenticator(attackerGroup))).toBe(numberOf(room, 1));
    // ... while the real user 3 refuses the Welcome and is never in the group: read aloud,
    // 1 and 2 show a number, 3 shows none. The safety number does its job.
    const outcome = await room.read(victim);
    expect(outcome.kind === "rejected" && outcome.error.reason).toBe("not-for-me");
    await catchUp(room, victim);
    expect(room.state(victim).welcomed).toBe(false);
    expect(room.group(victim)).toBeNull();

    // The full man-in-the-middle: the DS also pulls the victim into a group of the
    // attacker's own (with the victim's real KeyPackage), forging the Welcome and Add
    // entries a DC would append. The victim now shows a safety number — not the group's.
    const fakeDc = await mls.newMember(ctx, 1);
    const fakeGroup = await mls.createGroup(ctx, fakeDc, "dca-room");
    // (Its own committer signs the removes list its Welcome entry states: spec/welcome-auth.md.)
    const made = await mls.commitAdd(ctx, fakeGroup, realKeyPackage, { removes: [] });
    expect(realKeyPackage).not.toEqual(attacker.keyPackage);
    room.deliver({ type: "welcome", target: victim, epoch: 1, sender: 1, members: [1, victim], removes: [], welcome: made.welcome });
    room.deliver({ type: "add", target: victim, epoch: 0, sender: 1, parent: 0, commit: made.commit });
    await catchUp(room, victim);
    expect(room.state(victim).welcomed).toBe(true);
    expect(numberOf(room, victim)).toBe(safetyNumber(mls.epochAuthenticator(made.group)));
    expect(numberOf(room, victim)).not.toBe(numberOf(room, 1));
    expect(numberOf(room, victim)).not.toBe(numberOf(room, 2));
  });
});
