// A cover of a finite graph by paths, for choosing which behaviours of a model
// become replayable traces; pure functions, knowing no particular model.
//
// The graph's edges carry "keys" (for a TLA+ model: the action with its
// parameters, e.g. "Send u=1 to=2", and finer details of the step). For
// every key on a reachable edge, take a shortest path from an initial node through
// an edge with that key, extend it by a shortest path (over the edges allowed for
// extensions) to a goal node (the first goal, in order of preference, reachable
// from where it ends), and keep only paths that cover a key no path kept before
// covers. Random walks (TLC's -simulate) are cut and ranked here too.
//
// Determinism: everything depends only on the order of `edges` (and of `initial`).
// The caller orders them canonically (`canonicalOrder`: not in TLC's dump order,
// which depends on fingerprints and worker scheduling), so the same model gives the
// same traces.

/**
 * The nodes of a TLC state graph in the order of their TLA+ text, never TLC's
 * (fingerprints, worker scheduling): `ids` in that order and each id's index.
 */
export function canonicalOrder(states: ReadonlyMap<string, { stateText: string }>): { ids: string[]; index: Map<string, number> } {
  const ids = [...states.keys()];
  const text = (id: string) => states.get(id)!.stateText;
  ids.sort((a, b) => (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0));
  return { ids, index: new Map(ids.map((id, i) => [id, i])) };
}

export interface KeyedEdge {
  from: number;
  to: number;
  /** What taking this edge covers; keys[0] is its main key (the action and its parameters). */
  keys: string[];
}

export interface KeyedGraph {
  /** Nodes are 0..size-1. */
  size: number;
  initial: number[];
  /** Out-edges of a node are tried in this order. */
  edges: KeyedEdge[];
}

/** A walk in the graph: nodes[i] -edges[i]-> nodes[i+1]. */
export interface Path {
  nodes: number[];
  edges: number[];
}

export class GraphError extends Error {
  override name = "GraphError";
}

function check(g: KeyedGraph): void {
  const ok = (n: number) => Number.isInteger(n) && n >= 0 && n < g.size;
  g.initial.forEach((n) => {
    if (!ok(n)) throw new GraphError(`initial node ${n} is not in 0..${g.size - 1}`);
  });
  g.edges.forEach((e, i) => {
    if (!ok(e.from) || !ok(e.to)) throw new GraphError(`edge ${i} (${e.from} -> ${e.to}) names a node not in 0..${g.size - 1}`);
  });
}

/** Out-edge indices per node, in edge order. */
export function outEdges(g: KeyedGraph): number[][] {
  const out: number[][] = Array.from({ length: g.size }, () => []);
  g.edges.forEach((e, i) => out[e.from]!.push(i));
  return out;
}

export interface BfsTree {
  /** Steps from the nearest source; -1 if unreachable. */
  dist: Int32Array;
  /** The edge by which BFS first reached the node; -1 for sources and unreachable nodes. */
  via: Int32Array;
}

/** Breadth-first search from `sources`, trying out-edges in edge order. */
export function bfs(g: KeyedGraph, sources: number[], out = outEdges(g)): BfsTree {
  check(g);
  return layeredSearch(g.size, sources, (n) => out[n]!, (ei) => g.edges[ei]!.to);
}

/**
 * Breadth-first search from `sources` along the edges `edgesOf(n)` leads to
 * (`otherEnd`): forwards over out-edges, or backwards over in-edges. `via[n]` is
 * the edge that first reached n.
 */
function layeredSearch(size: number, sources: Iterable<number>, edgesOf: (n: number) => readonly number[], otherEnd: (edge: number) => number): BfsTree {
  const dist = new Int32Array(size).fill(-1);
  const via = new Int32Array(size).fill(-1);
  const queue: number[] = [];
  for (const s of sources) {
    if (dist[s] === -1) {
      dist[s] = 0;
      queue.push(s);
    }
  }
  for (let head = 0; head < queue.length; head++) {
    const n = queue[head]!;
    for (const ei of edgesOf(n)) {
      const m = otherEnd(ei);
      if (dist[m] === -1) {
        dist[m] = dist[n]! + 1;
        via[m] = ei;
        queue.push(m);
      }
    }
  }
  return { dist, via };
}

