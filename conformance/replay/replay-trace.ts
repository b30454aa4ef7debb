// Replays a model trace (ITF) on the implementation: each recorded action is
// performed on a steppable room, the room's state is mapped to the model's
// variables (conformance/model/refinement.ts) and compared with the trace's state
// after every step. With MLS on, every step also checks the real MLS state:
// each welcomed member's MLS epoch equals its model epoch, and members of one
// epoch have one epoch authenticator and one safety number.

import * as mls from "../../impl/mls.ts";
import { Room } from "../../impl/room.ts";
import { safetyNumber } from "../../impl/safety-number.ts";
import { type MemberState, type Uid, type Variant } from "../../impl/types.ts";
import type { ItfState, ItfTrace } from "../../scripts/tlc/formats/itf.ts";
import type { ItfValue } from "../../scripts/tlc/formats/tla-values.ts";
import { diffValues, type Difference } from "../model/diff.ts";
import { toModel, type ModelState } from "../model/refinement.ts";
import { modelLastArrival } from "../model/state-view.ts";
import { formatParams, NEEDS_ACTOR, stepParams, type ParamsFrom, type StepParams } from "../model/step-labels.ts";
import { checkDcaTrace, DCA_VARS, isInt, isRecord, show, TraceError } from "../model/vocabulary.ts";

export { TraceError } from "../model/vocabulary.ts";
// Step labels live in the model vocabulary (the viewer needs them without MLS); re-exported for the replay's users.
export { deriveStepParams, formatParams, stepParams, type ParamsFrom, type StepParams } from "../model/step-labels.ts";

export interface StepReport {
  index: number;
  action: string;
  params: StepParams;
  /** Where the parameters came from: recorded by the trace, or derived from consecutive states. */
  paramsFrom: ParamsFrom;
  differences: Difference[];
  /** MLS problems found at this step (empty when MLS agrees or is off). */
  mlsProblems: string[];
  /** A step the implementation refused to take. */
  refused?: string;
  /** A log entry the member rejected while reading (its state effect is still compared). */
  rejected?: string;
}

export interface ReplayReport {
  file: string;
  variant: Variant;
  steps: StepReport[];
  /** Index of the first step whose state differs from the model's, if any. */
  firstDivergence?: number;
}

export class ConformanceError extends Error {
  override readonly name = "ConformanceError";
  constructor(
    readonly file: string,
    readonly step: StepReport,
    readonly report: ReplayReport,
  ) {
    const where = `${file}, step ${step.index} (${step.action}${formatParams(step.params)})`;
    const lines = [
      ...(step.refused ? [`  the implementation refused the step: ${step.refused}`] : []),
      ...step.differences.map((d) => `  ${d.path}: model ${d.model}, implementation ${d.impl}`),
      ...step.mlsProblems.map((p) => `  MLS: ${p}`),
    ];
    super(`${where}: the implementation left the model\n${lines.join("\n")}`);
  }
}

function modelState(s: ItfState): ModelState {
  const vars = { log: s.log as ItfValue, st: s.st as ItfValue, nextUid: s.nextUid as ItfValue, group: s.group as ItfValue };
  return s.announced === undefined ? vars : { ...vars, announced: s.announced as ItfValue };
}

/** What the replay will do, once the trace has passed checkTrace. */
export interface CheckedTrace {
  /** Number of UIDs (the length of every state's st). */
  users: number;
  variant: Variant;
  /** Parameters of every step (index 0: Init, none). */
  steps: { action: string; params: StepParams; from: StepReport["paramsFrom"] }[];
}

/**
 * Checks, before anything is replayed, that the trace is one of tla/DCA.tla the
 * replay can take: the model's variables with TypeOK's shapes (so that a field
 * of the wrong type is bad input, not a "divergence"), a known action at every
 * step, its parameters (recorded, or derived from the states) naming users of
 * the trace, and a known #meta.variant (if any; `variant` chooses the one run).
 * Throws a TraceError naming the file and the place.
 */
