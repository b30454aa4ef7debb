// A parser for Graphviz DOT, and the reading of TLC's state-graph dump
// (`tlc2.TLC -dump dot[,actionlabels][,colorize] FILE.dot`) on top of it.
//
// What TLC writes (1.7.x and later; details vary by version):
//
//   strict digraph DiskGraph {
//   nodesep=0.35;
//   subgraph cluster_graph {
//   color="white";
//   -5726248969979 [label="/\\ x = 1\n/\\ s = \"a\"",style = filled]     <- an initial state
//   -5726248969979 -> 4916458990664 [label="Next",color="black",fontcolor="black"];
//   4916458990664 [label="/\\ x = 2\n/\\ s = \"b\""];                  <- first time a state is seen
//   {rank = same; -5726248969979;}
//   }
//   subgraph cluster_legend { ... }      <- only with colorize: one node per action, no state
//   }
//
// - Node ids are state fingerprints: 64-bit signed integers, beyond JavaScript's
//   safe integers, so ids are kept as strings.
// - A label is the state as TLC prints it, escaped by TLC: "\" becomes "\\", a
//   double quote "\"" and a newline "\n". tlcStateGraph undoes exactly that.
// - An edge label is the action's operator name (TLC 1.7.x prints no arguments);
//   later TLCs may add a second line, which tlcStateGraph drops.
// - Initial states carry `style = filled`; later TLCs also fill states outside the
//   model's constraints, with a `fillcolor`, so those are not initial.
//
// The DOT grammar followed is https://graphviz.org/doc/info/lang.html: keywords are
// case-insensitive, `;` and `,` separators are optional, `//`, `/* */` and `#`-lines
// are comments, quoted strings may be joined with `+` and continued with a
// backslash-newline. Not supported (clear error): ports (`a:p`) and subgraphs as
// edge endpoints, neither of which TLC writes.

export class DotParseError extends Error {
  override name = "DotParseError";
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
    readonly source?: string,
  ) {
    super(`${source ? `${source}: ` : ""}${reason} at line ${line}, column ${column}`);
  }
}

export interface DotAttrs {
  [name: string]: string;
}

export interface DotNode {
  id: string;
  /** Attributes of every statement that names the node, merged (later ones win). */
  attrs: DotAttrs;
  /** Line of the first statement that names it. */
  line: number;
  /** The subgraph it was first named in ("" for the top level; anonymous ones as "{}"). */
  subgraph: string;
}

export interface DotEdge {
  from: string;
  to: string;
  attrs: DotAttrs;
  line: number;
}

export interface DotGraph {
  strict: boolean;
  directed: boolean;
  name?: string;
  /** Graph attributes set at any level (`a=b;` and `graph [a=b]`); later ones win. */
  attrs: DotAttrs;
  /** In order of first mention. */
  nodes: Map<string, DotNode>;
  /** In file order; in a strict graph, repeated (from, to) pairs are merged into the first. */
  edges: DotEdge[];
}

// ---------------------------------------------------------------------------
// Lexer

type TokenKind = "id" | "punct" | "arrow" | "eof";

interface Token {
  kind: TokenKind;
  /** For "id": the identifier's value (quotes removed, `\"` unescaped); for others the text. */
  text: string;
  /** An "id" that was written as a quoted string (keywords are never quoted). */
  quoted: boolean;
  line: number;
  column: number;
}

const KEYWORDS = new Set(["strict", "graph", "digraph", "node", "edge", "subgraph"]);
const PUNCT = new Set(["{", "}", "[", "]", "=", ";", ",", ":"]);
const IDENT = /[A-Za-z_\u0080-\uffff][A-Za-z_0-9\u0080-\uffff]*/y;
const NUMERAL = /-?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)/y;

class Lexer {
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  private atLineStart = true;

  constructor(
    private readonly text: string,
    private readonly source?: string,
  ) {}

  fail(reason: string, line = this.line, column = this.pos - this.lineStart + 1): never {
    throw new DotParseError(reason, line, column, this.source);
  }

