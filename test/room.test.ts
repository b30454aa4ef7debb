import { describe, expect, it } from "vitest";
import { epochAuthenticator, epochOf, membersOf } from "../impl/mls.ts";
import { Room, StepNotEnabled } from "../impl/room.ts";
import { safetyNumber } from "../impl/safety-number.ts";

async function addSecondUser(room: Room): Promise<void> {
  const u = await room.join();
  expect(u).toBe(2);
  await room.read(1); // joined(2)
  await room.dcWelcome(1);
  room.dcAdd(1);
  expect((await room.read(2)).kind).toBe("read"); // welcome: tentative
  expect(room.state(2).welcomed).toBe(false);
  await room.read(2); // add(2): confirms the Welcome
}

describe("room, algorithm only", () => {
  // @spec R1 R3 R7 R8 R10 R12
  it("adds a user: Welcome, then Add, confirmed by the joiner", async () => {
    const room = await Room.create({ mls: false });
    await addSecondUser(room);
    expect(room.state(2)).toMatchObject({ welcomed: true, epoch: 1, by: 1, members: [1, 2], ahead: [1] });
    expect(room.state(1)).toMatchObject({ epoch: 1, by: 1, members: [1, 2], pendingAdds: [], adding: 0 });
    expect(room.log.map((e) => e.type)).toEqual(["joined", "welcome", "add"]);
  });

  it("refuses steps the member's state does not allow", async () => {
    const room = await Room.create({ mls: false });
    expect(() => room.dcAdd(1)).toThrow(StepNotEnabled);
    await expect(room.read(1)).rejects.toThrow(StepNotEnabled);
    await room.join();
    await expect(room.dcWelcome(2)).rejects.toThrow(StepNotEnabled); // not a member
  });
});

describe("known-bad 2 (AddBeforeWelcome), step by step", () => {
  // DCA!DcAddFirst then DCA!DcLateWelcome: the Add is on the log before its Welcome (R12 broken).
  it("strands the joiner: it skips the Add it cannot use yet, then holds a Welcome that nothing confirms", async () => {
    const room = await Room.create({ mls: false, variant: "AddBeforeWelcome" });
    await room.join();
    await room.read(1); // joined(2)
    await expect(room.dcWelcome(1)).rejects.toThrow(StepNotEnabled); // this variant has no Welcome-first step
    await room.dcAddFirst(1);
    expect(room.state(1)).toMatchObject({ epoch: 1, members: [1, 2], adding: 2 }); // applied at once, Welcome owed
    expect(room.enabledDcSteps()).toEqual(["DcLateWelcome(1 → 2)"]);
    room.dcLateWelcome(1);
    expect(room.state(1).adding).toBe(0);
    expect(room.log.map((e) => e.type)).toEqual(["joined", "add", "welcome"]);
    expect(room.log[2]).toMatchObject({ target: 2, epoch: 1, sender: 1 }); // the epoch the Add made

    await room.read(2); // add(2): before any Welcome, so skipped
    await room.read(2); // welcome: tentative, waiting for an Add that is already behind it
    expect(room.state(2)).toMatchObject({ welcomed: false, tentative: { type: "welcome", epoch: 1 } });
    expect(room.enabledDcSteps()).toEqual([]); // quiescent, and user 2 is never welcomed (QuiescentAllWelcomed fails)
  });

  it("is not a step of the correct algorithm", async () => {
    const room = await Room.create({ mls: false });
    await room.join();
    await room.read(1);
    await expect(room.dcAddFirst(1)).rejects.toThrow(StepNotEnabled);
    expect(() => room.dcLateWelcome(1)).toThrow(StepNotEnabled);
  });
});

describe("room on real MLS", () => {
  it("keeps MLS epochs, authenticators and safety numbers equal to the model's epochs", async () => {
    const room = await Room.create();
    await addSecondUser(room);
    const g1 = room.group(1)!, g2 = room.group(2)!;
    expect(epochOf(g1)).toBe(1);
    expect(epochOf(g2)).toBe(1);
    expect(membersOf(g2)).toEqual([1, 2]);
    expect(safetyNumber(epochAuthenticator(g1))).toBe(safetyNumber(epochAuthenticator(g2)));
  });
});
