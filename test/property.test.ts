// Randomized, model-based testing of the room (conformance/random/property-engine.ts) against
// the model's properties written in TypeScript (conformance/random/invariants.ts):
//   1. the TypeScript properties agree with TLC on its traces and counterexamples,
//      and fail on hand-made states that break them;
//   2. random command sequences on the room (real MLS) keep every property after
//      every step and converge at every Quiesce;
//   3. teeth: every known-bad implementation switch makes the random test fail.
//
// Replaying a failure of the random test: it prints the seed, fast-check's path and
// fc.commands' replayPath, and writes the run to traces/counterexamples/fuzz-<seed>.itf.json.
// Either `npm run fuzz -- --seed S --path P --replay-path R` (as printed), or
//   DCA_PROPERTY_SEED=S DCA_PROPERTY_PATH=P DCA_PROPERTY_REPLAY_PATH=R npx vitest run test/property.test.ts
// (DCA_PROPERTY_RUNS=N runs more of them).
import { describe, expect, it } from "vitest";
import {
  AtMostOneBelievesDc,
  CommitEpochsIncreaseByOne,
  CommitsFromBelievedDc,
  INVARIANTS,
  NewCommit,
  NoDoubleCommit,
  NoFork,
  QuiescentAllWelcomed,
  QuiescentEqualEpochs,
  QuiescentNoPendings,
  QuiescentNotStranded,
  QuiescentSomeDc,
  QuiescentWelcomesAdded,
  STEP_PROPERTIES,
  UidsEnumerate,
  UniquePendings,
  ViewMatchesGroup,
  checkInvariants,
  checkStep,
} from "../conformance/random/invariants.ts";
import { Quiescent, type ModelLike } from "../conformance/model/state-view.ts";
import { replayTrace } from "../conformance/replay/replay-trace.ts";
import {
  KNOWN_BUGS,
  RoomHarness,
  RunFailure,
  describeFailure,
  runCampaign,
  writeCounterexample,
  type CampaignOptions,
} from "../conformance/random/property-engine.ts";
import { traceFiles } from "../conformance/replay/replay-all.ts";
import type { Variant } from "../impl/types.ts";
import { readItf, validateItf, type ItfState } from "../scripts/tlc/formats/itf.ts";

// --- 1. The properties in TypeScript ------------------------------------------

describe("conformance/random/invariants.ts agrees with TLC", () => {
  const all = { ...INVARIANTS, ...STEP_PROPERTIES };
  /** Every property that fails, as "index:Name", in a trace of `variant`. */
  const failures = (states: ItfState[], variant: Variant): string[] =>
    states.flatMap((s, i) => [
      ...checkInvariants(s, variant),
      ...(i > 0 ? checkStep(states[i - 1]!, s, variant) : []),
    ].map((v) => `${i}:${v.property}`));

  it.each(traceFiles())("model trace %s: nothing fails in any state or step", async (file) => {
    const trace = await readItf(file);
    expect(failures(trace.states, "Correct")).toEqual([]);
  });

  // TLC's counterexamples for a safety property of the model (not the liveness lassos,
  // nor recorded runs of the implementation).
  const tlcSafety = traceFiles("traces/counterexamples").filter((f) => /\/(Mutant|Regression|Gap)_\w+\.itf\.json$/.test(f));

  it("there are TLC counterexamples to check", () => {
    expect(tlcSafety.length).toBeGreaterThanOrEqual(7);
  });

  it.each(tlcSafety)("%s: the property TLC reports fails in the last state, nothing before it", async (file) => {
    const trace = await readItf(file);
    const meta = trace["#meta"] as { variant: Variant; violation: { name: string } };
    expect(Object.keys(all)).toContain(meta.violation.name);
    const last = trace.states.length - 1;
    const found = failures(trace.states, meta.variant);
    expect(found).toContain(`${last}:${meta.violation.name}`);
    expect(found.filter((f) => !f.startsWith(`${last}:`))).toEqual([]);
  });
});

// Hand-made states. st[u] defaults to DCA!Fresh ("waiting"); sets as {"#set": [...]}.
const set = (...xs: number[]) => ({ "#set": xs });
const NONE = { type: "none" };
type Fields = Record<string, unknown>;
const user = (status: "waiting" | "active" | "gone", fields: Fields = {}) => ({
  status,
  cursor: 0,
  welcomed: false,
  tentative: NONE,
  epoch: 0,
  by: 0,
  members: set(),
  ahead: set(),
  pendingAdds: [],
  pendingRemoves: [],
  adding: 0,
  ...fields,
});
/** A member of the group at epoch `epoch` made by `by`, with membership `members`. */
const member = (epoch: number, by: number, members: number[], fields: Fields = {}) =>
  user("active", { welcomed: true, epoch, by, members: set(...members), ...fields });
