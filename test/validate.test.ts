// Trace validation with TLC (conformance/validate/trace-validate.ts, tla/DCA_Validate.tla):
// recorded implementation runs and model traces are behaviours of DCA; runs of a
// known-bad implementation, tampered traces and mislabelled steps are rejected at
// the step where they leave the model; input that is not a DCA trace is refused.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunRecorder } from "../conformance/validate/run-recorder.ts";
import { ConformanceError, replayTrace, type StepParams } from "../conformance/replay/replay-trace.ts";
import { Room } from "../impl/room.ts";
import type { Variant } from "../impl/types.ts";
import { readItf, type ItfTrace } from "../scripts/tlc/formats/itf.ts";
import { checkDcaTrace, TraceInputError, validateRun, verdictLine, type ValidateOptions } from "../conformance/validate/trace-validate.ts";
import { resolveTlc, type ResolvedTlc } from "../scripts/tlc/resolve.ts";
import { hasJava, inCi } from "./local-tlc.ts";

const USERS = 3;

/**
 * A run of ~two dozen steps: two joiners welcomed and added, reads in log order,
 * a leave and the DC's remove. `marks` names the steps the tests refer to.
 */
const SCENARIO: { action: string; params: StepParams; mark?: string }[] = [
  { action: "Join", params: { u: 2 } },
  { action: "Read", params: { u: 1 } },
  { action: "DcWelcome", params: { u: 1, target: 2 } },
  { action: "DcAdd", params: { u: 1, target: 2 } },
  { action: "Join", params: { u: 3 } },
  { action: "Read", params: { u: 2 }, mark: "2 reads its Welcome" },
  { action: "Read", params: { u: 2 }, mark: "2 reads its own Add" },
  { action: "Read", params: { u: 1 } },
  { action: "Read", params: { u: 1 } },
  { action: "Read", params: { u: 1 } },
  { action: "Read", params: { u: 2 }, mark: "2 reads joined(3)" },
  { action: "DcWelcome", params: { u: 1, target: 3 } },
  { action: "DcAdd", params: { u: 1, target: 3 } },
  { action: "Read", params: { u: 3 } },
  { action: "Read", params: { u: 3 } },
  { action: "Read", params: { u: 2 } },
  { action: "Read", params: { u: 2 } },
  { action: "Leave", params: { u: 2 } },
  { action: "Read", params: { u: 1 } },
  { action: "Read", params: { u: 1 } },
  { action: "Read", params: { u: 1 } },
  { action: "DcRemove", params: { u: 1, target: 2 } },
  { action: "Read", params: { u: 3 } },
  { action: "Read", params: { u: 3 } },
];
/** The ITF index of a marked step (state 0 is the initial state). */
const stepOf = (mark: string) => SCENARIO.findIndex((s) => s.mark === mark) + 1;

/** Drives a room (MLS off) through the scenario, recording every step. */
async function recordRun(variant: Variant): Promise<ItfTrace> {
  const room = await Room.create({ variant, mls: false });
  const rec = new RunRecorder(room, USERS);
  for (const { action, params } of SCENARIO) {
    const u = params.u!;
    switch (action) {
      case "Join":
        await room.join();
        break;
      case "Leave":
        room.leave(u);
        break;
      case "Read":
        await room.read(u);
        break;
      case "DcWelcome":
        await room.dcWelcome(u, params.target);
        break;
      case "DcAdd":
        room.dcAdd(u);
        break;
      case "DcRemove":
        await room.dcRemove(u);
        break;
      default:
        throw new Error(`scenario action ${action}`);
    }
    rec.record(action, params);
  }
  // Through JSON, as a file written by the recorder would be read back.
  return JSON.parse(JSON.stringify(rec.toItf())) as ItfTrace;
}

