// Replays a trace of the batched rules (traces/batch/, or a recorded BatchRoom run) on
// impl/batch.ts with real MLS, step by step: what conformance/replay/replay-trace.ts does
// for impl/room.ts. After every step the room is mapped to the batched model's variables
// (conformance/model/batch-refinement.ts) and must equal the trace's state field by field;
// where the trace lists the DC steps TLC's graph allows (#meta.enabled), the room must
// allow exactly those; each welcomed member's MLS epoch and membership must be its model
// epoch and view, and members of one epoch must show one safety number.
// The loop is room-agnostic (BatchReplayRoom): conformance/replay/core-batch-replay.ts
// runs it on the client core with batch: true.

import * as mls from "../../impl/mls.ts";
import { BatchRoom, type BatchRoomOptions } from "../../impl/batch.ts";
import { safetyNumber } from "../../impl/safety-number.ts";
import type { Uid } from "../../impl/types.ts";
import { readItf, type ItfTrace } from "../../scripts/tlc/formats/itf.ts";
import type { ItfValue } from "../../scripts/tlc/formats/tla-values.ts";
import { toBatchModel, type BatchSnapshot } from "../model/batch-refinement.ts";
import { diffValues, type Difference } from "../model/diff.ts";
import type { ModelState } from "../model/refinement.ts";
import { view } from "../model/state-view.ts";
import { DCA_VARS, isInt, isRecord, QUIESCED, setOf, show, TraceError } from "../model/vocabulary.ts";
import { tallyReplays, type Tally } from "./replay-all.ts";

export const BATCH_TRACE_DIR = "traces/batch";
/** The batched model's actions (tla/DCA_BatchRecord.tla's RecNext), and a recorded run's Quiesced claim. */
export const BATCH_REPLAY_ACTIONS = ["Join", "Leave", "Read", "DcWelcome", "DcAdd", "DcRemove", "DcSkip", "Revive", "AllGone", QUIESCED] as const;
export const BATCH_REPLAYED_ACTIONS = ["Join", "Leave", "Read", "DcWelcome", "DcAdd", "DcRemove", "DcSkip", "Revive"] as const;

export interface BatchStepParams {
  u?: number;
  targets?: number[];
}

export const formatBatchParams = (p: BatchStepParams) =>
  p.u === undefined ? "" : `(${p.u}${p.targets === undefined ? "" : ` → ${p.targets.join(",")}`})`;

export interface BatchStepReport {
  index: number;
  action: string;
  params: BatchStepParams;
  differences: Difference[];
  mlsProblems: string[];
  refused?: string;
}

export interface BatchReplayReport {
  file: string;
  steps: BatchStepReport[];
  firstDivergence?: number;
}

export class BatchConformanceError extends Error {
  override readonly name = "BatchConformanceError";
  constructor(
    readonly file: string,
    readonly step: BatchStepReport,
    readonly report: BatchReplayReport,
  ) {
    const lines = [
      ...(step.refused ? [`  the implementation refused the step: ${step.refused}`] : []),
      ...step.differences.map((d) => `  ${d.path}: model ${d.model}, implementation ${d.impl}`),
      ...step.mlsProblems.map((p) => `  MLS: ${p}`),
    ];
    super(`${file}, step ${step.index} (${step.action}${formatBatchParams(step.params)}): the implementation left the batched model\n${lines.join("\n")}`);
  }
}

/**
 * Checks, before anything is replayed, that the trace is one of the batched model: DCA's
 * variables, one user state per UID in every state, values the state view reads (batched
 * entries with `targets` sets), a batched action at every step with its acting user (and
 * its targets, for a DC step, as a set of users). Returns the number of users; throws a
 * TraceError naming the file and the place.
 */
