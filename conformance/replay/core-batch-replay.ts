// Replays the batched rules' traces (traces/batch/) on the real client core with
// `batch: true` (impl/room.ts over impl/client/core.ts, real MLS): the core the network
// client runs, where conformance/replay/batch-replay.ts replays them on the reference
// room impl/batch.ts. The same checks after every step: the room mapped by the batched
// refinement mapping (conformance/model/batch-refinement.ts) equals the trace's state
// field by field, the DC steps the room allows are the ones TLC's graph lists, and each
// welcomed member's MLS epoch and membership are its model's, one safety number per epoch.
// The trace is checked and the divergence reported with batch-replay.ts's own functions
// and types; what differs is the room stepped (a Room, whose members are client cores).

import * as mls from "../../impl/mls.ts";
import { Room, type RoomOptions } from "../../impl/room.ts";
import { addingBatch } from "../../impl/rules.ts";
import { safetyNumber } from "../../impl/safety-number.ts";
import type { LogEntry, Uid, WelcomeEntry } from "../../impl/types.ts";
import { readItf, type ItfTrace } from "../../scripts/tlc/formats/itf.ts";
import type { ItfValue } from "../../scripts/tlc/formats/tla-values.ts";
import { toBatchModel, type BatchLogEntry, type BatchMemberState } from "../model/batch-refinement.ts";
import { diffValues } from "../model/diff.ts";
import { QUIESCED } from "../model/vocabulary.ts";
import { BatchConformanceError, checkBatchTrace, formatBatchParams, type BatchReplayReport, type BatchStepParams, type BatchStepReport, type BatchSuiteResult } from "./batch-replay.ts";
import { tallyReplays } from "./replay-all.ts";

/** The core room's switches a replay may set: the known-bad tie-breaks (tests' teeth). */
export type CoreBatchRoomOptions = Pick<RoomOptions, "batchRank">;

const active = (room: Room) => room.uids().filter((u) => room.state(u).status === "active");

/** A batched entry as the mapping reads it: the core writes `targets` on every welcome, add and remove under batch: true. */
function asBatchEntry(e: LogEntry, index: number): BatchLogEntry {
  if ((e.type === "welcome" || e.type === "add" || e.type === "remove") && e.targets === undefined) {
    throw new Error(`log entry ${index}: a ${e.type} without targets in a batch: true room`);
  }
  return e as BatchLogEntry;
}

/** The room's state as the batched refinement mapping reads it. */
function modelOf(room: Room, users: number) {
  const members = new Map<Uid, BatchMemberState>();
  for (const u of room.uids()) {
    const s = room.state(u);
    members.set(u, { ...s, tentative: s.tentative as (WelcomeEntry & { targets: Uid[] }) | null, batch: addingBatch(s) });
  }
  return toBatchModel({ log: room.log.map(asBatchEntry), revivals: room.revivals, nextUid: room.nextUid, users, members });
}

/** Performs one model action on the core room. */
async function perform(room: Room, action: string, p: BatchStepParams): Promise<void> {
  const u = p.u!;
  const appended = () => {
    const e = room.log.at(-1)!;
    const got = e.type === "skipped" ? [e.uid] : e.type === "joined" || e.type === "left" ? [] : [...(e.targets ?? [e.target])];
    if (p.targets !== undefined && got.join() !== p.targets.join()) throw new Error(`${action}: the room's entry names ${got.join(",")}, the trace ${p.targets.join(",")}`);
  };
  switch (action) {
    case "Join": {
      const uid = await room.join();
      if (p.u !== undefined && uid !== p.u) throw new Error(`the room gave UID ${uid}, the trace says ${p.u}`);
      return;
    }
    case "Leave":
      return room.leave(u);
    case "Read": {
      const out = await room.read(u);
      if (out.kind === "rejected") throw out.error;
      return;
    }
    case "DcWelcome":
      await room.dcWelcome(u);
      return appended();
    case "DcAdd":
      room.dcAdd(u);
      return appended();
    case "DcRemove":
      await room.dcRemove(u);
      return appended();
    case "DcSkip":
      room.dcSkip(u);
      return appended();
    case "Revive":
      return room.revive(u);
    case "AllGone": // DCA!AllGone: everyone has arrived and left, a stutter
      return;
    case QUIESCED: {
      const busy = active(room).filter((v) => room.state(v).cursor < room.log.length);
      const work = room.enabledDcSteps();
      if (busy.length || work.length) throw new Error(`the run claims quiescence, but ${[...busy.map((v) => `${v} has unread entries`), ...work].join(", ")}`);
      return;
    }
    default:
      throw new Error(`unknown action ${JSON.stringify(action)}`);
  }
}