const state = (s: { st: object[]; log?: object[]; nextUid?: number; group: { epoch: number; by: number; members: number[]; removed?: number[] } }): ModelLike => ({
  log: s.log ?? [],
  st: s.st,
  nextUid: s.nextUid ?? s.st.filter((u) => (u as { status: string }).status !== "waiting").length + 1,
  group: { epoch: s.group.epoch, by: s.group.by, members: set(...s.group.members), removed: set(...(s.group.removed ?? [])) },
});
const add = (target: number, epoch: number, sender: number, parent: number) => ({ type: "add", target, epoch, sender, parent });
const remove = (target: number, epoch: number, sender: number, parent: number) => ({ type: "remove", target, epoch, sender, parent });

/** Users 1 (the DC, ranked first) and 2, both members at epoch 1 (1 added 2), quiescent. */
const pair = (fields1: Fields = {}, fields2: Fields = {}, group: Partial<{ epoch: number; by: number; members: number[]; removed: number[] }> = {}) =>
  state({
    st: [member(1, 1, [1, 2], fields1), member(1, 1, [1, 2], { ahead: set(1), ...fields2 })],
    group: { epoch: 1, by: 1, members: [1, 2], ...group },
  });

describe("the properties fail on hand-made states that break them", () => {
  it("a quiescent room of two members breaks nothing", () => {
    expect(Quiescent(pair())).toEqual([]);
    expect(checkInvariants(pair())).toEqual([]);
  });

  // @spec R3 R4
  it("UniquePendings: a user listed twice", () => {
    const s = pair({ pendingAdds: [3, 4, 3] });
    expect(UniquePendings(s)).toEqual(["user 1: pendingAdds <<3, 4, 3>> lists 3 twice"]);
    expect(UniquePendings(pair({}, { pendingRemoves: [1, 1] }))).toHaveLength(1);
  });

  // @spec R2
  it("UidsEnumerate: an arrived user at or above nextUid, a waiting one below it", () => {
    const s = state({ st: [member(0, 0, [1]), user("waiting"), user("active")], nextUid: 3, group: { epoch: 0, by: 0, members: [1] } });
    expect(UidsEnumerate(s)).toEqual(["user 2 is below nextUid 3 but has not arrived", "user 3 is active but nextUid is 3"]);
  });

  // @spec R6
  it("AtMostOneBelievesDc: two members rank nobody before themselves", () => {
    expect(AtMostOneBelievesDc(pair({}, { ahead: set() }))).toEqual(["users 1, 2 all believe they are the DC"]);
    // DcLowestAlive: a user that was never added believes too.
    const s = state({ st: [member(0, 0, [1]), user("active", { cursor: 1, ahead: set() })], log: [{ type: "joined", uid: 2 }], group: { epoch: 0, by: 0, members: [1] } });
    expect(AtMostOneBelievesDc(s, "Correct")).toEqual([]);
    expect(AtMostOneBelievesDc(s, "DcLowestAlive")).toEqual(["users 1, 2 all believe they are the DC"]);
  });

  it("NoFork: a member in another Commit of the group's epoch number is a fork", () => {
    expect(NoFork(pair({}, { by: 3 }))).toEqual(["user 2 in epoch 1 by 3 replays the log to epoch 1 by 3, but the group is in epoch 1 by 1"]);
  });

  it("NoFork: Commits ahead on the log count (DCA!ReplayFrom): applied, skipped when own, rejected when of another epoch", () => {
    // 1 removed 3 in epoch 1; 2 has not read it yet: it will reach the group's epoch.
    const behind = state({
      st: [member(2, 1, [1, 2], { cursor: 1 }), member(1, 1, [1, 2, 3], { ahead: set(1) }), user("gone")],
      log: [remove(3, 1, 1, 1)],
      group: { epoch: 2, by: 1, members: [1, 2], removed: [3] },
    });
    expect(NoFork(behind)).toEqual([]);
    expect(ViewMatchesGroup(behind)).toEqual([]);
    // 2 is one epoch behind what the unread Commit was made in: MLS would refuse it.
    const stale = state({
      st: [member(2, 1, [1, 2], { cursor: 1 }), member(0, 0, [1, 2], { ahead: set(1) })],
      log: [remove(3, 1, 1, 1)],
      group: { epoch: 2, by: 1, members: [1, 2], removed: [3] },
    });
    expect(NoFork(stale)).toEqual(["user 2 in epoch 0 by none: MLS would reject log[1], remove(3) by 1 in epoch 1 by 1, reached in epoch 0 by none"]);
  });

  it("NoFork: a member welcomed into a living DC's Commit not yet on the log (DCA!InFlightFor) — only when a Welcome counts at once", () => {
    const s = state({
      st: [member(0, 0, [1], { adding: 2 }), member(1, 1, [1, 2], { ahead: set(1), cursor: 1 })],
      log: [{ type: "welcome", target: 2, epoch: 1, sender: 1, members: set(1, 2), removes: [] }],
      group: { epoch: 0, by: 0, members: [1] },
    });
    expect(NoFork(s, "FirstWelcomeCounts")).toEqual([]);
    expect(NoFork(s, "Correct")).toEqual(["user 2 in epoch 1 by 1 replays the log to epoch 1 by 1, but the group is in epoch 0 by none"]);
  });

  it("ViewMatchesGroup: a member in the group's epoch with another membership", () => {
    expect(ViewMatchesGroup(pair({}, { members: set(1, 2, 3) }))).toEqual(["user 2 replays to members {1, 2, 3}, the group's are {1, 2}"]);
  });

  it("Quiescent: unread entries, or a DC with work", () => {
    const s = pair({ cursor: 1, pendingAdds: [3] }, { cursor: 0 });
    const withLog = { ...(s as object), log: [{ type: "joined", uid: 3 }] };
    expect(Quiescent(withLog)).toEqual(["user 2 has read 0 of 1 entries", "user 1 has DC work"]);
  });

  it("QuiescentNoPendings: a pending remove nobody will do (IgnoreRemoves: removes are no work)", () => {
    const s = pair({ pendingRemoves: [3] }, { pendingRemoves: [3] });
    expect(QuiescentNoPendings(s, "Correct")).toEqual([]); // not quiescent: the DC has work
    expect(QuiescentNoPendings(s, "IgnoreRemoves")).toEqual([
      "user 1: pendingRemoves <<3>> at quiescence",
      "user 2: pendingRemoves <<3>> at quiescence",
    ]);
  });

  it("QuiescentEqualEpochs: members in two epochs at quiescence", () => {
    expect(QuiescentEqualEpochs(pair({}, { epoch: 2 }))).toEqual(["user 2 is in epoch 2 by 1, user 1 in epoch 1 by 1"]);
  });

  it("QuiescentAllWelcomed and QuiescentWelcomesAdded: a joiner stranded on a tentative Welcome", () => {
    const welcome = { type: "welcome", target: 3, epoch: 2, sender: 1, members: set(1, 2, 3), removes: [] };
    const s = state({
      st: [member(1, 1, [1, 2]), member(1, 1, [1, 2], { ahead: set(1) }), user("active", { ahead: set(1, 2), tentative: welcome })],
      group: { epoch: 1, by: 1, members: [1, 2] },
    });
    expect(QuiescentAllWelcomed(s)).toEqual(["user 3 is active but not welcomed at quiescence (tentative Welcome from 1)"]);
    expect(QuiescentWelcomesAdded(s)).toEqual([
      "user 3 waits on a tentative Welcome from 1 into epoch 2",
      "group.members {1, 2} but the active users are {1, 2, 3}",
    ]);
  });

  // @spec DCA!QuiescentNotStranded DCA!CanRevive R15
  it("no escape for a dead group with live users (R15): a stranded user breaks them; reviving is work; a deserted room breaks nothing", () => {
    // User 2 still ranks user 1, who left (it never read the `left`): it cannot revive, and nothing will happen.
    const stranded = state({ st: [user("gone"), user("active", { ahead: set(1) })], group: { epoch: 0, by: 0, members: [1] } });
    expect(QuiescentAllWelcomed(stranded)).toEqual(["user 2 is active but not welcomed at quiescence"]);
    expect(QuiescentNotStranded(stranded)).toEqual(["users 2 are active, but no member of the group {1} is"]);
    expect(QuiescentSomeDc(stranded)).toEqual(["no welcomed member of {} believes it is the DC"]);
    // Once it has seen 1 leave, reviving is its work: not quiescent, nothing to report yet.
    const canRevive = state({ st: [user("gone"), user("active")], group: { epoch: 0, by: 0, members: [1] } });
    expect(Quiescent(canRevive)).toEqual(["user 2 has DC work"]);
    expect(Quiescent(canRevive, "NoRevive")).toEqual([]);
    expect(QuiescentNotStranded(canRevive, "NoRevive")).toHaveLength(1);
    // Everyone has left: the one room the quiescent properties excuse.
    const deserted = state({ st: [user("gone"), user("gone")], group: { epoch: 1, by: 1, members: [1, 2] } });
    expect(checkInvariants(deserted)).toEqual([]);
  });
});

