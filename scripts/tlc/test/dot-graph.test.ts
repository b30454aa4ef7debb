// TLC's state-graph dumps (-dump dot): the DOT grammar, TLC's layouts, and what is
// not a TLC state graph; on dumps of the package's own tiny spec (fixtures/dot/Esc.tla).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DotParseError, parseDot, tlcStateGraph, TlcDumpError, unescapeLabel, type DotGraph } from "../formats/dot-graph.ts";
import { parseTlaState } from "../formats/tla-values.ts";

const fixtures = new URL("fixtures/dot/", import.meta.url).pathname;
const fixture = (name: string) => readFileSync(join(fixtures, name), "utf8");

/** The error parseDot throws for `text`. */
function dotError(text: string): DotParseError {
  try {
    parseDot(text, "bad.dot");
  } catch (e) {
    if (e instanceof DotParseError) return e;
    throw e;
  }
  throw new Error("parseDot accepted the input");
}

describe("parseDot on TLC's dumps (captured, scripts/tlc/test/fixtures/dot/)", () => {
  it("esc.dot: nodes, edges, attributes, escaped labels and 64-bit ids kept as written", () => {
    const text = fixture("esc.dot");
    const g = parseDot(text, "esc.dot");
    expect(g.strict).toBe(true);
    expect(g.directed).toBe(true);
    expect(g.name).toBe("DiskGraph");
    expect(g.nodes.size).toBe(3);
    expect(g.edges).toHaveLength(3);
    // Fingerprints exceed 2^53: ids must be the exact text of the file.
    for (const id of g.nodes.keys()) {
      expect(id).toMatch(/^-?\d+$/);
      expect(text).toContain(`${id} [label=`);
    }
    expect(g.edges.map((e) => e.attrs.label)).toEqual(["Grow", "Grow", "Reset"]);
    expect(g.edges[0]!.attrs).toEqual({ label: "Grow", color: "black", fontcolor: "black" });
    const init = [...g.nodes.values()].find((n) => n.attrs.style === "filled")!;
    expect(init.subgraph).toBe("cluster_graph");
    // The DOT lexer unescapes only \" ; the rest stays for the label decoder.
    expect(init.attrs.label).toBe('/\\\\ n = 0\\n/\\\\ r = [seq |-> <<>>, set |-> {}]\\n/\\\\ s = "a\\\\"b\\\\\\\\c"');
  });

  it("tlcStateGraph(esc.dot): state texts exactly as TLC prints them, actions, the initial state", () => {
    const g = tlcStateGraph(parseDot(fixture("esc.dot")));
    expect(g.initial).toHaveLength(1);
    const texts = [...g.states.values()].map((s) => s.stateText);
    expect(texts).toEqual([
      '/\\ n = 0\n/\\ r = [seq |-> <<>>, set |-> {}]\n/\\ s = "a\\"b\\\\c"',
      '/\\ n = 1\n/\\ r = [seq |-> <<0>>, set |-> {0}]\n/\\ s = "a\\"b\\\\c\\n"',
      '/\\ n = 2\n/\\ r = [seq |-> <<0, 1>>, set |-> {0, 1}]\n/\\ s = "a\\"b\\\\c\\n\\n"',
    ]);
    expect(g.states.get(g.initial[0]!)!.stateText).toBe(texts[0]);
    expect(parseTlaState(texts[2]!)).toEqual({ n: 2, r: { seq: [0, 1], set: { "#set": [0, 1] } }, s: 'a"b\\c\n\n' });
    expect(g.edges.map((e) => e.action)).toEqual(["Grow", "Grow", "Reset"]);
    // The Reset edge goes back to the initial state.
    expect(g.edges[2]!.to).toBe(g.initial[0]);
    expect(g.edges.map((e) => e.line)).toEqual([6, 8, 10]);
  });

  it("esc-colorized.dot: the legend's action nodes are not states", () => {
    const dot = parseDot(fixture("esc-colorized.dot"));
    expect(dot.nodes.get("Grow")).toMatchObject({ subgraph: "cluster_legend", attrs: { label: "Grow", fillcolor: "2" } });
    const g = tlcStateGraph(dot);
    expect(g.states.size).toBe(3);
    expect(g.states.has("Grow")).toBe(false);
    expect(g.edges.map((e) => e.action)).toEqual(["Grow", "Grow", "Reset"]);
  });

  it("the layout of later TLCs: tooltips, node defaults, states outside the model filled in yellow", () => {
    // Hand-made after tlc2/util/DotStateWriter.java of TLC 1.8.
    const text = [
      "strict digraph DiskGraph {",
      "node [shape=box,style=rounded]",
      "nodesep=0.35;",
      "subgraph cluster_graph {",
      'color="white";',
      '-1 [label="/\\\\ x = 0",style = filled]',
      '-1 -> 2 [label="Up\\nx < 3",color="black",fontcolor="black"];',
      '2 [label="/\\\\ x = 1",tooltip="/\\\\ x = 1"];',
      '2 -> 3 [label="Up",color="black",fontcolor="black"];',
      '3 [label="/\\\\ x = 2",tooltip="/\\\\ x = 2",style = filled, fillcolor=lightyellow];',
      "{rank = same; -1;}",
      "}",
      "}",
    ].join("\n");
    const g = tlcStateGraph(parseDot(text));
    expect(g.initial).toEqual(["-1"]);
    expect([...g.states.values()].map((s) => [s.stateText, s.initial])).toEqual([
      ["/\\ x = 0", true],
      ["/\\ x = 1", false],
      ["/\\ x = 2", false],
    ]);
    expect(g.edges.map((e) => e.action)).toEqual(["Up", "Up"]);
  });
});