  private newline(at: number): void {
    this.line++;
    this.lineStart = at + 1;
  }

  /** Skips whitespace and comments. */
  private skip(): void {
    const t = this.text;
    for (;;) {
      const ch = t[this.pos];
      if (ch === undefined) return;
      if (ch === "\n") {
        this.newline(this.pos);
        this.pos++;
        this.atLineStart = true;
      } else if (ch === " " || ch === "\t" || ch === "\r" || ch === "\f" || ch === "\v") {
        this.pos++;
      } else if (ch === "#" && this.atLineStart) {
        // A C-preprocessor output line: ignored up to the end of the line.
        while (this.pos < t.length && t[this.pos] !== "\n") this.pos++;
      } else if (ch === "/" && t[this.pos + 1] === "/") {
        while (this.pos < t.length && t[this.pos] !== "\n") this.pos++;
      } else if (ch === "/" && t[this.pos + 1] === "*") {
        const [line, column] = [this.line, this.pos - this.lineStart + 1];
        const end = t.indexOf("*/", this.pos + 2);
        if (end < 0) this.fail("unterminated comment /* …", line, column);
        for (let i = this.pos; i < end; i++) if (t[i] === "\n") this.newline(i);
        this.pos = end + 2;
      } else {
        this.atLineStart = false;
        return;
      }
    }
  }

  next(): Token {
    this.skip();
    const t = this.text;
    const line = this.line;
    const column = this.pos - this.lineStart + 1;
    const tok = (kind: TokenKind, text: string, quoted = false): Token => ({ kind, text, quoted, line, column });
    const ch = t[this.pos];
    if (ch === undefined) return tok("eof", "end of input");
    if (ch === '"') return tok("id", this.quotedString(), true);
    if (ch === "<") return tok("id", this.htmlString());
    if (ch === "-" && (t[this.pos + 1] === ">" || t[this.pos + 1] === "-")) {
      this.pos += 2;
      return tok("arrow", t.slice(this.pos - 2, this.pos));
    }
    if (PUNCT.has(ch)) {
      this.pos++;
      return tok("punct", ch);
    }
    for (const re of [NUMERAL, IDENT]) {
      re.lastIndex = this.pos;
      const m = re.exec(t);
      if (m) {
        this.pos += m[0].length;
        return tok("id", m[0]);
      }
    }
    return this.fail(`unexpected character ${JSON.stringify(ch)}`);
  }

  /**
   * A double-quoted string, possibly continued by `+ "…"`. DOT unescapes only `\"`
   * (and drops a backslash-newline); every other backslash pair is kept as written.
   */
  private quotedString(): string {
    let out = "";
    for (;;) {
      const [line, column] = [this.line, this.pos - this.lineStart + 1];
      this.pos++; // opening quote
      const t = this.text;
      let chunkStart = this.pos;
      for (;;) {
        const ch = t[this.pos];
        if (ch === undefined) this.fail("unterminated quoted string", line, column);
        if (ch === '"') break;
        if (ch === "\n") this.newline(this.pos);
        if (ch === "\\") {
          const esc = t[this.pos + 1];
          if (esc === '"' || esc === "\n" || (esc === "\r" && t[this.pos + 2] === "\n")) {
            out += t.slice(chunkStart, this.pos);
            if (esc === '"') {
              out += '"';
              this.pos += 2;
            } else {
              const len = esc === "\n" ? 2 : 3;
              this.newline(this.pos + len - 1);
              this.pos += len;
            }
            chunkStart = this.pos;
            continue;
          }
          if (esc === undefined) this.fail("unterminated quoted string", line, column);
          this.pos += 2; // keep the pair, e.g. \\ or \n
          continue;
        }
        this.pos++;
      }
      out += t.slice(chunkStart, this.pos);
      this.pos++; // closing quote
      // "a" + "b" concatenates.
      const save = { pos: this.pos, line: this.line, lineStart: this.lineStart, atLineStart: this.atLineStart };
      this.skip();
      if (t[this.pos] === "+") {
        this.pos++;
        this.skip();
        if (t[this.pos] === '"') continue;
        this.fail(`expected a quoted string after "+"`);
      }
      Object.assign(this, save);
      return out;
    }
  }