describe("the step properties fail on hand-made steps that break them", () => {
  /** Before: members 1 (DC) and 2 at epoch 1, user 3 waiting for its add; after: `c` appended. */
  const before = state({
    st: [member(1, 1, [1, 2], { pendingAdds: [3] }), member(1, 1, [1, 2], { ahead: set(1), pendingAdds: [3] }), user("active", { ahead: set(1, 2) })],
    group: { epoch: 1, by: 1, members: [1, 2], removed: [4] },
  });
  const after = (c: object) => ({ ...(before as object), log: [c] });

  it("a step that appends no Commit is not checked", () => {
    expect(NewCommit(before, after({ type: "left", uid: 2 }))).toBeNull();
    expect(NewCommit(before, before)).toBeNull();
    expect(checkStep(before, after(add(3, 1, 1, 1)))).toEqual([]);
  });

  it("CommitEpochsIncreaseByOne: a Commit made in an epoch that is not the group's", () => {
    expect(CommitEpochsIncreaseByOne(before, after(add(3, 2, 1, 1)))).toEqual(["add(3) by 1 in epoch 2 by 1: the group is in epoch 1"]);
  });

  it("NoDoubleCommit: adding a member or a removed user, removing a non-member", () => {
    expect(NoDoubleCommit(before, after(add(2, 1, 1, 1)))).toEqual(["add(2) by 1 in epoch 1 by 1: 2 is already a member {1, 2}"]);
    expect(NoDoubleCommit(before, after(add(4, 1, 1, 1)))).toEqual(["add(4) by 1 in epoch 1 by 1: 4 was removed before"]);
    expect(NoDoubleCommit(before, after(remove(3, 1, 1, 1)))).toEqual(["remove(3) by 1 in epoch 1 by 1: 3 is not a member {1, 2}"]);
  });

  it("CommitsFromBelievedDc: a Commit from a member that does not believe, from a non-member, from another epoch", () => {
    expect(CommitsFromBelievedDc(before, after(add(3, 1, 2, 1)))).toEqual(["add(3) by 2 in epoch 1 by 1: user 2 did not believe it was the DC"]);
    const lowest = CommitsFromBelievedDc(before, after(add(4, 0, 3, 0)), "DcLowestAlive");
    expect(lowest).toContain("add(4) by 3 in epoch 0 by none: user 3 did not believe it was the DC");
    expect(lowest).toContain("add(4) by 3 in epoch 0 by none: user 3 is not in the group {1, 2}");
    expect(lowest).toContain("add(4) by 3 in epoch 0 by none: the group is in epoch 1 by 1");
  });
});

