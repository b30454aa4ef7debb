import { describe, expect, it } from "vitest";
import {
  itfToTla,
  parseTlaState,
  parseTlaValue,
  stateToTla,
  TlaValueParseError,
  type ItfValue,
} from "../formats/tla-values.ts";

describe("parseTlaValue: scalars", () => {
  it.each<[string, ItfValue]>([
    ["0", 0],
    ["42", 42],
    ["-7", -7],
    ["  3  ", 3],
    ["9007199254740991", 9007199254740991],
    ["-9007199254740991", -9007199254740991],
    ["9007199254740992", { "#bigint": "9007199254740992" }],
    ["-123456789012345678901234567890", { "#bigint": "-123456789012345678901234567890" }],
    ["TRUE", true],
    ["FALSE", false],
    ['""', ""],
    ['"hello"', "hello"],
    ['"say \\"hi\\""', 'say "hi"'],
    ['"a\\\\b"', "a\\b"],
    ['"line1\\nline2\\ttab\\rcr\\fff"', "line1\nline2\ttab\rcr\fff"],
    ['"with spaces, commas >> and }"', "with spaces, commas >> and }"],
    ["Alice", { "#unserializable": "Alice" }],
    ["n_1", { "#unserializable": "n_1" }],
  ])("%s", (text, expected) => {
    expect(parseTlaValue(text)).toEqual(expected);
  });
});

describe("parseTlaValue: compound values", () => {
  it("sequences and tuples become arrays (TLC prints both as <<>>)", () => {
    expect(parseTlaValue("<<>>")).toEqual([]);
    expect(parseTlaValue('<<1, "a", TRUE>>')).toEqual([1, "a", true]);
    expect(parseTlaValue("<<<<0, \"m\">>>>")).toEqual([[0, "m"]]);
    expect(parseTlaValue("<<-1, 0>>")).toEqual([-1, 0]);
  });

  it("sets", () => {
    expect(parseTlaValue("{}")).toEqual({ "#set": [] });
    expect(parseTlaValue("{Alice, Bob}")).toEqual({
      "#set": [{ "#unserializable": "Alice" }, { "#unserializable": "Bob" }],
    });
    expect(parseTlaValue("{<<-2, FALSE>>, <<1, TRUE>>}")).toEqual({ "#set": [[-2, false], [1, true]] });
  });

  it("intervals expand to sets", () => {
    expect(parseTlaValue("1..3")).toEqual({ "#set": [1, 2, 3] });
    expect(parseTlaValue("-1..0")).toEqual({ "#set": [-1, 0] });
    expect(parseTlaValue("3..1")).toEqual({ "#set": [] });
  });

  it("records become plain objects", () => {
    expect(parseTlaValue('[a |-> <<>>, b |-> <<"hi \\"there\\"\\n">>]')).toEqual({
      a: [],
      b: ['hi "there"\n'],
    });
    expect(parseTlaValue("[x|->1,y|->[z|->{}]]")).toEqual({ x: 1, y: { z: { "#set": [] } } });
  });

  it("functions become #map", () => {
    expect(parseTlaValue('(1 :> "a" @@ 2 :> "b")')).toEqual({ "#map": [[1, "a"], [2, "b"]] });
    expect(parseTlaValue('(Bob :> {<<-2, FALSE>>} @@ "k1" :> {})')).toEqual({
      "#map": [
        [{ "#unserializable": "Bob" }, { "#set": [[-2, false]] }],
        ["k1", { "#set": [] }],
      ],
    });
    expect(parseTlaValue("(<<1, 2>> :> (3 :> 4))")).toEqual({ "#map": [[[1, 2], { "#map": [[3, 4]] }]] });
  });

  it("deep nesting and whitespace/newlines anywhere", () => {
    const text = `[ members |->
        { Alice ,
          Bob } ,
      log |-> << [ from |-> Alice , msg |-> "x" ] ,
                 [ from |-> Bob , msg |-> "y" ] >> ,
      epochs |-> ( Alice :> 1
                   @@ Bob :> -2 ) ]`;
    expect(parseTlaValue(text)).toEqual({
      members: { "#set": [{ "#unserializable": "Alice" }, { "#unserializable": "Bob" }] },
      log: [
        { from: { "#unserializable": "Alice" }, msg: "x" },
        { from: { "#unserializable": "Bob" }, msg: "y" },
      ],
      epochs: { "#map": [[{ "#unserializable": "Alice" }, 1], [{ "#unserializable": "Bob" }, -2]] },
    });
  });
});