export function checkTrace(trace: ItfTrace, file: string, variant?: Variant): CheckedTrace {
  const fail = (what: string): never => {
    throw new TraceError(`${file}: ${what}`);
  };
  // The mapping compares all four variables, group included (the viewer can do without it).
  const missing = DCA_VARS.filter((v) => !trace.vars.includes(v));
  if (missing.length) fail(`$.vars: missing ${missing.map((v) => `"${v}"`).join(", ")} (not a trace of tla/DCA.tla)`);
  const users = checkDcaTrace(trace, file);
  const steps: CheckedTrace["steps"] = [{ action: "Init", params: {}, from: "none" }];
  for (let i = 1; i < trace.states.length; i++) {
    const meta = trace.states[i]!["#meta"]!;
    const action = meta.action as string; // a known action: checkDcaTrace saw to it
    const step = `step ${i} (${action})`;
    if (meta.params !== undefined && !isRecord(meta.params)) fail(`${step}: params: expected a record like {"u": 1}, got ${show(meta.params)}`);
    let found: ReturnType<typeof stepParams>;
    try {
      found = stepParams(trace, i);
    } catch (e) {
      // Only a step that needs an actor needs the states to tell it (deriveStepParams names the step, not the file).
      if (NEEDS_ACTOR.has(action)) return fail((e as Error).message);
      found = { params: {}, from: "none" };
    }
    const { params, from } = found;
    const whence = from === "derived" ? " (derived from the states)" : "";
    const uid = (key: "u" | "target", required: boolean) => {
      const v = (params as Record<string, unknown>)[key];
      if (v === undefined && !required) return;
      if (!isInt(v) || v < 1 || v > users) {
        fail(`${step}: params.${key}: expected a user 1..${users}${required ? ` (${action} needs the acting user)` : ""}, got ${show(v)}${whence}`);
      }
    };
    uid("u", NEEDS_ACTOR.has(action));
    uid("target", false);
    steps.push({ action, params, from });
  }
  const chosen = variant ?? ((trace["#meta"]?.variant as Variant | undefined) ?? "Correct"); // a known one: checkDcaTrace saw to it
  return { users, variant: chosen, steps };
}

/** Performs one model action on the room; returns a rejected entry's reason, if a read rejected one. */
async function perform(room: Room, action: string, p: StepParams): Promise<string | undefined> {
  const u = p.u!;
  switch (action) {
    case "Join": {
      const uid = await room.join();
      if (p.u !== undefined && uid !== p.u) throw new Error(`the room gave UID ${uid}, the trace says ${p.u}`);
      return undefined;
    }
    case "Leave":
      room.leave(u);
      return undefined;
    case "Read": {
      const outcome = await room.read(u);
      return outcome.kind === "rejected" ? outcome.error.message : undefined;
    }
    case "DcWelcome":
      await room.dcWelcome(u, p.target);
      return undefined;
    case "DcAdd":
      room.dcAdd(u);
      return undefined;
    case "DcRemove":
      await room.dcRemove(u);
      return undefined;
    case "DcSkip":
      room.dcSkip(u); // whom it skipped is the member's to choose (R16): the log compared next says if it is the model's
      return undefined;
    case "DcAddFirst":
      await room.dcAddFirst(u);
      return undefined;
    case "DcLateWelcome":
      room.dcLateWelcome(u);
      return undefined;
    case "Revive":
      await room.revive(u);
      return undefined;
    // Blind spot 2 (tla/DCA_Zombie.tla, spec/zombie.md): the DS announces a live user; it stops.
    case "Announce":
      room.announce(u);
      return undefined;
    case "Stop":
      room.stop(u);
      return undefined;
    // @spec DCA!AllGone — everyone has arrived and left: a stutter, nothing to do.
    case "AllGone":
      return undefined;
    case "Quiesced": {
      // A recorded run's claim that nothing is left to do: the room must agree.
      const busy = room.uids().filter((v) => room.state(v).status === "active" && room.state(v).cursor < room.log.length);
      const work = room.enabledDcSteps();
      if (busy.length || work.length) {
        throw new Error(`the run claims quiescence, but ${[...busy.map((v) => `${v} has unread entries`), ...work].join(", ")}`);
      }
      return undefined;
    }
    default:
      throw new Error(`unknown action ${JSON.stringify(action)} (not an action of tla/DCA.tla)`);
  }
}

/** MLS at this step: epochs equal the model's, and one epoch means one authenticator and safety number. */
export function mlsProblems(room: Room): string[] {
  if (!room.ctx) return [];
  const problems: string[] = [];
  const byEpoch = new Map<string, { uid: Uid; number: string }[]>();
  for (const uid of room.uids()) {
    const s: MemberState = room.state(uid);
    if (s.status !== "active" || !s.welcomed) continue;
    const group = room.group(uid);
    if (!group) {
      problems.push(`member ${uid} is welcomed but has no MLS group`);
      continue;
    }
    if (mls.epochOf(group) !== s.epoch) problems.push(`member ${uid}: MLS epoch ${mls.epochOf(group)}, model epoch ${s.epoch}`);
    const members = mls.membersOf(group);
    if (members.join(",") !== [...s.members].sort((a, b) => a - b).join(",")) {
      problems.push(`member ${uid}: MLS members ${members.join(",")}, its view ${s.members.join(",")}`);
    }
    const key = `${s.epoch}/${s.by}`;
    const list = byEpoch.get(key) ?? [];
    list.push({ uid, number: safetyNumber(mls.epochAuthenticator(group)) });
    byEpoch.set(key, list);
  }
  for (const [key, list] of byEpoch) {
    const distinct = new Set(list.map((x) => x.number));
    if (distinct.size > 1) {
      problems.push(`epoch ${key}: members ${list.map((x) => `${x.uid} shows ${x.number}`).join("; ")}`);
    }
  }
  return problems;
}

