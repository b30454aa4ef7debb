// The DCA half of trace selection (conformance/generate/trace-select.ts): the
// recorded step, its key, quiescence and the finer details of a step, on states
// written as TLC would print them; and the real model's state graph as TLC dumps it.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseDot, tlcStateGraph } from "../scripts/tlc/formats/dot-graph.ts";
import { parseTlaState, type ItfValue } from "../scripts/tlc/formats/tla-values.ts";
import { detailKeys, isGroupDead, isQuiescent, stepKey, stepOf } from "../conformance/generate/trace-select.ts";

// The DCA helpers, on states written as TLC would print them (ITF values).

type Rec = { [k: string]: ItfValue };
const set = (...xs: number[]) => ({ "#set": xs });
const user = (over: Rec = {}): Rec => ({
  status: "active",
  cursor: 0,
  welcomed: true,
  tentative: { type: "none" },
  epoch: 0,
  by: 0,
  members: set(1),
  ahead: set(),
  pendingAdds: [],
  pendingRemoves: [],
  adding: 0,
  ...over,
});
const state = (st: Rec[], log: Rec[] = [], members = [1], step: Rec = { action: "Init" }): Rec => ({
  log,
  st,
  nextUid: st.length + 1,
  group: { epoch: 0, by: 0, members: set(...members), removed: set() },
  step,
});
const waiting = user({ status: "waiting", welcomed: false, members: set() });
const joined = (uid: number) => ({ type: "joined", uid });

