// Parser for the value syntax TLC prints in counterexample states, producing
// ITF JSON values (Apalache ADR-015), plus a small pretty-printer back to TLA+.
//
// TLC value syntax          -> ITF value
//   42, -7                  -> 42, -7   (beyond ±(2^53-1): {"#bigint": "…"})
//   "a\"b"                  -> "a\"b"   (escapes \" \\ \n \t \r \f)
//   TRUE / FALSE            -> true / false
//   <<1, "a">>              -> [1, "a"]
//   {1, 2}                  -> {"#set": [1, 2]}
//   1..3                    -> {"#set": [1, 2, 3]}
//   [a |-> 1, b |-> 2]      -> {"a": 1, "b": 2}
//   (1 :> "a" @@ "k" :> 2)  -> {"#map": [[1, "a"], ["k", 2]]}
//   Alice (model value)     -> {"#unserializable": "Alice"}
//
// TLC does not distinguish tuples from sequences: both print as <<…>>, and so
// does any function whose domain is 1..n. We therefore always emit JSON arrays
// (never {"#tup": …}); readers must not rely on the difference.

export type ItfValue =
  | boolean
  | number
  | string
  | ItfValue[]
  | { "#bigint": string }
  | { "#set": ItfValue[] }
  | { "#tup": ItfValue[] }
  | { "#map": [ItfValue, ItfValue][] }
  | { "#unserializable": string }
  | { [field: string]: ItfValue };

/**
 * A TLA+ record in ITF: a JSON object none of whose keys is one of ITF's tags
 * (`#set`, `#map`, `#tup`, `#bigint`, `#unserializable`: every tag begins with #).
 * The one "plain record" guard; everything that reads ITF values uses it.
 */
export const isItfRecord = (v: unknown): v is { [field: string]: ItfValue } =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !Object.keys(v).some((k) => k.startsWith("#"));