  /** An HTML string <…> with balanced angle brackets; kept as written, without the outer brackets. */
  private htmlString(): string {
    const [line, column] = [this.line, this.pos - this.lineStart + 1];
    const t = this.text;
    let depth = 0;
    const start = this.pos + 1;
    for (;;) {
      const ch = t[this.pos];
      if (ch === undefined) this.fail("unterminated HTML string <…>", line, column);
      if (ch === "\n") this.newline(this.pos);
      if (ch === "<") depth++;
      if (ch === ">" && --depth === 0) {
        this.pos++;
        return t.slice(start, this.pos - 1);
      }
      this.pos++;
    }
  }
}

// ---------------------------------------------------------------------------
// Parser

const describe = (tok: Token) =>
  tok.kind === "eof" ? "end of input" : tok.kind === "id" && tok.quoted ? `string "${tok.text.slice(0, 30)}"` : `"${tok.text}"`;

class Parser {
  private tok: Token;
  private readonly graph: DotGraph;
  private readonly edgeIndex = new Map<string, number>();

  constructor(private readonly lex: Lexer) {
    this.tok = lex.next();
    this.graph = { strict: false, directed: true, attrs: {}, nodes: new Map(), edges: [] };
  }

  private advance(): Token {
    const t = this.tok;
    this.tok = this.lex.next();
    return t;
  }

  private fail(reason: string, tok = this.tok): never {
    return this.lex.fail(reason, tok.line, tok.column);
  }

  private isKeyword(word: string, tok = this.tok): boolean {
    return tok.kind === "id" && !tok.quoted && tok.text.toLowerCase() === word;
  }

  private isPunct(p: string): boolean {
    return this.tok.kind === "punct" && this.tok.text === p;
  }

  private expectPunct(p: string, context: string): void {
    if (!this.isPunct(p)) this.fail(`expected "${p}" ${context} but found ${describe(this.tok)}`);
    this.advance();
  }

  /** An identifier that is not a keyword. */
  private id(context: string): Token {
    const t = this.tok;
    if (t.kind !== "id") this.fail(`expected ${context} but found ${describe(t)}`);
    if (!t.quoted && KEYWORDS.has(t.text.toLowerCase())) this.fail(`expected ${context} but found the keyword "${t.text}"`);
    return this.advance();
  }

  parse(): DotGraph {
    if (this.isKeyword("strict")) {
      this.graph.strict = true;
      this.advance();
    }
    if (this.isKeyword("digraph")) this.graph.directed = true;
    else if (this.isKeyword("graph")) this.graph.directed = false;
    else this.fail(`expected "digraph" or "graph" at the start of a DOT file but found ${describe(this.tok)}`);
    this.advance();
    if (this.tok.kind === "id") this.graph.name = this.id("a graph name").text;
    const open = this.tok;
    this.expectPunct("{", "to open the graph body");
    this.statements("", open);
    if (this.tok.kind !== "eof") this.fail(`unexpected ${describe(this.tok)} after the end of the graph`);
    return this.graph;
  }

  /** Statements up to the "}" matching `open`. */
  private statements(subgraph: string, open: Token): void {
    for (;;) {
      if (this.tok.kind === "eof") this.fail(`missing "}" for the "{" at line ${open.line}, column ${open.column}`);
      if (this.isPunct("}")) {
        this.advance();
        return;
      }
      if (this.isPunct(";")) {
        this.advance();
        continue;
      }
      this.statement(subgraph);
    }
  }