export function checkBatchTrace(trace: ItfTrace, file: string): { users: number; steps: { action: string; params: BatchStepParams }[] } {
  const fail = (what: string): never => {
    throw new TraceError(`${file}: ${what}`);
  };
  const missing = DCA_VARS.filter((v) => !trace.vars.includes(v));
  if (missing.length) fail(`$.vars: missing ${missing.map((v) => `"${v}"`).join(", ")} (not a trace of the batched model)`);
  if (trace.states.length === 0) fail("$.states: empty (a trace has at least an initial state)");
  let users = 0;
  const steps: { action: string; params: BatchStepParams }[] = [];
  trace.states.forEach((state, i) => {
    const at = `$.states[${i}]`;
    if (!Array.isArray(state.st) || state.st.length === 0) fail(`${at}.st: expected a non-empty sequence of user states, got ${show(state.st)}`);
    if (i === 0) users = (state.st as unknown[]).length;
    else if ((state.st as unknown[]).length !== users) fail(`${at}.st: ${(state.st as unknown[]).length} users, but state 0 has ${users}`);
    try {
      const v = view(state);
      v.st.forEach((s) => {
        if (s.cursor > v.log.length) throw new Error(`st[${s.uid}].cursor: ${s.cursor} is beyond the log's ${v.log.length} entries`);
      });
    } catch (e) {
      fail(`${at}: ${(e as Error).message}`);
    }
    const meta = state["#meta"] ?? {};
    if (i === 0) return steps.push({ action: "Init", params: {} });
    const action = meta.action;
    if (typeof action !== "string" || !(BATCH_REPLAY_ACTIONS as readonly string[]).includes(action)) {
      return fail(`${at}["#meta"].action: ${show(action)} is not an action of the batched model (${BATCH_REPLAY_ACTIONS.join(", ")})`);
    }
    const p = meta.params ?? {};
    if (!isRecord(p)) return fail(`${at}["#meta"].params: expected a record like {"u": 1}, got ${show(p)}`);
    const params: BatchStepParams = {};
    if (p.u !== undefined || !["AllGone", QUIESCED, "Join"].includes(action)) {
      if (!isInt(p.u) || p.u < 1 || p.u > users) return fail(`${at}["#meta"].params.u: expected a user 1..${users} (${action} needs the acting user), got ${show(p.u)}`);
      params.u = p.u;
    }
    if (p.targets !== undefined) {
      const xs = setOf(p.targets);
      if (!xs || xs.length === 0 || !xs.every((x) => isInt(x) && x >= 1 && x <= users)) {
        return fail(`${at}["#meta"].params.targets: expected a non-empty set of users 1..${users}, got ${show(p.targets)}`);
      }
      params.targets = [...(xs as number[])].sort((a, b) => a - b);
    }
    steps.push({ action, params });
  });
  return { users, steps };
}

/**
 * What the batched replay needs of a room of the batched rules. impl/batch.ts's BatchRoom
 * (batchReplayRoom, below) and the client core's Room with batch: true
 * (core-batch-replay.ts) each give one; the loop, the checks and the report are shared.
 */
export interface BatchReplayRoom {
  /** The steps both rooms name alike (impl/batch.ts's BatchRoom, impl/room.ts's Room). */
  readonly steps: {
    leave(u: Uid): void;
    dcWelcome(u: Uid): Promise<void>;
    dcAdd(u: Uid): void;
    dcRemove(u: Uid): Promise<void>;
    dcSkip(u: Uid): void;
    revive(u: Uid): Promise<void>;
    enabledDcSteps(): string[];
    group(u: Uid): mls.MlsGroup | null;
  };
  /** A user arrives; its UID. */
  arrive(): Promise<Uid>;
  /** u reads its next entry; throws if u has nothing to read or refuses the entry. */
  read(u: Uid): Promise<void>;
  /** The room's state as the batched refinement mapping reads it (but for the model's constant Users). */
  snapshot(): RoomSnapshot;
}

export type RoomSnapshot = Omit<BatchSnapshot, "users">;

/** The BatchRoom's state as the refinement mapping reads it. */
export function batchSnapshot(room: BatchRoom): RoomSnapshot {
  return { log: room.log, revivals: room.revivals, nextUid: room.nextUid, members: new Map(room.uids().map((u) => [u, room.view(u)])) };
}

export const batchModelOf = (room: BatchRoom, users: number): ModelState => toBatchModel({ ...batchSnapshot(room), users });