/** The room as the refinement mapping reads it; `zombie`: with the users announced as left (DCA_Zombie's variable). */
export function snapshot(room: Room, users: number, zombie = false) {
  return {
    log: room.log,
    revivals: room.revivals,
    nextUid: room.nextUid,
    users,
    members: new Map(room.uids().map((u) => [u, room.state(u)])),
    ...(zombie ? { announced: room.announced } : {}),
  };
}

export interface ReplayOptions {
  file: string;
  mls?: boolean;
  /** Default: the trace's #meta.variant (refused if unknown), else "Correct". */
  variant?: Variant;
  /**
   * Whether the room's DS fences users announced as left (R5). Default: on, unless the trace
   * says it was made without the fence (#meta.zombieRule "None", tla/ZombieRecord_gap.cfg).
   */
  fence?: boolean;
  /** Stop at the first divergence (default) or record it and go on while the step can be taken. */
  stopAtDivergence?: boolean;
  onStep?: (step: StepReport) => void;
  /** Called after each step with the implementation's state mapped to the model's variables. */
  onMapped?: (index: number, mapped: ModelState) => void;
  /** Called after each step with the room itself (read it, do not step it): for tests that look at its MLS state. */
  onRoom?: (index: number, room: Room) => void;
}

/**
 * Replays the trace; throws a TraceError (bad input) before replaying anything
 * if checkTrace refuses it, and a ConformanceError at the first divergence
 * (or at the first refused step with stopAtDivergence off).
 */
export async function replayTrace(trace: ItfTrace, opts: ReplayOptions): Promise<ReplayReport> {
  const { users, variant, steps } = checkTrace(trace, opts.file, opts.variant);
  const zombie = trace.vars.includes("announced");
  const fence = opts.fence ?? trace["#meta"]?.zombieRule !== "None";
  const room = await Room.create({ variant, mls: opts.mls ?? true, fence });
  const report: ReplayReport = { file: opts.file, variant, steps: [] };
  const stop = opts.stopAtDivergence ?? true;

  for (let i = 0; i < trace.states.length; i++) {
    const state = trace.states[i]!;
    const { action, params, from } = steps[i]!;
    let refused: string | undefined;
    let rejected: string | undefined;
    if (i > 0) {
      try {
        rejected = await perform(room, action, params);
      } catch (e) {
        refused = e instanceof Error ? e.message : String(e);
      }
    }
    const mapped = toModel(snapshot(room, users, zombie));
    opts.onMapped?.(i, mapped);
    opts.onRoom?.(i, room);
    const modelVars = modelState(state);
    const differences = diffValues(modelVars as unknown as ItfValue, mapped as unknown as ItfValue);
    // The room checks arrivals against each member's last arrival read: it must be the model's.
    for (const u of room.uids()) {
      const expected = modelLastArrival(modelVars, u);
      const actual = room.lastArrival(u);
      if (expected !== undefined && room.state(u).status === "active" && actual !== expected) {
        differences.push({ path: `lastArrival of member ${u} (DCA_Inputs!LastArrival)`, model: String(expected), impl: String(actual) });
      }
    }
    // Where the trace records which DC steps the model allows here (from TLC's state
    // graph), the implementation must allow exactly those: a DC that may do more
    // (or less) than the model is caught even when the trace never takes the step.
    const enabled = state["#meta"]?.enabled;
    if (Array.isArray(enabled)) {
      const model = [...(enabled as string[])].sort();
      const impl = room.enabledDcSteps();
      if (model.join("|") !== impl.join("|")) {
        differences.push({ path: "enabled DC steps", model: `{${model.join(", ")}}`, impl: `{${impl.join(", ")}}` });
      }
    }
    const step: StepReport = { index: i, action, params, paramsFrom: from, differences, mlsProblems: mlsProblems(room), ...(refused ? { refused } : {}), ...(rejected ? { rejected } : {}) };
    report.steps.push(step);
    opts.onStep?.(step);
    // The correct model never sees a bad entry, so under it a rejection is a divergence too.
    const badRejection = rejected !== undefined && variant === "Correct";
    if (badRejection) differences.push({ path: "read", model: "the entry is accepted", impl: `rejected: ${rejected}` });
    const bad = differences.length > 0 || step.mlsProblems.length > 0 || refused !== undefined;
    if (bad && report.firstDivergence === undefined) report.firstDivergence = i;
    if (bad && (stop || refused !== undefined)) throw new ConformanceError(opts.file, step, report);
  }
  return report;
}
