// npm run replay (scripts/replay.ts) as a user meets it: its exit status and
// what it says. 0 the implementation followed the trace, 1 it left the model,
// 2 bad input — one line on stderr naming the file, before any step is replayed.
// The bad traces are small edits of a committed model trace, written to a temp
// folder. Through the CLI, bad-input messages are matched on what they must say
// (file, place, the bad value); through the library (the shape check shared with
// the viewer, conformance/model/vocabulary.ts, then the replay's own), word for word.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { replayTrace, TraceError, type StepReport } from "../conformance/replay/replay-trace.ts";
import { VARIANTS } from "../impl/types.ts";
import type { ItfTrace } from "../scripts/tlc/formats/itf.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const BASE = "traces/model/cover-Join-u2.itf.json"; // 3 users, 8 steps; step 2 is Read(1)
const base = JSON.parse(readFileSync(join(ROOT, BASE), "utf8")) as ItfTrace;
const tmp = mkdtempSync(join(tmpdir(), "replay-cli-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Json = Record<string, unknown>;
const clone = <T>(x: T): T => structuredClone(x);
const st = (t: ItfTrace, i: number) => t.states[i]!.st as unknown as Json[];
const meta = (t: ItfTrace, i: number) => t.states[i]!["#meta"]!;

/** A copy of the base trace, edited, written as <tmp>/<name>.itf.json; returns its path. */
function edited(name: string, edit: (t: ItfTrace) => void): string {
  const t = clone(base);
  edit(t);
  const path = join(tmp, `${name}.itf.json`);
  writeFileSync(path, JSON.stringify(t));
  return path;
}

const replay = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "./scripts/register-ts-node.mjs", "scripts/replay.ts", ...args], { cwd: ROOT, encoding: "utf8" });

/** Bad input: exit 2, nothing replayed (nothing on stdout), one line on stderr naming the file, no JavaScript error. */
function refused(r: ReturnType<typeof replay>, file: string, ...says: (string | RegExp)[]): string {
  expect(r.status, r.stdout + r.stderr).toBe(2);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  const line = lines[0]!;
  expect(line.startsWith(`replay: error: ${file}: `), line).toBe(true);
  expect(line).not.toMatch(/unexpected|undefined|is not a function|Cannot read properties|left the model/);
  for (const s of says) {
    if (typeof s === "string") expect(line).toContain(s);
    else expect(line).toMatch(s);
  }
  return line;
}

// A few cases through the CLI (each spawns node: seconds), the rest through the library below.
describe("npm run replay: bad traces are bad input (exit 2), refused before any step is replayed", () => {
  it.each<[string, (t: ItfTrace) => void, (string | RegExp)[]]>([
    ["an unknown action", (t) => void (meta(t, 2).action = "Teleport"), [/step 2\b.*unknown action "Teleport"/]],
    ["a user named by a string", (t) => void (meta(t, 2).params = { u: "2" }), [/step 2\b.*params\.u.*"2"/]],
    ["st a string", (t) => void (t.states[2]!.st = "hello"), ["$.states[2].st", '"hello"']],
    ["a user state that is a number", (t) => void ((t.states[2]!.st as unknown as unknown[])[0] = 5), ["$.states[2].st[0]", "5"]],
    ["an unknown #meta.variant", (t) => void (t["#meta"]!.variant = "Bogus"), ['$["#meta"].variant', '"Bogus"', ...VARIANTS]],
  ])("%s", (name, edit, says) => {
    const file = edited(name.replace(/\W+/g, "-"), edit);
    refused(replay(file, "--no-mls"), file, ...says);
  });

  it("a step whose actor the states cannot tell names the file and the step", () => {
    // State 2 repeats state 1 under a Read with no recorded params (as in TLC's counterexamples): nobody read anything.
    const file = edited("who-read", (t) => {
      t.states[2] = { ...clone(t.states[1]!), "#meta": { index: 2, action: "Read" } };
    });
    refused(replay(file, "--no-mls"), file, "step 2 (Read): cannot tell which user acted from the states");
  });

  it("an unknown --variant is a usage error", () => {
    const r = replay(BASE, "--no-mls", "--variant", "Bogus");
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`replay: error: unknown variant "Bogus" (known: ${VARIANTS.join(", ")})\n`);
  });
});