  private statement(subgraph: string): void {
    const t = this.tok;
    if (this.isKeyword("graph") || this.isKeyword("node") || this.isKeyword("edge")) {
      const kind = this.advance().text.toLowerCase();
      const attrs = this.attrLists(true);
      if (kind === "graph") Object.assign(this.graph.attrs, attrs);
      return; // node/edge defaults: not applied (nodes and edges keep their own attributes)
    }
    if (this.isKeyword("subgraph") || this.isPunct("{")) {
      this.subgraph(subgraph);
      if (this.tok.kind === "arrow") this.fail("a subgraph as an edge endpoint is not supported");
      return;
    }
    const first = this.id("a node id, a subgraph or an attribute statement");
    if (this.isPunct("=")) {
      this.advance();
      const value = this.id(`a value for graph attribute "${first.text}"`);
      this.graph.attrs[first.text] = value.text;
      return;
    }
    if (this.isPunct(":")) this.fail(`node ports ("${first.text}:…") are not supported`);
    if (this.tok.kind === "arrow") {
      const chain = [first];
      while (this.tok.kind === "arrow") {
        const arrow = this.advance();
        if (arrow.text !== (this.graph.directed ? "->" : "--")) {
          this.fail(`"${arrow.text}" in a ${this.graph.directed ? "digraph" : "graph"}`, arrow);
        }
        if (this.isKeyword("subgraph") || this.isPunct("{")) this.fail("a subgraph as an edge endpoint is not supported");
        chain.push(this.id("a node id after the edge operator"));
        if (this.isPunct(":")) this.fail(`node ports ("${chain.at(-1)!.text}:…") are not supported`);
      }
      const attrs = this.attrLists(false);
      for (const n of chain) this.touchNode(n, subgraph, {});
      for (let i = 0; i + 1 < chain.length; i++) this.addEdge(chain[i]!.text, chain[i + 1]!.text, attrs, t.line);
      return;
    }
    this.touchNode(first, subgraph, this.attrLists(false));
  }

  private subgraph(parent: string): void {
    let name = "{}";
    if (this.isKeyword("subgraph")) {
      this.advance();
      if (this.tok.kind === "id") name = this.id("a subgraph name").text;
    }
    const open = this.tok;
    this.expectPunct("{", "to open the subgraph body");
    this.statements(parent === "" ? name : `${parent}/${name}`, open);
  }

  /** Zero or more `[a=b, c=d; e]` lists; `required` for attribute statements. */
  private attrLists(required: boolean): DotAttrs {
    const attrs: DotAttrs = {};
    if (required && !this.isPunct("[")) this.fail(`expected "[" after an attribute statement but found ${describe(this.tok)}`);
    while (this.isPunct("[")) {
      const open = this.advance();
      for (;;) {
        if (this.isPunct("]")) {
          this.advance();
          break;
        }
        if (this.tok.kind === "eof") this.fail(`missing "]" for the "[" at line ${open.line}, column ${open.column}`);
        const name = this.id("an attribute name");
        if (this.isPunct("=")) {
          this.advance();
          attrs[name.text] = this.id(`a value for attribute "${name.text}"`).text;
        } else {
          attrs[name.text] = "true";
        }
        if (this.isPunct(",") || this.isPunct(";")) this.advance();
      }
    }
    return attrs;
  }

  private touchNode(tok: Token, subgraph: string, attrs: DotAttrs): void {
    const node = this.graph.nodes.get(tok.text);
    if (node) Object.assign(node.attrs, attrs);
    else this.graph.nodes.set(tok.text, { id: tok.text, attrs: { ...attrs }, line: tok.line, subgraph });
  }

  private addEdge(from: string, to: string, attrs: DotAttrs, line: number): void {
    if (this.graph.strict) {
      const key = this.graph.directed || from <= to ? `${from}\0${to}` : `${to}\0${from}`;
      const seen = this.edgeIndex.get(key);
      if (seen !== undefined) {
        Object.assign(this.graph.edges[seen]!.attrs, attrs);
        return;
      }
      this.edgeIndex.set(key, this.graph.edges.length);
    }
    this.graph.edges.push({ from, to, attrs: { ...attrs }, line });
  }
}

