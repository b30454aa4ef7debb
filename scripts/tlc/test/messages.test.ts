import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  parseDuration,
  parseProgress,
  parseTlcOutput,
  parseTraceState,
  summarize,
  TlcOutputSplitter,
  type TlcEvent,
} from "../messages.ts";
import { parseTlaState } from "../formats/tla-values.ts";

const fixture = (name: string) => readFileSync(new URL(`fixtures/tlc/${name}.out`, import.meta.url), "utf8");
const VERSION = "TLC2 Version 2.18 of 20 March 2023";

describe("TlcOutputSplitter", () => {
  it("yields the same events whatever the chunking", () => {
    const text = fixture("inv");
    const whole = new TlcOutputSplitter();
    const expected = [...whole.push(text), ...whole.end()];
    for (const size of [1, 7, 64, 1000]) {
      const s = new TlcOutputSplitter();
      const got: TlcEvent[] = [];
      for (let i = 0; i < text.length; i += size) got.push(...s.push(text.slice(i, i + size)));
      got.push(...s.end());
      expect(got).toEqual(expected);
    }
  });

  it("separates messages from stray lines, with line numbers", () => {
    const s = new TlcOutputSplitter();
    const events = [
      ...s.push("Parsing file /x/T.tla\n@!@!@STARTMSG 2262:0 @!@!@\nTLC2 Version X\n@!@!@ENDMSG 2262 @!@!@\r\n"),
      ...s.end(),
    ];
    expect(events).toEqual([
      { type: "text", text: "Parsing file /x/T.tla", line: 1 },
      { type: "message", message: { code: 2262, severity: 0, body: "TLC2 Version X", line: 2 } },
    ]);
  });

  it("handles a last line without newline and an empty body", () => {
    const s = new TlcOutputSplitter();
    const events = [...s.push("@!@!@STARTMSG 2189:0 @!@!@\n@!@!@ENDMSG 2189 @!@!@"), ...s.end()];
    expect(events).toEqual([{ type: "message", message: { code: 2189, severity: 0, body: "", line: 1 } }]);
  });

  it("supports nested messages and markers in the middle of a line (real TLC output)", () => {
    const s = new TlcOutputSplitter();
    const events = [...s.push(fixture("missingcfg")), ...s.end()].filter((e) => e.type === "message");
    const codes = events.map((e) => (e.type === "message" ? e.message.code : 0));
    expect(codes).toEqual([2262, 2187, 5001, 1000, 2186]);
    const outer = events[3]!;
    expect(outer.type === "message" && outer.message.body).toContain("File not found.");
  });

  it("reports ENDMSG without START, mismatched codes and unterminated messages", () => {
    const events = (text: string) => {
      const s = new TlcOutputSplitter();
      return [...s.push(text), ...s.end()].filter((e) => e.type === "framing-error");
    };
    expect(events("x\n@!@!@ENDMSG 2193 @!@!@\n")).toEqual([
      { type: "framing-error", reason: "ENDMSG 2193 without a matching STARTMSG", line: 2 },
    ]);
    expect(events("@!@!@STARTMSG 2193:0 @!@!@\nok\n@!@!@ENDMSG 2186 @!@!@\n")[0]).toMatchObject({
      reason: "ENDMSG 2186 does not match STARTMSG 2193 of line 1",
      line: 3,
    });
    expect(events("a\n@!@!@STARTMSG 2217:4 @!@!@\n1: <Initial predicate>\n")).toEqual([
      { type: "framing-error", reason: "message 2217 started at line 2 was never ended", line: 2 },
    ]);
  });
});

