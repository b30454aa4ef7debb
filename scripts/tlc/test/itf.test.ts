import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ItfError, readItf, traceFromTlc, validateItf, writeItf, type ItfTrace } from "../formats/itf.ts";
import { parseTlcOutput, type TlcResult } from "../messages.ts";
import { formatSummary, runTlc } from "../run.ts";
import { hasJava, localJar, skipWithoutTlc, testJar } from "./local-tlc.ts";

const fixtures = new URL("fixtures/tlc/", import.meta.url).pathname;
const fixture = (name: string) => parseTlcOutput(readFileSync(join(fixtures, `${name}.out`), "utf8"));
const tmp = mkdtempSync(join(tmpdir(), "itf-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("traceFromTlc", () => {
  it("invariant violation: sorted vars, per-state meta, no loop", () => {
    const t = traceFromTlc(fixture("inv"), { source: "Inv.tla" });
    expect(t.vars).toEqual(["epoch", "inbox", "keys", "log", "members", "n", "owner"]);
    expect(t["#meta"]).toMatchObject({
      format: "ITF",
      description: "TLC counterexample: invariant Safe violated",
      tlcVersion: "TLC2 Version 2.18 of 20 March 2023",
      source: "Inv.tla",
    });
    expect(t.states.map((s) => s["#meta"])).toEqual([
      { index: 0, action: "Initial predicate" },
      { index: 1, action: "SendMsg", location: "line 16, col 12 to line 19, col 62 of module Inv" },
      { index: 2, action: "ReadMsg", location: "line 21, col 15 to line 25, col 57 of module Inv" },
      { index: 3, action: "ReadMsg", location: "line 21, col 15 to line 25, col 57 of module Inv" },
    ]);
    expect(t.states[3]).toMatchObject({
      epoch: [1, 0],
      owner: { "#unserializable": "Alice" },
      members: { "#set": [{ "#unserializable": "Alice" }, { "#unserializable": "Bob" }] },
      log: [[0, "m"]],
    });
    expect(Object.keys(t.states[0]!)).toEqual(["#meta", ...t.vars]);
    expect(t.loop).toBeUndefined();
    expect(() => validateItf(t, "x")).not.toThrow();
  });

  it("liveness lasso: TLC's 'Back to state 1' becomes loop 0", () => {
    const t = traceFromTlc(fixture("live"));
    expect(t.vars).toEqual(["x", "y"]);
    expect(t.states.map((s) => s.x)).toEqual([0, 1, 2]);
    expect(t.loop).toBe(0);
  });

  it("stuttering: the last state loops to itself", () => {
    const t = traceFromTlc(fixture("stutter"));
    expect(t.states).toHaveLength(2);
    expect(t.loop).toBe(1);
    expect(t["#meta"]).toHaveProperty("stuttering");
  });

  it("invariant violated by the initial state", () => {
    const t = traceFromTlc(fixture("initinv"));
    expect(t.states).toEqual([{ "#meta": { index: 0, action: "Initial predicate" }, x: 0 }]);
  });

  it("refuses results without a trace, unparsable states and inconsistent variables", () => {
    expect(() => traceFromTlc(fixture("ok"))).toThrow(/no error trace/);
    const base: TlcResult = { outcome: { kind: "deadlock" }, warnings: [], unknown: [] };
    const bad = { ...base, errorTrace: [{ index: 1, action: "Initial predicate", stateText: "x = <<1" }] };
    expect(() => traceFromTlc(bad)).toThrow(/cannot parse TLC state 1 \(Initial predicate\): expected "," or ">>"/);
    const mixed = {
      ...base,
      errorTrace: [
        { index: 1, action: "Initial predicate", stateText: "/\\ x = 1\n/\\ y = 2" },
        { index: 2, action: "Next", stateText: "x = 2" },
      ],
    };
    expect(() => traceFromTlc(mixed)).toThrow(/TLC state 2 has variables \[x\] but state 1 has \[x,y\]/);
  });
});

