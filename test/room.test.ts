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