describe("summarize real TLC outputs", () => {
  it("ok run", () => {
    const r = parseTlcOutput(fixture("ok"));
    expect(r).toMatchObject({
      tlcVersion: VERSION,
      outcome: { kind: "ok" },
      statesGenerated: 4,
      distinctStates: 4,
      statesLeft: 0,
      depth: 4,
      warnings: [],
      unknown: [],
    });
    expect(r.seconds).toBeGreaterThan(0);
    expect(r.seconds).toBeLessThan(5);
    expect(r.errorTrace).toBeUndefined();
  });

  it("invariant violation with named actions", () => {
    const r = parseTlcOutput(fixture("inv"));
    expect(r.outcome).toEqual({ kind: "invariant", name: "Safe" });
    expect(r).toMatchObject({ statesGenerated: 9, distinctStates: 8, statesLeft: 3, depth: 4 });
    const trace = r.errorTrace!;
    expect(trace.map((s) => [s.index, s.action])).toEqual([
      [1, "Initial predicate"],
      [2, "SendMsg"],
      [3, "ReadMsg"],
      [4, "ReadMsg"],
    ]);
    expect(trace[0]!.location).toBeUndefined();
    expect(trace[1]!.location).toBe("line 16, col 12 to line 19, col 62 of module Inv");
    const last = parseTlaState(trace[3]!.stateText);
    expect(Object.keys(last).sort()).toEqual(["epoch", "inbox", "keys", "log", "members", "n", "owner"]);
    expect(last.epoch).toEqual([1, 0]);
    expect(last.keys).toEqual({
      "#map": [
        [{ "#unserializable": "Bob" }, { "#set": [[-2, false], [1, true]] }],
        ["k1", { "#set": [] }],
      ],
    });
    expect(last.inbox).toEqual({ a: [], b: ['hi "there"\n'] });
    expect(r.loopsBackTo).toBeUndefined();
  });

  it("invariant violated by the initial state (state inside the 2107 message)", () => {
    const r = parseTlcOutput(fixture("initinv"));
    expect(r.outcome).toEqual({ kind: "invariant", name: "Positive" });
    expect(r.errorTrace).toEqual([{ index: 1, action: "Initial predicate", stateText: "x = 0" }]);
  });

  it("deadlock", () => {
    const r = parseTlcOutput(fixture("deadlock"));
    expect(r.outcome).toEqual({ kind: "deadlock" });
    expect(r.errorTrace?.map((s) => [s.action, s.stateText])).toEqual([
      ["Initial predicate", "x = 0"],
      ["Next", "x = 1"],
      ["Next", "x = 2"],
    ]);
  });

  it("-continue: several counterexamples; the error trace is the first, the others are kept apart and counted", () => {
    // continue.out: Continue / Continue run with -continue (captured like the others, plus
    // -continue before the spec); Low breaks at x = 2 and again at x = 3, and TLC, going
    // on, prints a trace for each and then says it found no error (exit 0).
    const r = parseTlcOutput(fixture("continue"));
    expect(r.outcome).toEqual({ kind: "invariant", name: "Low" });
    expect(r.errorTrace?.map((s) => [s.index, s.stateText])).toEqual([
      [1, "x = 0"],
      [2, "x = 1"],
      [3, "x = 2"],
    ]);
    expect(r.counterexamples).toBe(2);
    expect(r.laterTraces?.map((t) => t.map((s) => s.stateText))).toEqual([["x = 0", "x = 1", "x = 2", "x = 3"]]);
    expect(parseTlcOutput(fixture("inv"))).toMatchObject({ counterexamples: 1 });
    expect(parseTlcOutput(fixture("inv")).laterTraces).toBeUndefined();
    expect(parseTlcOutput(fixture("ok")).counterexamples).toBeUndefined();
  });

  it("-continue: a lasso or stuttering of a later counterexample does not change the first's", () => {
    const wrap = (code: number, sev: number, body: string) => `@!@!@STARTMSG ${code}:${sev} @!@!@\n${body}\n@!@!@ENDMSG ${code} @!@!@\n`;
    const state = (i: number, x: number) => wrap(2217, 4, `${i}: <${i === 1 ? "Initial predicate" : "Next"}>\nx = ${x}`);
    const ok = fixture("ok");
    const at = ok.indexOf("@!@!@STARTMSG 2186");
    const withTraces = (...parts: string[]) => parseTlcOutput(ok.slice(0, at) + parts.join("") + ok.slice(at));
    const two = withTraces(
      wrap(2110, 1, "Invariant A is violated."), state(1, 0), state(2, 1),
      wrap(2110, 1, "Invariant B is violated."), state(1, 0), state(2, 1), state(3, 2), wrap(2122, 4, "2: Back to state: <Next>"),
    );
    expect(two).toMatchObject({ outcome: { kind: "invariant", name: "A" }, counterexamples: 2 });
    expect(two.errorTrace).toHaveLength(2);
    expect(two.loopsBackTo).toBeUndefined();
    const stutter = withTraces(state(1, 0), state(2, 1), wrap(2218, 4, "3: Stuttering"), state(1, 5), wrap(2218, 4, "2: Stuttering"));
    expect(stutter).toMatchObject({ counterexamples: 2, stuttering: true, loopsBackTo: 2 });
    // A state numbered 1 right after another state 1 starts a new trace too.
    expect(withTraces(state(1, 0), state(1, 1)).errorTrace?.map((s) => s.stateText)).toEqual(["x = 0"]);
  });

  it("liveness violation with a lasso", () => {
    const r = parseTlcOutput(fixture("live"));
    expect(r.outcome).toEqual({ kind: "property" });
    expect(r.errorTrace?.map((s) => s.stateText)).toEqual([
      '/\\ x = 0\n/\\ y = "s"',
      '/\\ x = 1\n/\\ y = "s"',
      '/\\ x = 2\n/\\ y = "s"',
    ]);
    expect(r.loopsBackTo).toBe(1);
    expect(r.stuttering).toBeUndefined();
  });

  it("liveness violation ending in stuttering", () => {
    const r = parseTlcOutput(fixture("stutter"));
    expect(r.outcome).toEqual({ kind: "property" });
    expect(r.errorTrace).toHaveLength(2);
    expect(r.stuttering).toBe(true);
    expect(r.loopsBackTo).toBe(2);
  });

  it("parse error carries SANY's message", () => {
    const r = parseTlcOutput(fixture("parse"));
    expect(r.outcome.kind).toBe("error");
    const msg = r.outcome.kind === "error" ? r.outcome.message : "";
    expect(msg).toMatch(/^Parsing or semantic analysis failed\. \*\*\*Parse Error\*\*\*/);
    expect(msg).toContain('at line 4, column 9 and token "=="');
    expect(msg).not.toContain("\n");
    expect(msg).not.toContain("Residual stack trace");
  });

  it("semantic error carries SANY's message", () => {
    const r = parseTlcOutput(fixture("semantic"));
    expect(r.outcome).toEqual({
      kind: "error",
      message:
        "Parsing or semantic analysis failed. Semantic errors: *** Errors: 1 line 5, col 18 to line 5, col 31 of module Semantic Unknown operator: `undefinedThing'.",
    });
  });

  it("assumption failure", () => {
    expect(parseTlcOutput(fixture("assume")).outcome).toEqual({
      kind: "assumption",
      name: "line 4, col 21 to line 4, col 25 of module Assume",
    });
  });

  it("evaluation error keeps TLC's text, the position and the trace", () => {
    const r = parseTlcOutput(fixture("runtime"));
    expect(r.outcome).toEqual({
      kind: "error",
      message:
        'The first argument of Assert evaluated to FALSE; the second argument was: "x got too big" (at Line 6, column 12 to line 6, column 41 in Runtime)',
    });
    expect(r.errorTrace).toHaveLength(2);
  });

  it("configuration error", () => {
    expect(parseTlcOutput(fixture("badcfg")).outcome).toEqual({
      kind: "error",
      message: "The invariant Nope specified in the configuration file is not defined in the specification.",
    });
  });

  it("nested exception message", () => {
    const r = parseTlcOutput(fixture("missingcfg"));
    expect(r.outcome.kind).toBe("error");
    expect(r.outcome.kind === "error" && r.outcome.message).toMatch(
      /^TLC threw an unexpected exception\..*configuration file Missing\.cfg: File not found\.$/,
    );
    expect(r.unknown.map((u) => u.code)).toEqual([5001]);
  });
});