describe("writeItf / readItf", () => {
  it("round-trips and writes stable 2-space JSON", async () => {
    const t = traceFromTlc(fixture("inv"), { source: "Inv.tla" });
    const path = join(tmp, "sub", "dir", "inv.itf.json");
    await writeItf(path, t);
    const first = readFileSync(path, "utf8");
    expect(first.endsWith("}\n")).toBe(true);
    expect(first.split("\n")[1]).toBe('  "#meta": {');
    expect(await readItf(path)).toEqual(t);
    // Same content with keys in another order is written identically.
    const shuffled: ItfTrace = {
      loop: undefined,
      states: t.states.map((s) => Object.fromEntries(Object.entries(s).reverse())),
      vars: t.vars,
      "#meta": t["#meta"]!,
    };
    delete shuffled.loop;
    await writeItf(path, shuffled);
    expect(readFileSync(path, "utf8")).toBe(first);
    expect(readdirSync(join(tmp, "sub", "dir"))).toEqual(["inv.itf.json"]);
  });

  const write = (name: string, data: unknown) => {
    const p = join(tmp, name);
    writeFileSync(p, typeof data === "string" ? data : JSON.stringify(data));
    return p;
  };
  const state = (x: unknown, extra: object = {}) => ({ "#meta": { index: 0 }, x, ...extra });
  const errorOf = async (data: unknown) => {
    const p = write("bad.itf.json", data);
    const e = await readItf(p).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(ItfError);
    const msg = (e as Error).message;
    expect(msg.startsWith(`${p}: `)).toBe(true);
    return msg.slice(p.length + 2);
  };

  it("accepts every ITF value form", async () => {
    const value = [
      true,
      "s",
      -3,
      { "#bigint": "-123456789012345678901" },
      { "#set": [1] },
      { "#tup": [1, "a"] },
      { "#map": [[{ "#unserializable": "A" }, [1]]] },
      { rec: { nested: [] } },
    ];
    const p = write("all.itf.json", { vars: ["x"], states: [state(value)], loop: 0 });
    expect((await readItf(p)).states[0]!.x).toEqual(value);
  });

  it("names the file and the JSON path of what is wrong", async () => {
    expect(await errorOf("{ nope")).toMatch(/^not valid JSON/);
    expect(await errorOf([])).toBe("$: expected a JSON object (an ITF trace)");
    expect(await errorOf({ states: [] })).toBe("$.vars: missing (the list of variable names)");
    expect(await errorOf({ vars: [1], states: [] })).toBe("$.vars: expected an array of strings");
    expect(await errorOf({ vars: ["x"] })).toBe("$.states: missing or not an array");
    expect(await errorOf({ vars: ["x", "y"], states: [state(1, { y: 2 }), state(1)] })).toBe(
      '$.states[1].y: state is missing variable "y"',
    );
    expect(await errorOf({ vars: ["x"], states: [state({ "#set": [1, null] })] })).toBe(
      '$.states[0].x["#set"][1]: null is not an ITF value',
    );
    expect(await errorOf({ vars: ["x"], states: [state(1.5)] })).toMatch(/^\$\.states\[0\]\.x: 1\.5 is not a safe integer/);
    expect(await errorOf({ vars: ["x"], states: [state({ "#bigint": "12a" })] })).toBe(
      '$.states[0].x["#bigint"]: expected a string of digits',
    );
    expect(await errorOf({ vars: ["x"], states: [state({ "#map": [[1]] })] })).toBe(
      '$.states[0].x["#map"][0]: expected a [key, value] pair',
    );
    expect(await errorOf({ vars: ["x"], states: [state({ "#foo": 1 })] })).toBe(
      '$.states[0].x["#foo"]: unknown ITF tag "#foo"',
    );
    expect(await errorOf({ vars: ["x"], states: [state({ "#set": [], y: 1 })] })).toBe(
      '$.states[0].x: an object with "#set" must have no other keys',
    );
    expect(await errorOf({ vars: ["x"], states: [state({ "a-b": { c: undefined, d: "ok", e: [null] } })] })).toBe(
      '$.states[0].x["a-b"].e[0]: null is not an ITF value',
    );
    expect(await errorOf({ vars: ["x"], states: [state(1, { z: 2 })] })).toBe("$.states[0]: keys not listed in $.vars: z");
    expect(await errorOf({ vars: ["x"], states: [state(1)], loop: 1 })).toBe("$.loop: expected a state index in 0..0");
    expect(await errorOf({ vars: ["x"], states: [{ "#meta": 3, x: 1 }] })).toBe('$.states[0]["#meta"]: expected an object');
  });

  it("a missing file is a one-line error", async () => {
    await expect(readItf(join(tmp, "absent.itf.json"))).rejects.toThrow(/absent\.itf\.json: cannot read \(ENOENT\)/);
  });

  it("writeItf refuses an invalid trace", async () => {
    const bad = { vars: ["x"], states: [{}] } as unknown as ItfTrace;
    await expect(writeItf(join(tmp, "never.itf.json"), bad)).rejects.toThrow(/state is missing variable "x"/);
    expect(existsSync(join(tmp, "never.itf.json"))).toBe(false);
  });
});

// End to end with the real TLC, when a pinned jar and Java are available locally
// (test/local-tlc.ts; in CI it never skips).
describe.skipIf(skipWithoutTlc)("real TLC run → ITF", () => {
  it("has Java and a TLC jar (required in CI)", () => {
    expect(hasJava, "java is not on PATH").toBe(true);
    expect(localJar, "no TLC jar found: run `make test`, which resolves one first").toBeDefined();
  });

  it("model-checks the invariant fixture and stores its counterexample", async () => {
    const specDir = join(fixtures, "specs");
    const before = readdirSync(specDir).sort();
    const outDir = join(tmp, "tlc-inv");
    const run = await runTlc({
      spec: join(specDir, "Inv.tla"),
      config: join(specDir, "Inv.cfg"),
      jar: testJar(),
      workers: 1,
      outDir,
      quiet: true,
    });
    expect(run.outcome).toEqual({ kind: "invariant", name: "Safe" });
    expect(run.exitCode).toBe(12);
    expect(run.errorTrace).toHaveLength(4); // one worker: BFS gives the shortest trace
    expect(run.tlc.version).toMatch(/^TLC2 Version/);
    expect(readFileSync(run.rawOutputPath, "utf8")).toContain("@!@!@STARTMSG 2110:1 @!@!@");
    expect(JSON.parse(readFileSync(join(outDir, "result.json"), "utf8")).outcome).toEqual(run.outcome);
    expect(readdirSync(specDir).sort()).toEqual(before); // TLC wrote nothing next to the spec
    expect(formatSummary(run)).toMatch(/Outcome: +VIOLATION: invariant Safe violated/);

    const path = join(tmp, "inv.itf.json");
    await writeItf(path, traceFromTlc(run));
    const back = await readItf(path);
    expect(back.states.map((s) => s["#meta"]?.action)).toEqual(["Initial predicate", "SendMsg", "ReadMsg", "ReadMsg"]);
  });

  it("model-checks the ok fixture", async () => {
    const specDir = join(fixtures, "specs");
    const run = await runTlc({
      spec: join(specDir, "Ok.tla"),
      config: join(specDir, "Ok.cfg"),
      jar: testJar(),
      outDir: join(tmp, "tlc-ok"),
      quiet: true,
    });
    expect(run).toMatchObject({ outcome: { kind: "ok" }, exitCode: 0, statesGenerated: 4, distinctStates: 4, depth: 4 });
  });
});
