// The member machine's transitions are pure: a recorded event sequence replayed
// through XState's side-effect-free transition() gives the same state.
import { createActor, initialTransition, transition } from "xstate";
import { describe, expect, it } from "vitest";
import { memberMachine, type MemberEvent, type MemberInput } from "../impl/member.ts";
import { NO_UID, type LogEntry } from "../impl/types.ts";

const log: LogEntry[] = [
  { type: "joined", uid: 3 },
  { type: "welcome", target: 2, epoch: 1, sender: 1, members: [1, 2], removes: [] },
  { type: "welcome", target: 2, epoch: 1, sender: 4, members: [1, 2, 4], removes: [1] },
  { type: "add", target: 2, epoch: 0, sender: 1, parent: NO_UID },
  { type: "add", target: 2, epoch: 0, sender: 4, parent: NO_UID },
  { type: "left", uid: 1 },
  { type: "add", target: 3, epoch: 1, sender: 4, parent: 4 },
];

describe("member machine", () => {
  const input: MemberInput = { uid: 2, variant: "Correct", cursor: 0 };
  const events: MemberEvent[] = log.map((entry) => ({ type: "READ", entry }));

  it("replays a recorded event sequence to the same state through the pure transition()", () => {
    const actor = createActor(memberMachine, { input });
    actor.start();
    for (const e of events) actor.send(e);
    const live = actor.getSnapshot();

    let [snapshot] = initialTransition(memberMachine, input);
    for (const e of events) [snapshot] = transition(memberMachine, snapshot, e);
    expect(snapshot.context).toEqual(live.context);
    expect(snapshot.value).toEqual(live.value);
  });

  it("follows R8: a later Welcome replaces a tentative one, and only its own Add confirms it", () => {
    let [s] = initialTransition(memberMachine, input);
    for (const e of events.slice(0, 4)) [s] = transition(memberMachine, s, e);
    // After the first DC's Add: the tentative Welcome is the second one (from 4), so 1's Add does not confirm.
    expect(s.value).toEqual({ active: "joining" });
    expect(s.context.state.tentative?.sender).toBe(4);
    [s] = transition(memberMachine, s, events[4]!);
    expect(s.value).toEqual({ active: "member" });
    expect(s.context.state).toMatchObject({ welcomed: true, epoch: 1, by: 4, members: [1, 2, 4], pendingRemoves: [1], ahead: [4] });
    for (const e of events.slice(5)) [s] = transition(memberMachine, s, e);
    expect(s.context.state).toMatchObject({ epoch: 2, by: 4, members: [1, 2, 3, 4], pendingAdds: [], cursor: 7 });
  });

  it("refuses a DC step its state does not allow (no transition)", () => {
    const [s] = initialTransition(memberMachine, input);
    expect(s.can({ type: "DC_ADD", entry: { type: "add", target: 3, epoch: 0, sender: 2, parent: NO_UID } })).toBe(false);
    const [after] = transition(memberMachine, s, { type: "DC_ADD", entry: { type: "add", target: 3, epoch: 0, sender: 2, parent: NO_UID } });
    expect(after.context).toEqual(s.context);
  });
});