describe("truncated and broken outputs are never ok", () => {
  const errorOf = (text: string) => {
    const r = parseTlcOutput(text);
    expect(r.outcome.kind).toBe("error");
    return r.outcome.kind === "error" ? r.outcome.message : "";
  };

  it("cut before the finish message", () => {
    const text = fixture("ok");
    const cut = text.slice(0, text.indexOf("@!@!@STARTMSG 2186"));
    expect(errorOf(cut)).toBe("TLC output ended before TLC finished");
  });

  it("cut before the finish of a violation keeps what was reported", () => {
    const text = fixture("inv");
    const r = parseTlcOutput(text.slice(0, text.indexOf("@!@!@STARTMSG 2200")));
    expect(r.outcome).toEqual({
      kind: "error",
      message: "TLC output ended before TLC finished (after reporting: invariant Safe violated)",
    });
    expect(r.errorTrace).toHaveLength(4);
  });

  it("cut in the middle of a message names the line", () => {
    const text = fixture("inv");
    const at = text.indexOf("3: <ReadMsg");
    const cut = text.slice(0, at + 20);
    const line = cut.split("\n").length - 1; // the STARTMSG line just before
    expect(errorOf(cut)).toBe(`malformed TLC output at line ${line}: message 2217 started at line ${line} was never ended`);
  });

  it("success without the finish message", () => {
    const text = fixture("ok");
    expect(errorOf(text.slice(0, text.indexOf("@!@!@STARTMSG 2200")))).toMatch(/ended before TLC finished/);
  });

  it("empty output and garbage", () => {
    expect(errorOf("")).toBe("TLC output ended before TLC finished");
    expect(errorOf("Error: Could not find or load main class tlc2.TLC\n")).toBe(
      "TLC output ended before TLC finished; last output: Error: Could not find or load main class tlc2.TLC",
    );
    expect(errorOf("\u0000\u0001 binary junk @!@!@ nothing")).toMatch(/ended before TLC finished/);
    expect(errorOf("@!@!@ENDMSG 2186 @!@!@\n")).toMatch(/^malformed TLC output at line 1: ENDMSG 2186 without/);
  });

  it("finished without success or violation", () => {
    const text = fixture("ok").replace(/@!@!@STARTMSG 2193:0[\s\S]*?@!@!@ENDMSG 2193 @!@!@\n/, "");
    expect(errorOf(text)).toBe("TLC finished without reporting success or a violation");
  });
});