/** impl/batch.ts's BatchRoom as the replay steps it. */
export function batchReplayRoom(room: BatchRoom): BatchReplayRoom {
  return {
    steps: room,
    arrive: () => room.arrive(),
    read: async (u) => {
      if (!(await room.read(u))) throw new Error(`member ${u} has nothing left to read`);
    },
    snapshot: () => batchSnapshot(room),
  };
}

/** The active members' states, by UID. */
const activeIn = (snap: Pick<RoomSnapshot, "members">) => [...snap.members].filter(([, s]) => s.status === "active");

/** The users the last log entry names: a batched entry's targets, a skipped user, none for an arrival or a departure. */
function lastEntryNames(snap: RoomSnapshot): readonly Uid[] {
  const e = snap.log.at(-1)!;
  return e.type === "skipped" ? [e.uid] : "targets" in e ? e.targets : [];
}

/** Performs one model action on the room. */
export async function performBatch(r: BatchReplayRoom, action: string, p: BatchStepParams): Promise<void> {
  const u = p.u!;
  const room = r.steps;
  const sameTargets = () => {
    const got = lastEntryNames(r.snapshot());
    if (p.targets !== undefined && got.join() !== p.targets.join()) throw new Error(`${action}: the room's entry names ${got.join(",")}, the trace ${p.targets.join(",")}`);
  };
  switch (action) {
    case "Join": {
      const uid = await r.arrive();
      if (p.u !== undefined && uid !== p.u) throw new Error(`the room gave UID ${uid}, the trace says ${p.u}`);
      return;
    }
    case "Leave":
      return room.leave(u);
    case "Read":
      return r.read(u);
    case "DcWelcome":
      await room.dcWelcome(u);
      return sameTargets();
    case "DcAdd":
      room.dcAdd(u);
      return sameTargets();
    case "DcRemove":
      await room.dcRemove(u);
      return sameTargets();
    case "DcSkip":
      room.dcSkip(u);
      return sameTargets();
    case "Revive":
      return room.revive(u);
    // DCA!AllGone: everyone has arrived and left: a stutter, nothing to do.
    case "AllGone":
      return;
    case QUIESCED: {
      const snap = r.snapshot();
      const busy = activeIn(snap).filter(([, s]) => s.cursor < snap.log.length);
      const work = room.enabledDcSteps();
      if (busy.length || work.length) throw new Error(`the run claims quiescence, but ${[...busy.map(([v]) => `${v} has unread entries`), ...work].join(", ")}`);
      return;
    }
    default:
      throw new Error(`unknown action ${JSON.stringify(action)}`);
  }
}

/** MLS at this step: each welcomed member's epoch and membership are its model's, and one epoch shows one safety number. */
export function snapshotMlsProblems(snap: Pick<RoomSnapshot, "members">, group: (u: Uid) => mls.MlsGroup | null): string[] {
  const problems: string[] = [];
  const byEpoch = new Map<string, { uid: number; number: string }[]>();
  for (const [uid, s] of activeIn(snap)) {
    if (!s.welcomed) continue;
    const g = group(uid);
    if (!g) {
      problems.push(`member ${uid} is welcomed but has no MLS group`);
      continue;
    }
    if (mls.epochOf(g) !== s.epoch) problems.push(`member ${uid}: MLS epoch ${mls.epochOf(g)}, model epoch ${s.epoch}`);
    const members = [...mls.membersOf(g)].sort((a, b) => a - b);
    if (members.join() !== s.members.join()) problems.push(`member ${uid}: MLS members ${members.join(",")}, its view ${s.members.join(",")}`);
    const key = `${s.epoch}/${s.by}`;
    byEpoch.set(key, [...(byEpoch.get(key) ?? []), { uid, number: safetyNumber(mls.epochAuthenticator(g)) }]);
  }
  for (const [key, list] of byEpoch) {
    if (new Set(list.map((x) => x.number)).size > 1) problems.push(`epoch ${key}: members ${list.map((x) => `${x.uid} shows ${x.number}`).join("; ")}`);
  }
  return problems;
}