// --- 2. Random runs of the room ---------------------------------------------------

const env = process.env;
const replaying = env.DCA_PROPERTY_SEED !== undefined;
const fromEnv: Partial<CampaignOptions> = {
  ...(replaying ? { seed: Number(env.DCA_PROPERTY_SEED) } : {}),
  ...(env.DCA_PROPERTY_PATH ? { path: env.DCA_PROPERTY_PATH } : {}),
  ...(env.DCA_PROPERTY_REPLAY_PATH ? { replayPath: env.DCA_PROPERTY_REPLAY_PATH } : {}),
};

/** Runs the random test; a failure is written as an ITF trace and reported with how to replay it. */
async function expectNoFailure(opts: CampaignOptions) {
  const result = await runCampaign({ ...opts, ...fromEnv });
  if (result.failed) {
    const file = result.trace ? await writeCounterexample(result) : undefined;
    const report = describeFailure(result, file);
    console.error(report);
    expect.fail(report);
  }
  return result;
}

// @spec DCA!EventuallyConverged DCA!JoinerEventuallyWelcomed — every Quiesce must end converged (joiners welcomed) or with the group dead.
describe("random runs of the room keep every property (fc.commands)", () => {
  it(
    "on real MLS: invariants after every step, step properties across it, convergence and one safety number at every Quiesce",
    async () => {
      const { stats } = await expectNoFailure({ numRuns: Number(env.DCA_PROPERTY_RUNS ?? 25), mls: true, tolerate: KNOWN_BUGS });
      if (stats.cutShort.size) console.warn(`known bugs cut runs short: ${[...stats.cutShort].map(([id, n]) => `${id} ×${n}`).join(", ")}`);
      if (replaying) return;
      // The runs mattered: long, with DC changes, reaching convergence and exchanging messages.
      expect(stats.steps / stats.runs).toBeGreaterThan(40);
      expect(stats.dcChanges).toBeGreaterThanOrEqual(10);
      expect(stats.converged).toBeGreaterThan(10);
      expect(stats.appMessages).toBeGreaterThan(10);
    },
    120_000,
  );

  it(
    "without MLS, many more runs of the algorithm",
    async () => {
      const { stats } = await expectNoFailure({ numRuns: replaying ? 1 : 300, mls: false });
      if (replaying) return;
      expect(stats.maxDcChangesInRun).toBeGreaterThanOrEqual(5);
      for (const action of ["Join", "Leave", "Read", "DcWelcome", "DcAdd", "DcRemove", "DcSkip", "Revive"]) expect(stats.actions.get(action)).toBeGreaterThan(0);
      // R16: joiners leave before they are added often, and some between their Welcome and their Add.
      expect(stats.actions.get("DcSkip")).toBeGreaterThan(stats.runs);
      expect(stats.midAddSkips).toBeGreaterThan(10);
    },
    60_000,
  );

  it("regression: ts-mls accepts the Welcome its RFC 9420 7.9.2 check used to refuse (patches/ts-mls+1.6.4.patch)", async () => {
    // Shrunk from a random run: 1 removes 2 (a Commit with a path), then adds 3, 4, 5,
    // 6 and 7. Unpatched ts-mls 1.6.4 refuses 7's Welcome ("non-blank intermediate node
    // must list leaf node in its unmerged_leaves"), stranding 7.
    const h = await RoomHarness.create({ mls: true });
    for (let i = 0; i < 3; i++) await h.join();
    await h.leave(2);
    await h.join();
    await h.quiesce(0);
    await h.join();
    await h.join();
    await h.quiesce(0);
    expect(h.room.state(7)).toMatchObject({ welcomed: true, status: "active" });
  });
});