describe("unknown and unusual messages", () => {
  const wrap = (code: number, sev: number, body: string) =>
    `@!@!@STARTMSG ${code}:${sev} @!@!@\n${body}\n@!@!@ENDMSG ${code} @!@!@\n`;
  const okRun = fixture("ok");
  const insert = (extra: string) => okRun.replace("@!@!@STARTMSG 2186", `${extra}@!@!@STARTMSG 2186`);

  it("unknown informational codes are kept and do not change the outcome", () => {
    const r = parseTlcOutput(insert(wrap(9999, 0, "something new")));
    expect(r.outcome).toEqual({ kind: "ok" });
    expect(r.unknown).toEqual([{ code: 9999, severity: 0, text: "something new" }]);
  });

  it("warnings are collected", () => {
    const r = parseTlcOutput(insert(wrap(2401, 3, "Please run the Java VM … -XX:+UseParallelGC")));
    expect(r.outcome).toEqual({ kind: "ok" });
    expect(r.warnings).toEqual(["Please run the Java VM … -XX:+UseParallelGC"]);
  });

  it("an unknown error-class code makes the run an error", () => {
    expect(parseTlcOutput(insert(wrap(2999, 1, "new kind of\nfailure"))).outcome).toEqual({
      kind: "error",
      message: "new kind of failure",
    });
    expect(parseTlcOutput(insert(wrap(2128, 2, "TLC bug"))).outcome).toEqual({ kind: "error", message: "TLC bug" });
  });

  it("an unknown state-class code makes the run an error", () => {
    expect(parseTlcOutput(insert(wrap(2999, 4, "weird state"))).outcome).toEqual({
      kind: "error",
      message: "unexpected TLC message 2999:4: weird state",
    });
  });

  it("action property violation names the property", () => {
    const r = parseTlcOutput(insert(wrap(2112, 1, "Action property Mono is violated.")));
    expect(r.outcome).toEqual({ kind: "property", name: "Mono" });
  });

  it("a trace state TLC printed in an unexpected form is an error", () => {
    expect(parseTlcOutput(insert(wrap(2217, 4, "garbled"))).outcome).toEqual({
      kind: "error",
      message: expect.stringMatching(/^unrecognised trace state at output line \d+: garbled$/),
    });
  });
});

describe("small parsers", () => {
  it("parseTraceState label forms", () => {
    expect(parseTraceState("4: <Next line 5, col 9 to line 5, col 27 of module T>\nx = 3")).toEqual({
      index: 4,
      action: "Next",
      location: "line 5, col 9 to line 5, col 27 of module T",
      stateText: "x = 3",
    });
    expect(parseTraceState("7: <ReadMsg(2) line 40, col 3 to line 45, col 20 of module Proto>\n/\\ x = 1\n/\\ y = <<>>\n")).toEqual({
      index: 7,
      action: "ReadMsg(2)",
      location: "line 40, col 3 to line 45, col 20 of module Proto",
      stateText: "/\\ x = 1\n/\\ y = <<>>",
    });
    expect(parseTraceState("1: <Initial predicate>\nx = 0")).toEqual({ index: 1, action: "Initial predicate", stateText: "x = 0" });
    expect(parseTraceState("State 2: <Action>\nx = 0")).toMatchObject({ index: 2, action: "Action" });
    expect(parseTraceState("no header")).toBeUndefined();
  });

  it("parseDuration", () => {
    expect(parseDuration("Finished in 539ms at (2026-11-23 11:00:36)")).toBe(0.539);
    expect(parseDuration("Finished in 07s at (2026-11-23 11:00:36)")).toBe(7);
    expect(parseDuration("Finished in 01min 03s at (2026-11-23 11:00:36)")).toBe(63);
    expect(parseDuration("Finished in 02h 05min at (x)")).toBe(7500);
    expect(parseDuration("Finished in 3d 04h at (x)")).toBe(3 * 86400 + 4 * 3600);
    expect(parseDuration("Finished in a while")).toBeUndefined();
  });

  it("parseProgress with thousands separators", () => {
    expect(
      parseProgress(
        "Progress(12) at 2026-11-23 11:00:40: 1,234,567 states generated (1,224 s/min), 89,000 distinct states found (1,088 ds/min), 3 states left on queue.",
      ),
    ).toEqual({ depth: 12, generated: 1234567, distinct: 89000, left: 3 });
  });

  it("summarize accepts any iterable of events", () => {
    const s = new TlcOutputSplitter();
    function* gen() {
      yield* s.push(fixture("deadlock"));
      yield* s.end();
    }
    expect(summarize(gen()).outcome).toEqual({ kind: "deadlock" });
  });
});
