// The commands' shared helper (scripts/cli/command.ts): how an error becomes its one
// line and exit status, strict parsing (an unknown option or an unexpected
// positional argument is bad usage, naming it), and the integer and choice options.
// The commands' own contracts are tested through their processes (cli-usage,
// tlc-cli, fuzz-cli, replay-cli, …). Budget: milliseconds.

import { describe, expect, it } from "vitest";
import { InputError, integer, oneOf, parse, report, required, UsageError } from "../scripts/cli/command.ts";

class SetupError extends Error {}
class Failure extends Error {}

describe("report: one line and an exit status per error", () => {
  it("usage errors, parseArgs' errors, bad input and unknown errors", () => {
    expect(report("x", new UsageError("--n must be an integer"))).toEqual({ line: "x: usage: --n must be an integer", status: 2 });
    let parseError: unknown;
    try {
      parse({ options: { n: { type: "string" } } }, ["--nope"]);
    } catch (e) {
      parseError = e;
    }
    expect(report("x", parseError)).toMatchObject({ status: 2, line: expect.stringMatching(/^x: usage: Unknown option '--nope'/) });
    expect(report("x", new InputError("f.json: not JSON"))).toEqual({ line: "x: error: f.json: not JSON", status: 2 });
    expect(report("x", new Error("first\n   second"))).toEqual({ line: "x: error: first second", status: 2 });
    expect(report("x", "a string thrown")).toEqual({ line: "x: error: a string thrown", status: 2 });
  });

  it("a known error class gets its label and status; the first match wins", () => {
    const known = [{ type: SetupError, label: "TLC setup" }, { type: Failure, label: "FAILED", status: 1 as const }, { type: Error, label: "" }];
    expect(report("x", new SetupError("no java"), known)).toEqual({ line: "x: TLC setup: no java", status: 2 });
    expect(report("x", new Failure("differs"), known)).toEqual({ line: "x: FAILED: differs", status: 1 });
    expect(report("x", new Error("plain"), known)).toEqual({ line: "x: plain", status: 2 });
  });
});

describe("parse: strict, with --help", () => {
  it("takes the options and --help / -h", () => {
    const cmd = { options: { n: { type: "string" }, v: { type: "boolean" } } } as const;
    expect(parse(cmd, ["--n", "3", "--v"]).values).toEqual({ n: "3", v: true });
    expect(parse(cmd, ["-h"]).values).toEqual({ help: true });
  });

  it("refuses a positional argument unless the command takes some", () => {
    expect(() => parse({ options: {} }, ["stray"])).toThrow(new UsageError('unexpected argument "stray" (this command takes options only)'));
    expect(parse({ options: {}, positionals: true }, ["a.json"]).positionals).toEqual(["a.json"]);
    expect(parse({ options: {} }, ["stray", "--help"]).values).toEqual({ help: true }); // help wins
  });
});

describe("option values", () => {
  it("integer: the fallback when absent, else a whole number in range, else a usage error naming the option", () => {
    expect(integer("--n", undefined, { min: 1, max: 9, fallback: 3 })).toBe(3);
    expect(integer("--n", "9", { min: 1, max: 9 })).toBe(9);
    for (const bad of ["0", "10", "1.5", "x", "", " "]) {
      expect(() => integer("--n", bad, { min: 1, max: 9 })).toThrow(new UsageError(`--n must be an integer from 1 to 9, got ${JSON.stringify(bad)}`));
    }
    expect(() => integer("--n", undefined, { min: 1, max: 9 })).toThrow(new UsageError("--n is required"));
  });

  it("oneOf and required", () => {
    expect(oneOf("--variant", undefined, ["A", "B"], "variant", "A")).toBe("A");
    expect(oneOf("--variant", "B", ["A", "B"], "variant")).toBe("B");
    expect(() => oneOf("--variant", "C", ["A", "B"], "variant")).toThrow(new UsageError('--variant: unknown variant "C" (known: A, B)'));
    expect(required("--room", "r")).toBe("r");
    expect(() => required("--room", undefined)).toThrow(new UsageError("--room is required"));
  });
});