// In CI (test/local-tlc.ts) this never skips.
describe.skipIf(!inCi && !hasJava)("trace validation with TLC", () => {
  const outRoot = mkdtempSync(join(tmpdir(), "validate-test-"));
  afterAll(() => rmSync(outRoot, { recursive: true, force: true }));
  let jar: ResolvedTlc;
  let correct: ItfTrace;
  const opts = (name: string): ValidateOptions => ({ name, outRoot, jar });

  beforeAll(async () => {
    jar = await resolveTlc({ log: () => {} });
    correct = await recordRun("Correct");
  }, 60_000);

  it("accepts a recorded run of the correct implementation", async () => {
    expect(correct.states).toHaveLength(SCENARIO.length + 1);
    const r = await validateRun(correct, opts("impl-correct"));
    expect(r).toMatchObject({ accepted: true, steps: SCENARIO.length, matched: SCENARIO.length + 1, users: USERS, variant: "Correct" });
    expect(r.leftAt).toBeUndefined();
    expect(r.tlc.runs).toHaveLength(1);
    expect(r.warnings).toEqual([]); // e.g. no files written by TLC next to the generated spec
    expect(r.tlc.version).toMatch(/^TLC2 Version/);
    expect(verdictLine(r)).toBe(`accepted: TLC found the run to be a behaviour of DCA (${SCENARIO.length} steps)`);
  });

  // Known-bad switches of the implementation, checked against the CORRECT model.
  it.each([
    ["NoSkipOwnAdd", "2 reads its own Add", "st[2].epoch"],
    ["FirstWelcomeCounts", "2 reads its Welcome", "st[2].welcomed"],
  ] as const)("rejects a run of the %s implementation where it leaves the model (%s)", async (variant, mark, field) => {
    const bad = await recordRun(variant);
    const r = await validateRun(bad, opts(`impl-${variant}`));
    const k = stepOf(mark);
    expect(r.accepted).toBe(false);
    expect(r.matched).toBe(k);
    expect(r.leftAt).toMatchObject({ step: k, action: "Read", params: { u: 2 }, kind: "no-step", enabled: true });
    expect(r.leftAt!.differences!.map((d) => d.path)).toContain(field);
    expect(verdictLine(r)).toBe(
      `rejected: the implementation left the model at step ${k} (Read(2)): no step of DCA leads from state ${k - 1} to the recorded state ${k}`,
    );
    // An independent oracle: replaying the run on the correct implementation diverges at the same step.
    const replay = await replayTrace(bad, { file: variant, mls: false, variant: "Correct" }).catch((e: unknown) => e);
    expect(replay).toBeInstanceOf(ConformanceError);
    expect((replay as ConformanceError).report.firstDivergence).toBe(k);
    // Checked against its own (bad) variant of the model, the same run is a behaviour.
    expect((await validateRun(bad, { ...opts(`impl-${variant}-own`), variant, explain: false })).accepted).toBe(true);
  });

  it("rejects a tampered trace at the tampered state", async () => {
    const k = 10; // a Read: the group does not change
    const tampered = structuredClone(correct);
    (tampered.states[k]!.group as { epoch: number }).epoch += 1;
    const r = await validateRun(tampered, opts("tampered"));
    expect(r).toMatchObject({ accepted: false, matched: k, leftAt: { step: k, kind: "no-step", enabled: true } });
    expect(r.leftAt!.differences).toEqual([{ path: "group.epoch", model: "1", recorded: "2" }]);
  });

  it("weighs every successor TLC finds (one counterexample each, with -continue) and names the closest", async () => {
    const k = 10; // a Read, as above
    const unlabelled = structuredClone(correct);
    delete unlabelled.states[k]!["#meta"]!.params; // no user recorded, as in TLC's traces: any user's Read is a candidate
    (unlabelled.states[k]!.group as { epoch: number }).epoch += 1;
    const r = await validateRun(unlabelled, opts("unlabelled"));
    expect(r.leftAt).toMatchObject({ step: k, kind: "no-step", enabled: true });
    expect(r.leftAt!.successors).toBeGreaterThan(1);
    expect(r.leftAt!.differences).toEqual([{ path: "group.epoch", model: "1", recorded: "2" }]);
  });

  it("rejects a step recorded with the wrong user, and says the state itself is reachable", async () => {
    const k = stepOf("2 reads joined(3)");
    const relabelled = structuredClone(correct);
    relabelled.states[k]!["#meta"]!.params = { u: 3 };
    const r = await validateRun(relabelled, opts("relabelled"));
    expect(r.leftAt).toMatchObject({ step: k, action: "Read", params: { u: 3 }, kind: "other-step", enabled: false });
    expect(verdictLine(r)).toContain("follows from state");
  });

  it("rejects a first state that is not an initial state", async () => {
    const shifted = structuredClone(correct);
    shifted.states.shift();
    const r = await validateRun(shifted, opts("not-initial"));
    expect(r).toMatchObject({ accepted: false, matched: 0, leftAt: { step: 0, kind: "not-initial" } });
    expect(r.tlc.runs).toHaveLength(1); // nothing to explain
    // A run of the initial state alone is a behaviour; a wrong one is not.
    expect((await validateRun({ ...correct, states: correct.states.slice(0, 1) }, opts("init-only"))).accepted).toBe(true);
    expect((await validateRun({ ...shifted, states: shifted.states.slice(0, 1) }, opts("init-only-bad"))).leftAt?.step).toBe(0);
  });

  it("accepts committed model traces", async () => {
    const files = ["walk-4users-seed1", "cover-DcWelcome-replaces-tentative", "cover-Leave-dc-mid-add", "cover-AllGone"];
    const results = await Promise.all(
      files.map(async (f) => validateRun(await readItf(`traces/model/${f}.itf.json`), opts(`model-${f}`))),
    );
    for (const [n, r] of results.entries()) {
      expect({ file: files[n], accepted: r.accepted, matched: r.matched }).toEqual({ file: files[n], accepted: true, matched: r.steps + 1 });
    }
  });

  it("the CLI prints the verdict and exits 1 on rejection, 2 on a file that is not a DCA trace", () => {
    const tampered = structuredClone(correct);
    (tampered.states[4]!.st as { epoch: number }[])[0]!.epoch = 7;
    const file = join(outRoot, "tampered-cli.itf.json");
    writeFileSync(file, JSON.stringify(tampered));
    const run = (f: string) =>
      spawnSync("node", ["--import", "./scripts/register-ts-node.mjs", "scripts/validate.ts", f, "--name", "cli-test", "--no-explain"], {
        encoding: "utf8",
        env: { ...process.env, TLA2TOOLS_JAR: jar.jar },
      });
    const rejected = run(file);
    expect(rejected.stdout).toContain("rejected: the implementation left the model at step 4 (DcAdd(1 → 2)): no step of DCA leads from state 3 to the recorded state 4");
    expect(rejected.status).toBe(1);
    const notDca = join(outRoot, "not-dca.json");
    writeFileSync(notDca, JSON.stringify({ vars: ["x"], states: [{ x: 1 }] }));
    const refused = run(notDca);
    expect(refused.stderr).toMatch(/not a trace of tla\/DCA\.tla/);
    expect(refused.status).toBe(2);
  }, 30_000);
});

