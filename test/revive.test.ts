// A dead room revives (spec/dca.md R15), on the implementation with real MLS: TLC's trace
// traces/model/cover-Read-add-confirms-welcome-dropping-stale-removes.itf.json (users 2
// and 3 arrive, the creator leaves, 2 sees the room is dead, creates a new group and adds
// 3, who drops its stale remove of 1 on entering) replays step by step, and at its end the
// revived group's members show one safety number, not the dead group's, from a group with
// a new group id. The second test is the same room without the revive (known-bad
// NoRevive): nobody ever gets a group. The last two: a joiner that refused a (forged)
// Welcome for itself never revives, which the same room without the forgery does.
// Budget: about 3 s.
import { describe, expect, it } from "vitest";
import * as mls from "../impl/mls.ts";
import { Room } from "../impl/room.ts";
import { safetyNumber } from "../impl/safety-number.ts";
import { replayTrace } from "../conformance/replay/replay-trace.ts";
import { readItf } from "../scripts/tlc/formats/itf.ts";

const TRACE = "traces/model/cover-Read-add-confirms-welcome-dropping-stale-removes.itf.json";
const number = (room: Room, u: number) => {
  const g = room.group(u);
  return g ? safetyNumber(mls.epochAuthenticator(g)) : null;
};
const contains = (bytes: Uint8Array, text: string) => Buffer.from(bytes).includes(Buffer.from(text));

describe("a dead room revives on the implementation (R15)", () => {
  // @spec DCA!Revive R15 R14
  it("TLC's dead-room-then-revive trace replays; the revived group's members show one safety number", async () => {
    const trace = await readItf(TRACE);
    const actions = trace.states.map((s) => s["#meta"]?.action);
    expect(actions).toContain("Revive");
    let genesis: string | null = null;
    let last: Room | undefined;
    const report = await replayTrace(trace, {
      file: TRACE,
      mls: true,
      onRoom: (i, room) => {
        if (i === 0) genesis = number(room, 1);
        last = room;
      },
    });
    expect(report.firstDivergence).toBeUndefined();
    const room = last!;
    expect(room.revivals).toEqual([{ uid: 2, logLength: expect.any(Number) }]);
    expect(room.state(1).status).toBe("gone");
    for (const u of [2, 3]) expect(room.state(u)).toMatchObject({ welcomed: true, members: [2, 3], epoch: 1, by: 2, pendingRemoves: [] });
    const [two, three] = [number(room, 2), number(room, 3)];
    expect(two).toMatch(/^(\d{5} ){5}\d{5}$/);
    expect(three).toBe(two);
    expect(genesis).toMatch(/^(\d{5} ){5}\d{5}$/);
    expect(two).not.toBe(genesis);
    // A fresh MLS group: its id is the reviver's, not the dead room's.
    const encoded = mls.encodeGroup(room.group(3)!);
    expect(contains(encoded, "dca-room/revived-by-2")).toBe(true);
  });

  it("without the revive (known-bad NoRevive) the same room strands both live users", async () => {
    const room = await Room.create({ variant: "NoRevive", mls: true });
    await room.join();
    await room.join();
    room.leave(1);
    for (const u of [2, 3]) while (room.state(u).cursor < room.log.length) await room.read(u);
    expect(room.state(2).ahead).toEqual([]);
    expect(room.enabledDcSteps()).toEqual([]);
    await expect(room.revive(2)).rejects.toThrow(/cannot revive/);
    expect([room.group(2), room.group(3)]).toEqual([null, null]);
    // The correct rule, same room: user 2 may revive.
    const ok = await Room.create({ mls: false });
    await ok.join();
    await ok.join();
    ok.leave(1);
    for (const u of [2, 3]) while (ok.state(u).cursor < ok.log.length) await ok.read(u);
    expect(ok.enabledDcSteps()).toEqual(["Revive(2)"]);
  });
});

describe("a joiner that refused a Welcome for itself never revives (R15; tla/DCA_ForgedWelcome.tla)", () => {
  // @spec DCA!Revive R15 — the group may count such a joiner as a member: reviving alone would split the room.
  const deadRoom = async (forge: boolean) => {
    const room = await Room.create({ mls: true });
    const two = await room.join();
    while (room.state(1).cursor < room.log.length) await room.read(1);
    if (forge) room.deliver({ type: "welcome", target: two, epoch: 1, sender: 1, members: [1, two], removes: [], welcome: new Uint8Array([1, 2, 3]) });
    room.leave(1);
    const refused: string[] = [];
    while (room.state(two).cursor < room.log.length) {
      const out = await room.read(two);
      if (out.kind === "rejected") refused.push(out.error.reason);
    }
    return { room, two, refused };
  };

  it("a forged Welcome refused, then every member gone: no revive is offered, and one asked for is refused", async () => {
    const { room, two, refused } = await deadRoom(true);
    expect(refused).toHaveLength(1);
    expect(room.state(two)).toMatchObject({ welcomed: false, ahead: [] });
    expect(room.enabledDcSteps()).toEqual([]);
    await expect(room.revive(two)).rejects.toThrow(/cannot revive/);
  });

  it("the same room without the forged Welcome: the joiner revives", async () => {
    const { room, two, refused } = await deadRoom(false);
    expect(refused).toEqual([]);
    expect(room.enabledDcSteps()).toEqual([`Revive(${two})`]);
    await room.revive(two);
    expect(room.state(two)).toMatchObject({ welcomed: true, members: [two], epoch: 0, by: two });
  });
});
