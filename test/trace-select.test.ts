import { describe, expect, it } from "vitest";
import type { ItfValue } from "../scripts/tlc/formats/tla-values.ts";
import {
  bfs,
  coverage,
  distanceToGoal,
  extendToGoal,
  GraphError,
  pickWalk,
  reachableKeys,
  selectCoverPaths,
  shortestPathPerKey,
  trimAfterFirst,
  type KeyedGraph,
  type Path,
} from "../scripts/tlc/graph-cover.ts";
import { detailKeys, isGroupDead, isQuiescent, stepKey, stepOf } from "../conformance/generate/trace-select.ts";

// A tiny graph (node 0 initial, node 6 unreachable):
//
//   0 -a-> 1 -c-> 3 -d-> 4 -e-> 5        e2 (1->3) comes before e3 (2->3):
//   0 -b-> 2 -c-> 3      4 <-f- 5        a tie for "c" goes to the earlier edge.
//          2 -d,detail-> 4 -leave-> 0    6 -z-> 0
const E = (from: number, to: number, ...keys: string[]) => ({ from, to, keys });
const tiny: KeyedGraph = {
  size: 7,
  initial: [0],
  edges: [
    E(0, 1, "a"), // e0
    E(0, 2, "b"), // e1
    E(1, 3, "c"), // e2
    E(2, 3, "c"), // e3
    E(3, 4, "d"), // e4
    E(2, 4, "d", "detail"), // e5
    E(4, 5, "e"), // e6
    E(5, 4, "f"), // e7
    E(6, 0, "z"), // e8
    E(4, 0, "leave"), // e9
  ],
};
const noLeave = (e: { keys: string[] }) => e.keys[0] !== "leave";
const keysOn = (g: KeyedGraph, p: Path) => p.edges.map((ei) => g.edges[ei]!.keys[0]);

describe("graph search", () => {
  it("bfs: distances from the initial nodes, -1 when unreachable", () => {
    const t = bfs(tiny, tiny.initial);
    expect([...t.dist]).toEqual([0, 1, 1, 2, 2, 3, -1]);
    expect([...t.via]).toEqual([-1, 0, 1, 2, 5, 6, -1]);
  });

  it("reachable keys: every key of an edge leaving a reachable node, sorted", () => {
    expect(reachableKeys(tiny)).toEqual(["a", "b", "c", "d", "detail", "e", "f", "leave"]);
  });

  it("shortest path per key: through the nearest edge with the key; ties go to the earlier edge", () => {
    const paths = shortestPathPerKey(tiny);
    expect([...paths.keys()]).toEqual(["a", "b", "c", "d", "detail", "e", "f", "leave"]);
    expect(paths.get("c")).toEqual({ nodes: [0, 1, 3], edges: [0, 2] });
    expect(paths.get("d")).toEqual({ nodes: [0, 2, 4], edges: [1, 5] }); // not 0-1-3-4
    expect(paths.get("detail")).toEqual(paths.get("d"));
    expect(paths.get("f")).toEqual({ nodes: [0, 2, 4, 5, 4], edges: [1, 5, 6, 7] });
    expect(paths.has("z")).toBe(false);
  });

  it("distance to a goal, and the first edge of a shortest way there", () => {
    const d = distanceToGoal(tiny, (n) => n === 5);
    expect([...d.dist]).toEqual([3, 3, 2, 2, 1, 0, 4]);
    expect(d.next[0]).toBe(1); // 0 -b-> 2 (e0 leads to 1, at distance 3)
    expect(d.next[5]).toBe(-1);
    // Only the edges allowed: without "leave", node 0 cannot be reached from 4.
    const back = distanceToGoal(tiny, (n) => n === 0, noLeave);
    expect([back.dist[4], back.dist[6]]).toEqual([-1, 1]);
    expect(extendToGoal(tiny, { nodes: [0, 1], edges: [0] }, d)).toEqual({ nodes: [0, 1, 3, 4, 5], edges: [0, 2, 4, 6] });
    expect(() => extendToGoal(tiny, { nodes: [0, 2, 4], edges: [1, 5] }, back)).toThrow(GraphError);
  });

  it("rejects edges naming nodes that do not exist", () => {
    expect(() => bfs({ size: 2, initial: [0], edges: [E(0, 2, "x")] }, [0])).toThrow("edge 0 (0 -> 2) names a node not in 0..1");
    expect(() => bfs({ size: 1, initial: [3], edges: [] }, [3])).toThrow("initial node 3 is not in 0..0");
  });
});