describe("parseTlaState", () => {
  it("single variable without a bullet", () => {
    expect(parseTlaState("x = 3")).toEqual({ x: 3 });
  });

  it("conjunction list, keeping TLC's variable order", () => {
    const s = parseTlaState('/\\ x = 1\n/\\ y = <<>>\n/\\ z = [a |-> "q"]\n');
    expect(s).toEqual({ x: 1, y: [], z: { a: "q" } });
    expect(Object.keys(s)).toEqual(["x", "y", "z"]);
  });

  it("values spanning several lines inside a conjunction list", () => {
    expect(parseTlaState("/\\ x = << 1,\n      2 >>\n/\\ y = {\n  TRUE }")).toEqual({ x: [1, 2], y: { "#set": [true] } });
  });

  it("rejects a variable assigned twice", () => {
    expect(() => parseTlaState("/\\ x = 1\n/\\ x = 2")).toThrow(/assigned twice/);
  });

  it("rejects two unbulleted assignments", () => {
    expect(() => parseTlaState("x = 1\ny = 2")).toThrow(/trailing text/);
  });

  it("rejects an empty state", () => {
    expect(() => parseTlaState("  \n")).toThrow(/empty input/);
  });
});

describe("malformed values", () => {
  function error(text: string): TlaValueParseError {
    try {
      parseTlaValue(text);
    } catch (e) {
      if (e instanceof TlaValueParseError) return e;
      throw e;
    }
    throw new Error(`no error for ${text}`);
  }

  it("empty input", () => {
    expect(error("").reason).toMatch(/empty input/);
    expect(error("   ").reason).toMatch(/empty input/);
  });

  it("unterminated string, with its start position", () => {
    const e = error('<<1, "abc>>');
    expect(e.reason).toMatch(/unterminated string/);
    expect(e.offset).toBe(5);
    expect([e.line, e.column]).toEqual([1, 6]);
  });

  it("unknown escape", () => {
    expect(error('"a\\qb"').reason).toMatch(/unknown escape/);
  });

  it("unbalanced brackets name what was expected", () => {
    expect(error("<<1, 2").reason).toMatch(/expected "," or ">>" in sequence.*end of input/);
    expect(error("{1, 2>>").reason).toMatch(/expected "," or "}" in set/);
    expect(error("[a |-> 1").reason).toMatch(/record/);
    expect(error("(1 :> 2").reason).toMatch(/expected "\)"/);
    expect(error("(1 2)").reason).toMatch(/expected ":>"/);
    expect(error("[a = 1]").reason).toMatch(/expected "\|->"/);
    expect(error("<<1,,2>>").reason).toMatch(/expected a value/);
  });

  it("trailing garbage, with line and column", () => {
    const e = error("<<1>>\n  >>");
    expect(e.reason).toMatch(/unexpected trailing text/);
    expect([e.line, e.column]).toEqual([2, 3]);
    expect(e.message).toMatch(/line 2, column 3/);
  });

  it("other junk", () => {
    expect(error("}").reason).toMatch(/expected a value/);
    expect(error("[]").reason).toMatch(/record/);
    expect(error("1..x").reason).toMatch(/integer after "\.\."/);
    expect(error("0..1000000").reason).toMatch(/too large/);
    expect(error("[a |-> 1, a |-> 2]").reason).toMatch(/duplicate record field/);
  });
});

describe("itfToTla", () => {
  it("prints every form", () => {
    expect(itfToTla(true)).toBe("TRUE");
    expect(itfToTla(-3)).toBe("-3");
    expect(itfToTla({ "#bigint": "123456789012345678901" })).toBe("123456789012345678901");
    expect(itfToTla('a"b\\c\n')).toBe('"a\\"b\\\\c\\n"');
    expect(itfToTla([1, [2]])).toBe("<<1, <<2>>>>");
    expect(itfToTla({ "#tup": [1, "x"] })).toBe('<<1, "x">>');
    expect(itfToTla({ "#set": [] })).toBe("{}");
    expect(itfToTla({ "#map": [] })).toBe("<<>>");
    expect(itfToTla({ "#map": [[1, "a"], [{ "#unserializable": "Bob" }, { "#set": [2] }]] })).toBe(
      '(1 :> "a" @@ Bob :> {2})',
    );
    expect(itfToTla({ a: 1, b: { "#unserializable": "Alice" } })).toBe("[a |-> 1, b |-> Alice]");
  });

  it("round-trips through the parser", () => {
    const texts = [
      '[a |-> <<>>, b |-> <<"hi \\"there\\"\\n">>]',
      "(Bob :> {<<-2, FALSE>>, <<1, TRUE>>} @@ \"k1\" :> {})",
      "<<<<0, \"m\">>, 123456789012345678901>>",
    ];
    for (const t of texts) expect(itfToTla(parseTlaValue(t))).toBe(t);
  });

  it("stateToTla prints TLC's conjunction list", () => {
    expect(stateToTla({ x: 1, y: { "#set": [] } })).toBe("/\\ x = 1\n/\\ y = {}");
    expect(parseTlaState(stateToTla({ x: 1, y: [true] }))).toEqual({ x: 1, y: [true] });
  });
});