export const batchMlsProblems = (room: BatchRoom): string[] => snapshotMlsProblems(batchSnapshot(room), (u) => room.group(u));

/**
 * Replays the trace on the room `open` makes (after the trace is checked); a TraceError
 * (bad input) before any step, a BatchConformanceError at the first divergence. After
 * every step: the mapped state equals the trace's, the room's DC steps are the ones the
 * trace lists (#meta.enabled, where it does), MLS agrees with the model.
 */
export async function replayBatchOn(trace: ItfTrace, opts: { file: string; onStep?: (step: BatchStepReport) => void }, open: () => Promise<BatchReplayRoom>): Promise<BatchReplayReport> {
  const { users, steps } = checkBatchTrace(trace, opts.file);
  const room = await open();
  const report: BatchReplayReport = { file: opts.file, steps: [] };
  for (let i = 0; i < trace.states.length; i++) {
    const state = trace.states[i]!;
    const { action, params } = steps[i]!;
    let refused: string | undefined;
    if (i > 0) {
      try {
        await performBatch(room, action, params);
      } catch (e) {
        refused = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      }
    }
    const snap = room.snapshot();
    const model = { log: state.log, st: state.st, nextUid: state.nextUid, group: state.group } as unknown as ItfValue;
    const differences = diffValues(model, toBatchModel({ ...snap, users }) as unknown as ItfValue);
    const enabled = state["#meta"]?.enabled;
    if (Array.isArray(enabled)) {
      const want = [...(enabled as string[])].sort();
      const have = room.steps.enabledDcSteps();
      if (want.join("|") !== have.join("|")) differences.push({ path: "enabled DC steps", model: `{${want.join(", ")}}`, impl: `{${have.join(", ")}}` });
    }
    const step: BatchStepReport = { index: i, action, params, differences, mlsProblems: snapshotMlsProblems(snap, (u) => room.steps.group(u)), ...(refused ? { refused } : {}) };
    report.steps.push(step);
    opts.onStep?.(step);
    if (differences.length || step.mlsProblems.length || refused !== undefined) {
      report.firstDivergence = i;
      throw new BatchConformanceError(opts.file, step, report);
    }
  }
  return report;
}

export interface BatchSuiteResult extends Tally<BatchReplayReport, BatchConformanceError> {
  /** Steps whose Welcome, Add or Remove named two targets or more. */
  batchedSteps: number;
}

/** Replays every file with `replay`; collects divergences instead of stopping (bad input still throws). */
export async function replayBatchFiles(files: string[], replay: (trace: ItfTrace, file: string) => Promise<BatchReplayReport>): Promise<BatchSuiteResult> {
  let batchedSteps = 0;
  const result = await tallyReplays(
    files,
    async (file) => replay(await readItf(file), file),
    BatchConformanceError,
    (step) => `${step.action}${formatBatchParams(step.params)}`,
    (step) => {
      if ((step.params.targets?.length ?? 0) > 1) batchedSteps++;
    },
  );
  return { ...result, batchedSteps };
}

export interface BatchReplayOptions {
  file: string;
  /** The room's switches (known-bad ones for the tests' teeth): `batchRank`, `batch`. */
  room?: Pick<BatchRoomOptions, "batch" | "batchRank" | "skip">;
  onStep?: (step: BatchStepReport) => void;
}

/** Replays the trace on impl/batch.ts's BatchRoom; a TraceError (bad input) before any step, a BatchConformanceError at the first divergence. */
export function replayBatchTrace(trace: ItfTrace, opts: BatchReplayOptions): Promise<BatchReplayReport> {
  return replayBatchOn(trace, opts, async () => batchReplayRoom(await BatchRoom.create(opts.room ?? {})));
}

/** Replays every file on a BatchRoom; collects divergences instead of stopping (bad input still throws). */
export function replayBatchAll(files: string[], opts: { room?: BatchReplayOptions["room"] } = {}): Promise<BatchSuiteResult> {
  return replayBatchFiles(files, (trace, file) => replayBatchTrace(trace, { file, ...(opts.room ? { room: opts.room } : {}) }));
}
