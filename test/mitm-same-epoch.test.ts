// A delivery service that substitutes a joiner's KeyPackage and then pulls the real
// user into a group of its own *at the same epoch number* as the honest group. The
// older man-in-the-middle test (room-faults.test.ts) compares groups at different
// epochs, so a "safety number" computed from the epoch number alone would pass it;
// this one shows the number depends on the epoch's secrets, not on its position.
import { describe, expect, it } from "vitest";
import { sha256 } from "@noble/hashes/sha2.js";
import * as mls from "../impl/mls.ts";
import { Room } from "../impl/room.ts";
import { safetyNumber } from "../impl/safety-number.ts";
import type { JoinedEntry } from "../impl/types.ts";
import { addNext, catchUp } from "./room-steps.ts";

const numberOf = (room: Room, uid: number) => safetyNumber(mls.epochAuthenticator(room.group(uid)!));

/** What a careless design might show: a number derived from the epoch counter only. */
const epochOnlyNumber = (epoch: number) => safetyNumber(sha256(new TextEncoder().encode(`epoch ${epoch}`)));

// @spec R14
describe("a malicious delivery service at the same epoch number", () => {
  it("the victim's group and the honest group share an epoch number, never a safety number", async () => {
    const room = await Room.create();
    // The honest room: 1 adds 2 (epoch 1); then the victim, 3, arrives.
    await addNext(room, []);
    const victim = await room.join();
    const index = room.log.length - 1;
    const realKeyPackage = (room.log[index] as JoinedEntry).keyPackage!;

    // The DS hands the honest DC an attacker's KeyPackage in the victim's name ...
    const ctx = await mls.initMls();
    const attacker = await mls.newMember(ctx, victim);
    room.log[index] = { ...(room.log[index] as JoinedEntry), keyPackage: attacker.keyPackage };
    await catchUp(room, 1);
    await catchUp(room, 2);
    await room.dcWelcome(1);
    room.dcAdd(1);
    await catchUp(room, 2);
    expect(mls.epochOf(room.group(1)!)).toBe(2);

    // ... and builds a group of its own with the victim's real KeyPackage, padded with
    // a puppet member so that the victim enters at epoch 2 too, like the honest group.
    const fakeDc = await mls.newMember(ctx, 1);
    const puppet = await mls.newMember(ctx, 2);
    const genesis = await mls.createGroup(ctx, fakeDc, "dca-room");
    const withPuppet = await mls.commitAdd(ctx, genesis, puppet.keyPackage);
    // (The attacker's own committer signs the removes its Welcome entry states: spec/welcome-auth.md.)
    const withVictim = await mls.commitAdd(ctx, withPuppet.group, realKeyPackage, { removes: [] });
    room.deliver({ type: "welcome", target: victim, epoch: 2, sender: 1, members: [1, 2, victim], removes: [], welcome: withVictim.welcome });
    room.deliver({ type: "add", target: victim, epoch: 1, sender: 1, parent: 1, commit: withVictim.commit });
    await catchUp(room, victim);

    // The victim believes it is in: same epoch number, same membership as the honest room.
    expect(room.state(victim)).toMatchObject({ welcomed: true, epoch: 2, members: [1, 2, victim] });
    expect(mls.epochOf(room.group(victim)!)).toBe(mls.epochOf(room.group(1)!));
    // So anything computed from the epoch number alone would match and hide the attack ...
    expect(epochOnlyNumber(mls.epochOf(room.group(victim)!))).toBe(epochOnlyNumber(mls.epochOf(room.group(1)!)));
    // ... while the safety number, from the epoch authenticator, exposes it.
    expect(numberOf(room, victim)).not.toBe(numberOf(room, 1));
    expect(numberOf(room, victim)).not.toBe(numberOf(room, 2));
    expect(numberOf(room, 1)).toBe(numberOf(room, 2));
  });
});