/** The BFS tree's path from a source to `node` (which must be reachable). */
export function pathTo(g: KeyedGraph, tree: BfsTree, node: number): Path {
  if (tree.dist[node] === -1) throw new GraphError(`node ${node} is not reachable`);
  const nodes = [node];
  const edges: number[] = [];
  for (let n = node; tree.via[n] !== -1; ) {
    const ei = tree.via[n]!;
    edges.push(ei);
    n = g.edges[ei]!.from;
    nodes.push(n);
  }
  return { nodes: nodes.reverse(), edges: edges.reverse() };
}

export interface GoalDistance {
  /** Steps to the nearest goal node; -1 if none is reachable. */
  dist: Int32Array;
  /** The first edge of a shortest way there (the first such out-edge in edge order); -1 at goals. */
  next: Int32Array;
}

/**
 * Shortest distances to the nearest node satisfying `isGoal` (BFS on reversed
 * edges), using only the edges `via` allows (default: all).
 */
export function distanceToGoal(
  g: KeyedGraph,
  isGoal: (node: number) => boolean,
  via: (edge: KeyedEdge) => boolean = () => true,
  out = outEdges(g),
): GoalDistance {
  check(g);
  const incoming: number[][] = Array.from({ length: g.size }, () => []);
  g.edges.forEach((e, i) => {
    if (via(e)) incoming[e.to]!.push(i);
  });
  const goals = Array.from({ length: g.size }, (_, n) => n).filter(isGoal);
  const { dist } = layeredSearch(g.size, goals, (n) => incoming[n]!, (ei) => g.edges[ei]!.from);
  // The next hop is chosen forwards, so ties go to the first out-edge in edge order.
  const next = new Int32Array(g.size).fill(-1);
  for (let n = 0; n < g.size; n++) {
    if (dist[n]! <= 0) continue;
    next[n] = out[n]!.find((ei) => via(g.edges[ei]!) && dist[g.edges[ei]!.to] === dist[n]! - 1)!;
  }
  return { dist, next };
}

/** Appends a shortest way from the end of `path` to a goal (path must be reachable to one). */
export function extendToGoal(g: KeyedGraph, path: Path, goal: GoalDistance): Path {
  const nodes = [...path.nodes];
  const edges = [...path.edges];
  let n = nodes.at(-1)!;
  if (goal.dist[n] === -1) throw new GraphError(`no goal is reachable from node ${n}`);
  while (goal.dist[n]! > 0) {
    const ei = goal.next[n]!;
    edges.push(ei);
    n = g.edges[ei]!.to;
    nodes.push(n);
  }
  return { nodes, edges };
}

/** Every key on a reachable edge, sorted. */
export function reachableKeys(g: KeyedGraph, tree: BfsTree = bfs(g, g.initial)): string[] {
  const keys = new Set<string>();
  for (const e of g.edges) if (tree.dist[e.from] !== -1) e.keys.forEach((k) => keys.add(k));
  return [...keys].sort();
}

/**
 * For each key on a reachable edge: a shortest path from an initial node whose last
 * edge has that key (ties: the first such edge in edge order).
 */
export function shortestPathPerKey(g: KeyedGraph, tree: BfsTree = bfs(g, g.initial)): Map<string, Path> {
  const best = new Map<string, number>(); // key -> edge index
  g.edges.forEach((e, i) => {
    if (tree.dist[e.from] === -1) return;
    for (const key of e.keys) {
      const prev = best.get(key);
      if (prev === undefined || tree.dist[e.from]! < tree.dist[g.edges[prev]!.from]!) best.set(key, i);
    }
  });
  const paths = new Map<string, Path>();
  for (const key of [...best.keys()].sort()) {
    const ei = best.get(key)!;
    const prefix = pathTo(g, tree, g.edges[ei]!.from);
    paths.set(key, { nodes: [...prefix.nodes, g.edges[ei]!.to], edges: [...prefix.edges, ei] });
  }
  return paths;
}

export interface CoverPath {
  /** The key this path was chosen for: its shortest path ends at step `keyStep`. */
  key: string;
  path: Path;
  /** 1-based: path.edges[keyStep - 1] is the edge with `key`; the rest is the extension to a goal. */
  keyStep: number;
  /** Every key on the path, sorted. */
  covers: string[];
  /** Index of the goal the path ends in (0 = most preferred), or undefined if none was reachable. */
  goal?: number;
}