describe("npm run replay: the replay's own checks (conformance/replay/replay-trace.ts) refuse a bad trace before any step", () => {
  // The library refuses the same traces with a TraceError, whoever calls it, and takes no step first.
  const steps: StepReport[] = [];
  const reject = (t: ItfTrace) =>
    replayTrace(t, { file: "x.itf.json", mls: false, onStep: (s) => steps.push(s) }).then(
      () => expect.unreachable("the trace must be refused"),
      (e: unknown) => e,
    );
  it.each<[string, (t: ItfTrace) => void, string]>([
    ["unknown action", (t) => void (meta(t, 2).action = "Teleport"), 'x.itf.json: step 2: unknown action "Teleport" (tla/DCA.tla\'s actions: Join, Leave, Read, DcWelcome, DcAdd, DcAddFirst, DcLateWelcome, DcRemove, DcSkip, Revive, AllGone; a recorded run may also claim Quiesced)'],
    ["string user", (t) => void (meta(t, 2).params = { u: "2" }), 'x.itf.json: step 2 (Read): params.u: expected a user 1..3 (Read needs the acting user), got "2"'],
    ["no user", (t) => void (meta(t, 2).params = {}), "x.itf.json: step 2 (Read): params.u: expected a user 1..3 (Read needs the acting user), got nothing"],
    ["params not a record", (t) => void (meta(t, 2).params = [1]), 'x.itf.json: step 2 (Read): params: expected a record like {"u": 1}, got [1]'],
    ["bad target", (t) => void (meta(t, 3).params = { u: 1, target: 0 }), "x.itf.json: step 3 (DcWelcome): params.target: expected a user 1..3, got 0"],
    ["cursor", (t) => void (st(t, 2)[0]!.cursor = 7), "x.itf.json: $.states[2].st[0].cursor: expected a cursor in 0..0 (the log's length), got 7"],
    ["pendingAdds", (t) => void (st(t, 2)[0]!.pendingAdds = "x"), 'x.itf.json: $.states[2].st[0].pendingAdds: expected a sequence of UIDs, got "x"'],
    ["group", (t) => void ((t.states[2]!.group as Json).removed = []), "x.itf.json: $.states[2].group.removed: expected a set of UIDs, got []"],
    ["no action", (t) => void delete meta(t, 2).action, 'x.itf.json: $.states[2]["#meta"].action: missing (which action made this state?)'],
    ["user outside 1..3", (t) => void (meta(t, 2).params = { u: 9 }), "x.itf.json: step 2 (Read): params.u: expected a user 1..3 (Read needs the acting user), got 9"],
    ["log a number", (t) => void (t.states[2]!.log = 5), "x.itf.json: $.states[2].log: expected a sequence, got 5"],
    ["nextUid a string", (t) => void (t.states[2]!.nextUid = "two"), 'x.itf.json: $.states[2].nextUid: expected an integer, got "two"'],
    ["welcomed a string", (t) => void (st(t, 2)[0]!.welcomed = "yes"), 'x.itf.json: $.states[2].st[0].welcomed: expected a boolean, got "yes"'],
    ["group a number", (t) => void (t.states[2]!.group = 3), "x.itf.json: $.states[2].group: expected a record, got 3"],
    ["too few users", (t) => void st(t, 2).pop(), "x.itf.json: $.states[2].st: 2 users, but state 0 has 3"],
    ["st a string", (t) => void (t.states[2]!.st = "hello"), 'x.itf.json: $.states[2].st: expected a non-empty sequence of user states, got "hello"'],
    ["a user state that is a number", (t) => void ((t.states[2]!.st as unknown as unknown[])[0] = 5), "x.itf.json: $.states[2].st[0]: expected a record, got 5"],
    ["variant", (t) => void (t["#meta"]!.variant = "Bogus"), `x.itf.json: $["#meta"].variant: unknown variant "Bogus" (tla/DCA.tla's: ${VARIANTS.join(", ")})`],
  ])("%s", async (name, edit, message) => {
    const t = clone(base);
    edit(t);
    steps.length = 0;
    const e = await reject(t);
    expect(e).toBeInstanceOf(TraceError);
    expect((e as Error).message).toBe(message);
    expect(steps).toEqual([]);
  });
});