export class TlaValueParseError extends Error {
  override name = "TlaValueParseError";
  constructor(
    readonly reason: string,
    readonly offset: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${reason} at line ${line}, column ${column} (offset ${offset})`);
  }
}

const MAX_INTERVAL = 100_000; // expanding a..b into a set; refuse absurd sizes

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}

  fail(reason: string, at = this.pos): never {
    const before = this.text.slice(0, at);
    const line = before.split("\n").length;
    const column = at - (before.lastIndexOf("\n") + 1) + 1;
    throw new TlaValueParseError(reason, at, line, column);
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  /** What the next few characters look like, for error messages. */
  found(): string {
    if (this.pos >= this.text.length) return "end of input";
    return JSON.stringify(this.text.slice(this.pos, this.pos + 12));
  }

  peek(token: string): boolean {
    this.skipSpace();
    return this.text.startsWith(token, this.pos);
  }

  eat(token: string): boolean {
    if (!this.peek(token)) return false;
    this.pos += token.length;
    return true;
  }

  expect(token: string, context: string): void {
    if (!this.eat(token)) this.fail(`expected "${token}" ${context} but found ${this.found()}`);
  }

  /** Matches a sticky regex at the current position (after whitespace). */
  match(re: RegExp): string | undefined {
    this.skipSpace();
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  identifier(): string | undefined {
    return this.match(/[A-Za-z_][A-Za-z0-9_]*/y);
  }
}

function intValue(digits: string): ItfValue {
  const n = BigInt(digits);
  const limit = BigInt(Number.MAX_SAFE_INTEGER);
  return n > limit || n < -limit ? { "#bigint": n.toString() } : Number(n);
}

function parseInteger(c: Cursor): string | undefined {
  return c.match(/-?[0-9]+/y);
}

function parseString(c: Cursor): string {
  const start = c.pos;
  c.pos++; // opening quote
  let out = "";
  for (;;) {
    if (c.pos >= c.text.length) c.fail("unterminated string literal", start);
    const ch = c.text[c.pos]!;
    if (ch === '"') {
      c.pos++;
      return out;
    }
    if (ch === "\\") {
      const esc = c.text[c.pos + 1];
      const map: Record<string, string> = { '"': '"', "\\": "\\", n: "\n", t: "\t", r: "\r", f: "\f" };
      if (esc === undefined || !(esc in map)) c.fail(`unknown escape sequence "\\${esc ?? ""}" in string`);
      out += map[esc]!;
      c.pos += 2;
    } else {
      out += ch;
      c.pos++;
    }
  }
}

/** Comma-separated items up to `close`; `item` parses one element. */
function list<T>(c: Cursor, close: string, what: string, item: () => T): T[] {
  const items: T[] = [];
  if (c.eat(close)) return items;
  for (;;) {
    items.push(item());
    if (c.eat(close)) return items;
    if (!c.eat(",")) c.fail(`expected "," or "${close}" in ${what} but found ${c.found()}`);
  }
}

function parseValue(c: Cursor): ItfValue {
  c.skipSpace();
  const start = c.pos;
  const ch = c.text[c.pos];
  if (ch === undefined) c.fail("expected a value but found end of input");

  if (ch === '"') return parseString(c);
  if (c.eat("<<")) return list(c, ">>", "sequence <<…>>", () => parseValue(c));
  if (c.eat("{")) return { "#set": list(c, "}", "set {…}", () => parseValue(c)) };
  if (c.eat("[")) {
    const rec: { [field: string]: ItfValue } = {};
    list(c, "]", "record […]", () => {
      const field = c.identifier() ?? c.fail(`expected a record field name but found ${c.found()}`);
      c.expect("|->", `after record field "${field}"`);
      if (Object.hasOwn(rec, field)) c.fail(`duplicate record field "${field}"`);
      rec[field] = parseValue(c);
    });
    if (Object.keys(rec).length === 0) c.fail("empty record [] is not a TLC value", start);
    return rec;
  }
  if (c.eat("(")) {
    // A function printed as (k1 :> v1 @@ k2 :> v2 @@ …).
    const pairs: [ItfValue, ItfValue][] = [];
    do {
      const key = parseValue(c);
      c.expect(":>", "between function key and value");
      pairs.push([key, parseValue(c)]);
    } while (c.eat("@@"));
    c.expect(")", "to close function (… :> …)");
    return { "#map": pairs };
  }

  const int = parseInteger(c);
  if (int !== undefined) {
    if (!c.eat("..")) return intValue(int);
    const hi = parseInteger(c) ?? c.fail(`expected an integer after ".." but found ${c.found()}`);
    const [a, b] = [BigInt(int), BigInt(hi)];
    if (b - a >= BigInt(MAX_INTERVAL)) c.fail(`interval ${int}..${hi} is too large to expand`, start);
    const out: ItfValue[] = [];
    for (let i = a; i <= b; i++) out.push(intValue(i.toString()));
    return { "#set": out };
  }

  const id = c.identifier();
  if (id === "TRUE") return true;
  if (id === "FALSE") return false;
  if (id !== undefined) return { "#unserializable": id };
  return c.fail(`expected a value but found ${c.found()}`);
}

function ensureEnd(c: Cursor): void {
  c.skipSpace();
  if (c.pos < c.text.length) c.fail(`unexpected trailing text ${c.found()}`);
}

/** Parses one TLC value, e.g. `<<1, {"a"}>>`. */
export function parseTlaValue(text: string): ItfValue {
  const c = new Cursor(text);
  if (text.trim() === "") c.fail("empty input: expected a value");
  const v = parseValue(c);
  ensureEnd(c);
  return v;
}

/**
 * Parses a TLC state: either `x = 1` (one variable) or a conjunction list
 * `/\ x = 1\n/\ y = <<>>`. Returns the variables in the order printed.
 */
export function parseTlaState(text: string): Record<string, ItfValue> {
  const c = new Cursor(text);
  if (text.trim() === "") c.fail("empty input: expected a state (var = value)");
  const state: Record<string, ItfValue> = {};
  const bulleted = c.peek("/\\");
  do {
    if (bulleted) c.expect("/\\", "before each variable of a conjunction-list state");
    const name = c.identifier() ?? c.fail(`expected a variable name but found ${c.found()}`);
    c.expect("=", `after variable "${name}"`);
    if (Object.hasOwn(state, name)) c.fail(`variable "${name}" is assigned twice`);
    state[name] = parseValue(c);
  } while (bulleted && c.peek("/\\"));
  ensureEnd(c);
  return state;
}

// ---------------------------------------------------------------------------
// Back to TLA+ (for error messages and debugging; mirrors TLC's layout).

function quote(s: string): string {
  const esc: Record<string, string> = { '"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\f": "\\f" };
  return `"${s.replace(/["\\\n\t\r\f]/g, (ch) => esc[ch]!)}"`;
}

export function itfToTla(v: ItfValue): string {
  if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return quote(v);
  if (Array.isArray(v)) return `<<${v.map(itfToTla).join(", ")}>>`;
  if ("#bigint" in v && typeof v["#bigint"] === "string") return v["#bigint"];
  if ("#unserializable" in v && typeof v["#unserializable"] === "string") return v["#unserializable"];
  if ("#set" in v && Array.isArray(v["#set"])) return `{${v["#set"].map(itfToTla).join(", ")}}`;
  if ("#tup" in v && Array.isArray(v["#tup"])) return `<<${v["#tup"].map(itfToTla).join(", ")}>>`;
  if ("#map" in v && Array.isArray(v["#map"])) {
    const pairs = v["#map"] as [ItfValue, ItfValue][];
    // The empty function equals the empty sequence in TLC.
    if (pairs.length === 0) return "<<>>";
    return `(${pairs.map(([k, x]) => `${itfToTla(k)} :> ${itfToTla(x)}`).join(" @@ ")})`;
  }
  const rec = v as { [field: string]: ItfValue };
  return `[${Object.keys(rec).map((k) => `${k} |-> ${itfToTla(rec[k]!)}`).join(", ")}]`;
}

/** A state as TLC prints it with several variables (`/\ x = …` lines). */
export function stateToTla(state: Record<string, ItfValue>): string {
  return Object.entries(state)
    .map(([k, v]) => `/\\ ${k} = ${itfToTla(v)}`)
    .join("\n");
}