describe("parseDot: the DOT grammar", () => {
  it("comments, keywords in any case, optional separators, concatenated and continued strings", () => {
    const g = parseDot(
      [
        "/* a block",
        "   comment */ STRICT DiGraph {",
        "# a preprocessor line",
        '  a [label="one" + "two", shape=box; color=red] // trailing comment',
        '  b [label="con\\',
        'tinued"] [style=filled]',
        "  a -> b -> c [weight=2]",
        "  Graph [rankdir=LR]",
        '  "quoted id" -> a',
        "  d [bold]",
        "}",
      ].join("\n"),
    );
    expect(g.strict).toBe(true);
    expect(g.attrs).toEqual({ rankdir: "LR" });
    expect(g.nodes.get("a")!.attrs).toEqual({ label: "onetwo", shape: "box", color: "red" });
    expect(g.nodes.get("b")!.attrs).toEqual({ label: "continued", style: "filled" });
    expect(g.nodes.get("b")!.line).toBe(5);
    expect(g.nodes.get("d")!.attrs).toEqual({ bold: "true" });
    expect(g.edges.map((e) => [e.from, e.to, e.attrs.weight, e.line])).toEqual([
      ["a", "b", "2", 7],
      ["b", "c", "2", 7],
      ["quoted id", "a", undefined, 9],
    ]);
  });

  it("subgraphs (named, anonymous, nested) and where each node was first named", () => {
    const g = parseDot("digraph { subgraph s1 { x; subgraph s2 { y } } { z } x -> w; w [label=\"W\"] }");
    expect([...g.nodes.values()].map((n) => [n.id, n.subgraph])).toEqual([
      ["x", "s1"],
      ["y", "s1/s2"],
      ["z", "{}"],
      ["w", ""],
    ]);
    expect(g.nodes.get("w")!.attrs).toEqual({ label: "W" });
  });

  it("strict graphs merge repeated edges; non-strict ones keep them", () => {
    const text = (strict: string) => `${strict} digraph { a -> b [label=x]; a -> b [color=red]; b -> a }`;
    expect(parseDot(text("strict")).edges.map((e) => [e.from, e.to, e.attrs])).toEqual([
      ["a", "b", { label: "x", color: "red" }],
      ["b", "a", {}],
    ]);
    expect(parseDot(text("")).edges).toHaveLength(3);
  });

  it("undirected graphs, HTML strings and numerals", () => {
    const g = parseDot("graph G { 1 -- -2.5 [label=<<b>bold</b>>]; .5 }");
    expect(g.directed).toBe(false);
    expect(g.edges[0]).toMatchObject({ from: "1", to: "-2.5", attrs: { label: "<b>bold</b>" } });
    expect(g.nodes.has(".5")).toBe(true);
  });
});

