// The cover of a keyed graph by paths (graph-cover.ts): searches, the chosen paths,
// coverage and the ranking of random walks, on small hand-made graphs.

import { describe, expect, it } from "vitest";
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
} from "../graph-cover.ts";

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
    const hot = (k: string) => k.startsWith("Hot");
    expect(pickWalk([["a", "a"], ["a", "b"], ["b", "a"]], hot)).toBe(1);
    expect(pickWalk([["a", "b"], ["HotAdd", "b"]], hot)).toBe(1);
    expect(pickWalk([])).toBe(-1);
  });
});