describe("selectCoverPaths", () => {
  const goals = [(n: number) => n === 5, (n: number) => n === 0];

  it("shortest keys first; a key covered by a path already kept gets none; paths extended to the preferred goal", () => {
    const sel = selectCoverPaths(tiny, { goals, extendVia: noLeave });
    expect(sel.reachable).toEqual(["a", "b", "c", "d", "detail", "e", "f", "leave"]);
    expect(sel.paths.map((p) => [p.key, p.keyStep, keysOn(tiny, p.path), p.goal])).toEqual([
      ["a", 1, ["a", "c", "d", "e"], 0],
      ["b", 1, ["b", "d", "e"], 0],
      ["leave", 3, ["b", "d", "leave", "b", "d", "e"], 0],
      ["f", 4, ["b", "d", "e", "f", "e"], 0],
    ]);
    expect(sel.paths[1]!.covers).toEqual(["b", "d", "detail", "e"]);
    // Every reachable key is covered, and every path starts at the initial node.
    expect(new Set(sel.paths.flatMap((p) => p.covers))).toEqual(new Set(sel.reachable));
    for (const p of sel.paths) expect(p.path.nodes[0]).toBe(0);
  });

  it("longest keys first gives fewer, longer paths", () => {
    const sel = selectCoverPaths(tiny, { goals, extendVia: noLeave, order: "longest" });
    expect(sel.paths.map((p) => [p.key, keysOn(tiny, p.path)])).toEqual([
      ["f", ["b", "d", "e", "f", "e"]],
      ["leave", ["b", "d", "leave", "b", "d", "e"]],
      ["c", ["a", "c", "d", "e"]],
    ]);
  });

  it("falls back to a less preferred goal, or to no extension when no goal is reachable", () => {
    const line: KeyedGraph = { size: 4, initial: [0], edges: [E(0, 1, "x"), E(1, 2, "y"), E(0, 3, "w")] };
    const sel = selectCoverPaths(line, { goals: [(n) => n === 99, (n) => n === 2] });
    expect(sel.paths.map((p) => [p.key, keysOn(line, p.path), p.goal])).toEqual([
      ["w", ["w"], undefined],
      ["x", ["x", "y"], 1],
    ]);
  });

  it("no goals: the bare shortest paths", () => {
    const sel = selectCoverPaths(tiny);
    expect(sel.paths.map((p) => p.key)).toEqual(["a", "b", "c", "d", "e", "leave", "f"]); // "detail" comes with "d"
    expect(sel.paths.every((p) => p.goal === undefined && p.keyStep === p.path.edges.length)).toBe(true);
  });
});

describe("coverage, random walks", () => {
  it("coverage per action (the key's first word) and in total", () => {
    const c = coverage(["Join u=2", "Join u=3", "Read u=1", "AllGone"], ["Join u=2", "Read u=1", "Leave u=9"]);
    expect(c.rows).toEqual([
      { group: "AllGone", reachable: 1, covered: 0, missing: ["AllGone"] },
      { group: "Join", reachable: 2, covered: 1, missing: ["Join u=3"] },
      { group: "Read", reachable: 1, covered: 1, missing: [] },
    ]);
    expect(c.total).toEqual({ group: "total", reachable: 4, covered: 2, missing: ["AllGone", "Join u=3"] });
  });

  it("trimAfterFirst cuts TLC's repeated AllGone; pickWalk prefers variety, then weight, then the first", () => {
    expect(trimAfterFirst(["Init", "Leave", "AllGone", "AllGone"], (s) => s, "AllGone")).toEqual(["Init", "Leave", "AllGone"]);
    expect(trimAfterFirst(["Init", "Read"], (s) => s, "AllGone")).toEqual(["Init", "Read"]);
    const dc = (k: string) => k.startsWith("Dc");
    expect(pickWalk([["a", "a"], ["a", "b"], ["b", "a"]], dc)).toBe(1);
    expect(pickWalk([["a", "b"], ["DcAdd", "b"]], dc)).toBe(1);
    expect(pickWalk([])).toBe(-1);
  });
});

// ---------------------------------------------------------------------------
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