/** Parses a DOT file; `source` names it in error messages. Throws DotParseError. */
export function parseDot(text: string, source?: string): DotGraph {
  return new Parser(new Lexer(text, source)).parse();
}

// ---------------------------------------------------------------------------
// TLC's state graph

/**
 * Graphviz's escString as TLC uses it: `\\` is a backslash and `\n` (also `\l`,
 * `\r`, Graphviz's left/right-justified line ends) a newline. `\"` was already
 * unescaped by the DOT lexer. Any other escape is an error: TLC never writes one.
 */
export function unescapeLabel(value: string): string {
  if (!value.includes("\\")) return value;
  return value.replace(/\\([\s\S]?)/g, (pair, esc: string, offset: number) => {
    if (esc === "\\") return "\\";
    if (esc === "n" || esc === "l" || esc === "r") return "\n";
    if (esc === '"') return '"';
    throw new Error(`unexpected escape ${JSON.stringify(pair)} in a TLC label at offset ${offset}`);
  });
}

export interface TlcGraphState {
  /** TLC's fingerprint, as written in the dump. */
  id: string;
  /** The state in TLA+ syntax, as TLC prints it (`/\ x = …` lines). */
  stateText: string;
  initial: boolean;
  /** Line of the node's first mention in the dump. */
  line: number;
}

export interface TlcGraphEdge {
  from: string;
  to: string;
  /** The action's name from the edge label, if the dump has labels (`actionlabels`). */
  action?: string;
  line: number;
}

export interface TlcStateGraph {
  states: Map<string, TlcGraphState>;
  edges: TlcGraphEdge[];
  initial: string[];
}

export class TlcDumpError extends Error {
  override name = "TlcDumpError";
}

/** Nodes TLC adds that are not states: the legend of a colorized dump. */
const isLegend = (n: DotNode) => n.subgraph.split("/").includes("cluster_legend");

/**
 * Reads TLC's `-dump dot` output: every node outside the legend is a state whose
 * label is its TLA+ text. Throws TlcDumpError, naming the line, for a state
 * without a label, an edge to or from a non-state, or a dump without initial state.
 */
export function tlcStateGraph(dot: DotGraph, source = "dot dump"): TlcStateGraph {
  if (!dot.directed) throw new TlcDumpError(`${source}: not a TLC state graph (an undirected graph)`);
  const states = new Map<string, TlcGraphState>();
  const initial: string[] = [];
  for (const node of dot.nodes.values()) {
    if (isLegend(node)) continue;
    const label = node.attrs.label;
    if (label === undefined) {
      throw new TlcDumpError(`${source}: node ${node.id} (line ${node.line}) has no label: TLC labels every state with its value`);
    }
    let stateText: string;
    try {
      stateText = unescapeLabel(label);
    } catch (e) {
      throw new TlcDumpError(`${source}: node ${node.id} (line ${node.line}): ${(e as Error).message}`);
    }
    const isInitial = /\bfilled\b/.test(node.attrs.style ?? "") && node.attrs.fillcolor === undefined;
    states.set(node.id, { id: node.id, stateText, initial: isInitial, line: node.line });
    if (isInitial) initial.push(node.id);
  }
  const edges: TlcGraphEdge[] = [];
  for (const e of dot.edges) {
    for (const end of [e.from, e.to]) {
      if (!states.has(end)) throw new TlcDumpError(`${source}: the edge at line ${e.line} names ${end}, which is not a state of the dump`);
    }
    const edge: TlcGraphEdge = { from: e.from, to: e.to, line: e.line };
    const label = e.attrs.label;
    if (label !== undefined && label !== "") edge.action = unescapeLabel(label).split("\n")[0]!.trim();
    edges.push(edge);
  }
  if (initial.length === 0 && states.size > 0) throw new TlcDumpError(`${source}: no initial state (a node with style=filled)`);
  return { states, edges, initial };
}