describe("parseDot: malformed input gives the reason and the position", () => {
  const cases: [string, string, RegExp, number, number][] = [
    ["unterminated string", 'digraph {\n  a [label="open\n  b\n}', /unterminated quoted string/, 2, 12],
    ["missing closing brace", "digraph {\n  a -> b;\n  subgraph s {\n    c\n}", /missing "}" for the "\{" at line 1, column 9/, 5, 2],
    ["unexpected character", "digraph {\n  a -> b @ c\n}", /unexpected character "@"/, 2, 10],
    ["undirected edge in a digraph", "digraph {\n  a -- b\n}", /"--" in a digraph/, 2, 5],
    ["directed edge in a graph", "graph {\n  a -> b\n}", /"->" in a graph/, 2, 5],
    ["not a graph", "\n\n  node [a=b]", /expected "digraph" or "graph" at the start of a DOT file but found "node"/, 3, 3],
    ["attribute statement without a list", "digraph {\n  node a\n}", /expected "\[" after an attribute statement but found "a"/, 2, 8],
    ["unterminated attribute list", "digraph {\n  a [label=x\n", /missing "]" for the "\[" at line 2, column 5/, 3, 1],
    ["missing attribute value", "digraph {\n  a [label=]\n}", /expected a value for attribute "label" but found "]"/, 2, 12],
    ["keyword as a node id", "digraph {\n  a -> node\n}", /expected a node id after the edge operator but found the keyword "node"/, 2, 8],
    ["port", "digraph {\n  a:n -> b\n}", /node ports \("a:…"\) are not supported/, 2, 4],
    ["subgraph as an endpoint", "digraph {\n  a -> { b c }\n}", /a subgraph as an edge endpoint is not supported/, 2, 8],
    ["text after the graph", "digraph { a }\n}", /unexpected "}" after the end of the graph/, 2, 1],
    ["unterminated comment", "digraph {\n /* no end\n}", /unterminated comment/, 2, 2],
    ["dangling +", 'digraph { a [label="x" + y] }', /expected a quoted string after "\+"/, 1, 26],
    ["empty input", "", /expected "digraph" or "graph" at the start of a DOT file but found end of input/, 1, 1],
  ];
  for (const [what, text, reason, line, column] of cases) {
    it(what, () => {
      const e = dotError(text);
      expect(e.reason).toMatch(reason);
      expect([e.line, e.column]).toEqual([line, column]);
      expect(e.message).toBe(`bad.dot: ${e.reason} at line ${line}, column ${column}`);
    });
  }

  it("a TLC dump cut short (TLC killed while writing)", () => {
    const text = fixture("esc.dot");
    const lines = text.split("\n");
    const cut = [...lines.slice(0, 8), lines[8]!.slice(0, 60)].join("\n"); // inside the third state's label
    const e = dotError(cut);
    expect(e.reason).toBe("unterminated quoted string");
    expect(e.line).toBe(9);
  });
});

describe("tlcStateGraph: what is not a TLC state graph", () => {
  const graph = (body: string): DotGraph => parseDot(`digraph {\n${body}\n}`);

  it("a state without a label", () => {
    expect(() => tlcStateGraph(graph('1 [label="/\\\\ x = 0",style=filled]\n1 -> 2'), "g.dot")).toThrow(
      new TlcDumpError("g.dot: node 2 (line 3) has no label: TLC labels every state with its value"),
    );
  });

  it("an edge to a node of the legend", () => {
    const g2 = graph('subgraph cluster_legend { Next [label="Next"] }\n1 [label="/\\\\ x = 0",style=filled]\n1 -> Next');
    expect(() => tlcStateGraph(g2, "g.dot")).toThrow("g.dot: the edge at line 4 names Next, which is not a state of the dump");
  });

  it("no initial state, an undirected graph, an escape TLC never writes", () => {
    expect(() => tlcStateGraph(graph('1 [label="/\\\\ x = 0"]'))).toThrow(/no initial state/);
    expect(() => tlcStateGraph(parseDot("graph { 1 }"))).toThrow(/undirected/);
    expect(() => tlcStateGraph(graph('1 [label="/\\\\ x = \\\\N\\t",style=filled]'))).toThrow(/node 1 \(line 2\): unexpected escape "\\\\t"/);
  });

  it("unescapeLabel undoes exactly TLC's escaping", () => {
    // TLC: replace \ by \\, then " by \", then newline by \n.
    const tlcEscape = (s: string) => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
    for (const s of ['/\\ s = "a\\"b\\\\c\\n"', "x\ny", "\\n is not a newline", 'q"', '\\"', ""]) {
      const label = parseDot(`digraph { 1 [label="${tlcEscape(s)}"] }`).nodes.get("1")!.attrs.label!;
      expect(unescapeLabel(label)).toBe(s);
    }
  });
});