describe("DCA: steps and keys", () => {
  it("stepOf splits the recorded step; stepKey orders u, target, then other parameters", () => {
    const s = state([user()], [], [1], { action: "DcRemove", target: 2, u: 1 });
    expect(stepOf(s)).toEqual({ action: "DcRemove", params: { target: 2, u: 1 } });
    expect(stepKey(stepOf(s))).toBe("DcRemove u=1 target=2");
    expect(stepKey({ action: "X", params: { z: "q", target: 3, a: true } })).toBe('X target=3 a=true z="q"');
    expect(stepKey({ action: "Init", params: {} })).toBe("Init");
    expect(() => stepOf({ log: [] })).toThrow(/no step record/);
    expect(() => stepOf({ step: { "#set": [] } })).toThrow(/no step record/);
  });

  it("isQuiescent: everyone active has read the log and no DC has work", () => {
    expect(isQuiescent(state([user(), waiting]))).toBe(true);
    // 2 joined; 1 has not read it.
    const s1 = state([user(), user({ welcomed: false, members: set(), cursor: 1, ahead: set(1) })], [joined(2)]);
    expect(isQuiescent(s1)).toBe(false);
    // 1 read it: now the DC has an add to do.
    const s2 = state([user({ cursor: 1, pendingAdds: [2] }), user({ welcomed: false, members: set(), cursor: 1, ahead: set(1) })], [joined(2)]);
    expect(isQuiescent(s2)).toBe(false);
    // A pending add of a member that does not believe it is the DC is no work.
    expect(isQuiescent(state([user({ ahead: set(2), pendingAdds: [3] })]))).toBe(true);
    // Between Welcome and Add: work, whatever else.
    expect(isQuiescent(state([user({ adding: 2 })]))).toBe(false);
    // Nobody active: quiescent (and the group is dead).
    const gone = state([user({ status: "gone", welcomed: false, members: set() })]);
    expect([isQuiescent(gone), isGroupDead(gone)]).toEqual([true, true]);
  });

  it("isGroupDead: no active user is in the group's membership", () => {
    expect(isGroupDead(state([user(), waiting]))).toBe(false);
    const s = state([user({ status: "gone" }), user({ welcomed: false })], [], [1]);
    expect(isGroupDead(s)).toBe(true);
  });

  it("detailKeys: what a Read consumes, who leaves, what a Welcome carries", () => {
    const welcome = { type: "welcome", target: 2, epoch: 1, sender: 1, members: set(1, 2), removes: [] };
    const add = { type: "add", target: 2, epoch: 0, sender: 1, parent: 0 };
    const joiner = (over: Rec = {}) => user({ welcomed: false, members: set(), ahead: set(1), ...over });
    const read = (s: Rec, u: number) => detailKeys(s, { action: "Read", params: { u } });
    const s = state([user(), joiner()], [joined(2), welcome, add]);
    expect(read(s, 1)).toEqual(["Read entry=joined"]);
    expect(read(state([user({ cursor: 1 }), joiner()], [joined(2), welcome]), 1)).toEqual(["Read entry=welcome-other"]);
    expect(read(state([user(), joiner()], [welcome, add]), 2)).toEqual(["Read entry=welcome-self"]);
    const tentative = joiner({ cursor: 1, tentative: welcome });
    expect(read(state([user(), tentative], [welcome, add]), 2)).toEqual(["Read entry=add-confirms-welcome"]);
    expect(read(state([user(), tentative], [welcome, welcome]), 2)).toEqual(["Read entry=welcome-self-replaces"]);
    expect(read(state([user(), joiner()], [add]), 2)).toEqual(["Read entry=commit-before-welcome"]);
    expect(read(state([user({ epoch: 1, by: 1 }), joiner()], [add]), 1)).toEqual(["Read entry=commit-own"]);
    expect(read(state([user(), user({ members: set(1, 2) })], [{ ...add, target: 3, sender: 1 }]), 2)).toEqual(["Read entry=add-apply"]);
    expect(read(state([user(), user({ epoch: 5 })], [{ ...add, type: "remove" }]), 2)).toEqual(["Read entry=remove-reject"]);

    const leave = (s: Rec, u: number) => detailKeys(s, { action: "Leave", params: { u } });
    expect(leave(state([user({ adding: 2 }), tentative]), 1)).toEqual(["Leave role=dc-mid-add"]);
    expect(leave(state([user(), joiner()]), 1)).toEqual(["Leave role=dc"]);
    expect(leave(state([user(), user({ ahead: set(1) })]), 2)).toEqual(["Leave role=member"]);
    expect(leave(state([user(), tentative]), 2)).toEqual(["Leave role=joiner-tentative"]);
    expect(leave(state([user(), joiner()]), 2)).toEqual(["Leave role=joiner"]);

    const dcw = (s: Rec) => detailKeys(s, { action: "DcWelcome", params: { u: 1, target: 2 } });
    expect(dcw(state([user({ pendingAdds: [2] }), joiner()]))).toEqual([]);
    expect(dcw(state([user({ pendingAdds: [2], pendingRemoves: [3] }), tentative]))).toEqual([
      "DcWelcome carries-removes",
      "DcWelcome replaces-tentative",
    ]);
    expect(detailKeys(s, { action: "DcAdd", params: { u: 1, target: 2 } })).toEqual([]);
    expect(detailKeys(s, { action: "AllGone", params: {} })).toEqual([]);
  });
});

describe("DCA_Record's state graph as TLC dumps it (captured: test/fixtures/dot/dca-2users.dot)", () => {
  it("dca-2users.dot: the real model's wrapper; each edge's label is the action its target records", () => {
    const g = tlcStateGraph(parseDot(readFileSync(new URL("fixtures/dot/dca-2users.dot", import.meta.url), "utf8"), "dca-2users.dot"));
    expect(g.states.size).toBe(83); // TLC: "83 distinct states found"
    expect(g.edges).toHaveLength(196); // TLC: "197 states generated", minus the initial state
    const steps = new Map([...g.states].map(([id, s]) => [id, stepOf(parseTlaState(s.stateText))]));
    expect(steps.get(g.initial[0]!)).toEqual({ action: "Init", params: {} });
    for (const e of g.edges) expect(steps.get(e.to)!.action).toBe(e.action);
    expect(new Set(g.edges.map((e) => e.action))).toEqual(new Set(["Join", "Leave", "Read", "DcWelcome", "DcAdd", "DcRemove", "AllGone"]));
  });

});