// --- 3. Teeth -------------------------------------------------------------------

// @spec DCA!DcAddFirst DCA!DcLateWelcome R6 R7 R8 R9 R11 R12 R13 — each switch breaks one rule (AddBeforeWelcome takes the known-bad DC steps).
describe("teeth: the random test catches every known-bad implementation switch", () => {
  // Which property the (shrunk) failing run breaks first, with this seed. MLS is off:
  // the algorithm's properties catch every switch without it (and 25 times faster).
  const expected: [Exclude<Variant, "Correct">, string][] = [
    ["WelcomeOutOfOrder", "QuiescentNoPendings"],
    ["AddBeforeWelcome", "QuiescentAllWelcomed"],
    ["DcLowestAlive", "CommitsFromBelievedDc"],
    ["NoSkipOwnAdd", "NoFork"],
    ["IgnoreRemoves", "QuiescentNoPendings"],
    ["FirstWelcomeCounts", "NoFork"],
    ["WelcomeWithoutRemoves", "QuiescentNoPendings"],
    ["NoRevive", "QuiescentNotStranded"],
    ["NoPresentList", "QuiescentNotStranded"],
    ["KeepStaleRemoves", "QuiescentNoPendings"],
    ["NoSkip", "NoWelcomeOrAddAfterLeft"],
  ];

  it.each(expected)(
    "%s is caught (%s)",
    async (variant, property) => {
      const result = await runCampaign({ variant, mls: false, numRuns: 200, seed: 1 });
      expect(result.failed, `200 random runs did not catch ${variant}`).toBe(true);
      expect(result.error).toBeInstanceOf(RunFailure);
      const failure = result.error as RunFailure;
      expect(failure.violations.map((v) => v.property)).toContain(property);
      expect(result.replayPath).toMatch(/\S/);
      // The shrunk run, as written to a counterexample file, replays on the implementation
      // (as `npm run replay` does) and names the property in its #meta.
      const trace = validateItf(JSON.parse(JSON.stringify(result.trace)), `fuzz run of ${variant}`);
      expect(trace["#meta"]).toMatchObject({ variant, mls: false, violation: { name: failure.property }, fuzz: { seed: 1 } });
      const report = await replayTrace(trace, { file: `fuzz run of ${variant}`, mls: false });
      expect(report.firstDivergence).toBeUndefined();
      expect(report.steps).toHaveLength(trace.states.length);
    },
    30_000,
  );
});