/** MLS at this step: each welcomed member's epoch and membership are its model's; one epoch, one safety number. */
function mlsProblems(room: Room): string[] {
  const problems: string[] = [];
  const byEpoch = new Map<string, { uid: Uid; number: string }[]>();
  for (const uid of active(room)) {
    const s = room.state(uid);
    if (!s.welcomed) continue;
    const group = room.group(uid);
    if (!group) {
      problems.push(`member ${uid} is welcomed but has no MLS group`);
      continue;
    }
    if (mls.epochOf(group) !== s.epoch) problems.push(`member ${uid}: MLS epoch ${mls.epochOf(group)}, model epoch ${s.epoch}`);
    const members = [...mls.membersOf(group)].sort((a, b) => a - b);
    if (members.join() !== s.members.join()) problems.push(`member ${uid}: MLS members ${members.join(",")}, its view ${s.members.join(",")}`);
    const key = `${s.epoch}/${s.by}`;
    byEpoch.set(key, [...(byEpoch.get(key) ?? []), { uid, number: safetyNumber(mls.epochAuthenticator(group)) }]);
  }
  for (const [key, list] of byEpoch) {
    if (new Set(list.map((x) => x.number)).size > 1) problems.push(`epoch ${key}: members ${list.map((x) => `${x.uid} shows ${x.number}`).join("; ")}`);
  }
  return problems;
}

/** Replays the trace on the core room (batch: true); a TraceError before any step, a BatchConformanceError at the first divergence. */
export async function replayBatchOnCore(trace: ItfTrace, opts: { file: string; room?: CoreBatchRoomOptions }): Promise<BatchReplayReport> {
  const { users, steps } = checkBatchTrace(trace, opts.file);
  const room = await Room.create({ ...opts.room, batch: true });
  const report: BatchReplayReport = { file: opts.file, steps: [] };
  for (let i = 0; i < trace.states.length; i++) {
    const state = trace.states[i]!;
    const { action, params } = steps[i]!;
    let refused: string | undefined;
    if (i > 0) {
      try {
        await perform(room, action, params);
      } catch (e) {
        refused = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      }
    }
    const model = { log: state.log, st: state.st, nextUid: state.nextUid, group: state.group } as unknown as ItfValue;
    const differences = diffValues(model, modelOf(room, users) as unknown as ItfValue);
    const enabled = state["#meta"]?.enabled;
    if (Array.isArray(enabled)) {
      const want = [...(enabled as string[])].sort();
      const have = room.enabledDcSteps();
      if (want.join("|") !== have.join("|")) differences.push({ path: "enabled DC steps", model: `{${want.join(", ")}}`, impl: `{${have.join(", ")}}` });
    }
    const step: BatchStepReport = { index: i, action, params, differences, mlsProblems: mlsProblems(room), ...(refused ? { refused } : {}) };
    report.steps.push(step);
    if (differences.length || step.mlsProblems.length || refused !== undefined) {
      report.firstDivergence = i;
      throw new BatchConformanceError(opts.file, step, report);
    }
  }
  return report;
}

/** Replays every file on the core room; collects divergences instead of stopping (bad input still throws). */
export async function replayBatchAllOnCore(files: string[], opts: { room?: CoreBatchRoomOptions } = {}): Promise<BatchSuiteResult> {
  let batchedSteps = 0;
  const result = await tallyReplays(
    files,
    async (file) => replayBatchOnCore(await readItf(file), { file, ...(opts.room ? { room: opts.room } : {}) }),
    BatchConformanceError,
    (step) => `${step.action}${formatBatchParams(step.params)}`,
    (step) => {
      if ((step.params.targets?.length ?? 0) > 1) batchedSteps++;
    },
  );
  return { ...result, batchedSteps };
}