describe("npm run replay: traces it follows (0) and divergences (1)", () => {
  it("a committed model trace: exit 0", () => {
    const r = replay(BASE, "--no-mls");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("The implementation followed all 8 steps of the trace.");
  });

  it("a known-bad counterexample on the correct implementation: a state mismatch, exit 1", () => {
    const r = replay("traces/counterexamples/Mutant_NoSkipOwnAdd.itf.json", "--no-mls", "--variant", "Correct");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("The implementation left the model at step 6");
    expect(r.stdout).toContain("st[2].epoch: model 2, implementation 1");
  });

  it("a known-bad counterexample the correct implementation refuses to follow: exit 1", () => {
    const r = replay("traces/counterexamples/Mutant_DcLowestAlive.itf.json", "--no-mls", "--variant", "Correct");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("The implementation left the model at step 4 (DcRemove(2 → 1)):\n  refused: member 2 cannot take DC_REMOVE now");
  });
});

describe("npm run replay --html", () => {
  const page = "cover-Join-u2.replay.html";

  it("a FILE ending in / is a folder: the page goes inside it, as <trace name>.replay.html", () => {
    const dir = join(tmp, "pages-new");
    const r = replay(BASE, "--no-mls", `--html=${dir}/`);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, page), "utf8")).toMatch(/^<!DOCTYPE html>/);
    expect(r.stdout).toContain(`HTML:    ${join(dir, page)} `);
  });

  it("an existing folder, without the /: the page goes inside it too", () => {
    const dir = join(tmp, "pages-existing");
    mkdirSync(dir);
    const r = replay(BASE, "--no-mls", "--html", dir);
    expect(r.status).toBe(0);
    expect(existsSync(join(dir, page))).toBe(true);
  });

  it("--html FILE whatever its suffix is the page's path (not a second trace)", () => {
    const out = join(tmp, "out.htm");
    const r = replay(BASE, "--no-mls", "--html", out);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(readFileSync(out, "utf8")).toMatch(/^<!DOCTYPE html>/);
    // Before the trace, too: FILE is the argument after --html unless it is an option or a .json trace.
    const out2 = join(tmp, "out2");
    expect(replay("--html", out2, BASE, "--no-mls").status).toBe(0);
    expect(existsSync(out2)).toBe(true);
  });

  it("the trace itself is refused as the page's path", () => {
    const file = edited("self", () => {});
    const r = replay(file, "--no-mls", `--html=${file}`);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`replay: error: --html ${file}: that is the trace itself; give the page another path\n`);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(base);
  });

  it("a folder that cannot be made: cannot write <path>, exit 2, before the replay", () => {
    const blocker = join(tmp, "a-file");
    writeFileSync(blocker, "");
    const r = replay(BASE, "--no-mls", `--html=${blocker}/sub/r.html`);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`replay: error: cannot write ${blocker}/sub/r.html: ${blocker} is not a folder\n`);
  });

  it.runIf(process.platform === "linux")("a page that cannot be written after the replay: cannot write <path>: why, exit 2", () => {
    const r = replay(BASE, "--no-mls", "--html=/proc/r.html");
    expect(r.status).toBe(2);
    expect(r.stdout).toContain("The implementation followed all 8 steps of the trace.");
    expect(r.stderr).toBe("replay: error: cannot write /proc/r.html: no such file or directory (ENOENT)\n");
  });
});