// @spec DCA!TypeOK — checkDcaTrace refuses states whose variables do not have the model's types.
describe("input that is not a DCA trace is refused before TLC runs", () => {
  it("names what is wrong and where", async () => {
    const model = await readItf("traces/model/cover-Leave-dc.itf.json");
    expect(checkDcaTrace(model).users).toBe(3);
    const cases: [(t: ItfTrace) => void, RegExp][] = [
      [(t) => (t.vars = ["x"]), /not a trace of tla\/DCA\.tla/],
      [(t) => (t.states = []), /non-empty array of states/],
      [(t) => ((t.states[1]!.st as Record<string, unknown>[])[0]!.cursor = "0"), /\$\.states\[1\]\.st\[0\]\.cursor: expected a cursor in 0\.\.\d+ \(the log's length\), got "0"/],
      [(t) => ((t.states[0]!.group as Record<string, unknown>).members = [1]), /\$\.states\[0\]\.group\.members: expected a set/],
      [(t) => (t.states[1]!.log = [{ type: "hello" }]), /\$\.states\[1\]\.log\[0\]\.type: expected "joined", "left", "skipped", "welcome", "add" or "remove", got "hello"/],
      // The shape every reader of a DCA trace checks (conformance/model/vocabulary.ts, as the replay and the viewer do).
      [(t) => ((t.states[1]!.st as Record<string, unknown>[])[0]!.status = "zombie"), /^t: \$\.states\[1\]\.st\[0\]\.status: expected "waiting", "active" or "gone", got "zombie"$/],
      [(t) => ((t.states[1]!.st as Record<string, unknown>[])[0]!.by = 9), /\$\.states\[1\]\.st\[0\]\.by: expected a UID \(1\.\.3\) or 0 \(none\), got 9/],
      [(t) => (t.states[1]!["#meta"] = { action: "Dance" }), /^t: step 1: unknown action "Dance"/],
      [(t) => delete t.states[1]!["#meta"], /^t: \$\.states\[1\]\["#meta"\]\.action: missing/],
      [(t) => (t["#meta"] = { variant: "Sloppy" }), /\$\["#meta"\]\.variant: unknown variant "Sloppy"/],
      [(t) => ((t.states[1]!.st as unknown[])[0] = undefined), /^t: \$\.states\[1\]\.st\[0\]: undefined is not an ITF value$/],
      [(t) => (t.states[1]!.st as unknown[]).pop(), /\$\.states\[1\]\.st: 2 users, but state 0 has 3/],
      [(t) => ((t.states[0]!.group as Record<string, unknown>).extra = 1), /field extra that DCA does not have/],
      [(t) => (t.states[1]!["#meta"] = { action: "Leave", params: { u: "one" } }), /params\.u: expected an integer/],
    ];
    for (const [edit, message] of cases) {
      const t = structuredClone(model);
      edit(t);
      expect(() => checkDcaTrace(t, "t")).toThrow(TraceInputError);
      expect(() => checkDcaTrace(t, "t")).toThrow(message);
    }
    await expect(validateRun({ vars: ["x"], states: [{ x: 1 }] }, { name: "x" })).rejects.toThrow(TraceInputError);
  });

  it("passes every committed trace, and recorded runs with their Quiesced claim", async () => {
    for (const dir of ["traces/model", "traces/counterexamples"]) {
      for (const f of readdirSync(dir).filter((x) => x.endsWith(".itf.json"))) {
        expect(() => checkDcaTrace(readItfSync(`${dir}/${f}`), f), f).not.toThrow();
      }
    }
    const run = await recordRun("Correct");
    const quiesced = structuredClone(run.states.at(-1)!);
    quiesced["#meta"] = { index: run.states.length, action: "Quiesced", params: {} };
    run.states.push(quiesced);
    expect(checkDcaTrace(run, "recorded").states.at(-1)!.action).toBe("Quiesced");
  });

  it("the CLI refuses a wrongly-shaped trace as bad input (exit 2, one line), before TLC, not as 'rejected'", () => {
    const dir = mkdtempSync(join(tmpdir(), "validate-shape-"));
    try {
      const t = readItfSync("traces/model/cover-Join-u2.itf.json");
      (t.states[1]!.st as Record<string, unknown>[])[0]!.status = "zombie";
      const file = join(dir, "zombie.itf.json");
      writeFileSync(file, JSON.stringify(t));
      // No TLC needed: a TLC that cannot be found would be an error of another kind.
      const r = spawnSync(process.execPath, ["--import", "./scripts/register-ts-node.mjs", "scripts/validate.ts", file, "--name", "shape-test"], {
        encoding: "utf8",
        env: { ...process.env, TLA2TOOLS_JAR: join(dir, "no-such-tla2tools.jar") },
      });
      expect(r.stderr.trim()).toBe(`validate: error: ${file}: $.states[1].st[0].status: expected "waiting", "active" or "gone", got "zombie"`);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

function readItfSync(path: string): ItfTrace {
  return JSON.parse(readFileSync(path, "utf8")) as ItfTrace;
}