export interface Selection {
  /** Every key on a reachable edge, sorted. */
  reachable: string[];
  paths: CoverPath[];
}

export interface SelectOptions {
  /** Goal predicates, most preferred first; a path is extended to the first one reachable from its end. */
  goals?: ((node: number) => boolean)[];
  /** The edges an extension to a goal may take (default: all). */
  extendVia?: (edge: KeyedEdge) => boolean;
  /** Order in which keys get their own path: "shortest" (default) or "longest" first. */
  order?: "shortest" | "longest";
}

const keysOf = (g: KeyedGraph, p: Path) => [...new Set(p.edges.flatMap((ei) => g.edges[ei]!.keys))].sort();

/**
 * Paths that together cover every reachable key: keys are taken in order of their
 * shortest path's length (then by name); a key already covered by a path kept
 * earlier gets no path of its own.
 */
export function selectCoverPaths(g: KeyedGraph, opts: SelectOptions = {}): Selection {
  const out = outEdges(g);
  const tree = bfs(g, g.initial, out);
  const goals = (opts.goals ?? []).map((isGoal) => distanceToGoal(g, isGoal, opts.extendVia, out));
  const shortest = shortestPathPerKey(g, tree);
  const sign = opts.order === "longest" ? -1 : 1;
  const order = [...shortest.keys()].sort((a, b) => sign * (shortest.get(a)!.edges.length - shortest.get(b)!.edges.length) || (a < b ? -1 : a > b ? 1 : 0));
  const covered = new Set<string>();
  const paths: CoverPath[] = [];
  for (const key of order) {
    if (covered.has(key)) continue;
    const prefix = shortest.get(key)!;
    const end = prefix.nodes.at(-1)!;
    const goal = goals.findIndex((gd) => gd.dist[end] !== -1);
    const path = goal === -1 ? prefix : extendToGoal(g, prefix, goals[goal]!);
    const covers = keysOf(g, path);
    covers.forEach((k) => covered.add(k));
    const cp: CoverPath = { key, path, keyStep: prefix.edges.length, covers };
    if (goal !== -1) cp.goal = goal;
    paths.push(cp);
  }
  return { reachable: reachableKeys(g, tree), paths };
}

export interface CoverageRow {
  /** The part of the key before the first space (the action name). */
  group: string;
  reachable: number;
  covered: number;
  missing: string[];
}

/** Coverage of `reachable` keys by `covered` keys, per group (action) and in total. */
export function coverage(reachable: string[], covered: Iterable<string>): { rows: CoverageRow[]; total: CoverageRow } {
  const have = new Set(covered);
  const groups = new Map<string, CoverageRow>();
  const total: CoverageRow = { group: "total", reachable: 0, covered: 0, missing: [] };
  for (const key of [...reachable].sort()) {
    const group = key.split(" ")[0]!;
    const row = groups.get(group) ?? { group, reachable: 0, covered: 0, missing: [] };
    groups.set(group, row);
    for (const r of [row, total]) {
      r.reachable++;
      if (have.has(key)) r.covered++;
      else r.missing.push(key);
    }
  }
  return { rows: [...groups.values()], total };
}

// ---------------------------------------------------------------------------
// Random walks

/** Cuts a walk after the first state whose key is `final` (a final stuttering step that TLC repeats to the depth bound). */
export function trimAfterFirst<T>(states: T[], keyOf: (s: T) => string, final: string): T[] {
  const i = states.findIndex((s) => keyOf(s) === final);
  return i === -1 ? states : states.slice(0, i + 1);
}

/**
 * The index of the "most interesting" walk: the most distinct keys, then the most
 * steps matching `weight`, then the first. Returns -1 for no walks.
 */
export function pickWalk(walks: string[][], weight: (key: string) => boolean = () => false): number {
  let best = -1;
  let bestScore: [number, number] = [-1, -1];
  walks.forEach((keys, i) => {
    const score: [number, number] = [new Set(keys).size, keys.filter(weight).length];
    if (score[0] > bestScore[0] || (score[0] === bestScore[0] && score[1] > bestScore[1])) {
      best = i;
      bestScore = score;
    }
  });
  return best;
}
