// The refinement mapping of the batched rules: from a room running them (impl/batch.ts,
// BatchRoom: its log and every member's local state) to the values of the batched
// model's variables (tla/DCA.tla with tla/DCA_Batch.tla's overrides), in ITF form. What
// conformance/model/refinement.ts is for impl/room.ts, with the batched model's
// differences:
//   log      entries without their MLS bytes; a Welcome's, Add's or Remove's `targets`
//            as a set (the model's), a Welcome's `members` as a set; the prefix every
//            active user has read dropped (DCA!Settle);
//   st       as DCA's, plus `batch` (BFresh): the set a DC adds between its Welcome and
//            its Add, and `adding` its lowest UID (NoUid when none);
//   nextUid  the room's;
//   group    Genesis, then every Commit on the log applied with all its targets
//            (BApplyToGroup), restarting at each revive (R15) from the new group.
// The client core with batch: true (impl/room.ts, the network client) writes the same
// values in impl/types.ts's forms: coreEntryToBatch and coreMemberToBatch read them as
// this mapping's (used by the core's replay, the run recorder and the network merge).
// Pure: the room's state comes in as plain values (BatchSnapshot), so this layer does not
// load the implementation (only impl/types.ts, through refinement.ts, whose local-state
// mapping it shares).

import type { ItfValue } from "../../scripts/tlc/formats/tla-values.ts";
import { NO_UID, addingBatch, type LogEntry, type MemberState, type Uid, type WelcomeEntry } from "../../impl/types.ts";
import { fresh, localStates, set, settledPrefix, sharedLocalToModel, type ModelState, type SharedLocalState } from "./refinement.ts";

/** A batched log entry as impl/batch.ts writes it (MLS bytes ignored). */
export type BatchLogEntry =
  | { type: "joined" | "left"; uid: Uid }
  | { type: "skipped"; uid: Uid; sender: Uid }
  | { type: "welcome"; targets: readonly Uid[]; epoch: number; sender: Uid; members: readonly Uid[]; removes: readonly Uid[] }
  | { type: "add" | "remove"; targets: readonly Uid[]; epoch: number; sender: Uid; parent: Uid };

/** A member's local state (impl/batch.ts, BatchRoom.view): DCA's, with its batch in place of `adding`. */
export interface BatchMemberState extends SharedLocalState<Extract<BatchLogEntry, { type: "welcome" }>> {
  status: "active" | "gone";
  batch: readonly Uid[];
}

export interface BatchSnapshot {
  log: readonly BatchLogEntry[];
  revivals: readonly { uid: Uid; logLength: number }[];
  nextUid: number;
  /** The users that have arrived. */
  members: ReadonlyMap<Uid, BatchMemberState>;
  /** The model's constant Users (UIDs 1..Users). */
  users: number;
}

/** A client core's log entry under batch: true as this mapping reads it: every welcome, add and remove carries `targets` there. */
export function coreEntryToBatch(e: LogEntry, index: number): BatchLogEntry {
  if ((e.type === "welcome" || e.type === "add" || e.type === "remove") && e.targets === undefined) {
    throw new Error(`log entry ${index}: a ${e.type} without targets in a run of the batched rules (batch: true)`);
  }
  return e as BatchLogEntry;
}

/** A client core's local state under batch: true as this mapping reads it: its batch is `batch` (or the one it is `adding`). */
export function coreMemberToBatch(s: MemberState): BatchMemberState {
  return { ...s, tentative: s.tentative as (WelcomeEntry & { targets: Uid[] }) | null, batch: addingBatch(s) };
}

/** tla/DCA_Batch.tla, BFresh: DCA's Fresh with an empty batch. */
function batchFresh(status: "waiting" | "gone"): ItfValue {
  return { ...fresh(status), batch: set([]) };
}

/** tla/DCA_Batch.tla, BMessages: a batched entry as the model writes it. */
export function batchEntryToModel(e: BatchLogEntry): ItfValue {
  switch (e.type) {
    case "joined":
    case "left":
      return { type: e.type, uid: e.uid };
    case "skipped": // R16 (DCA!SkipMsg)
      return { type: e.type, uid: e.uid, sender: e.sender };
    case "welcome":
      return { type: e.type, targets: set(e.targets), epoch: e.epoch, sender: e.sender, members: set(e.members), removes: [...e.removes] };
    default:
      return { type: e.type, targets: set(e.targets), epoch: e.epoch, sender: e.sender, parent: e.parent };
  }
}

function memberToModel(s: BatchMemberState, dropped: number): ItfValue {
  if (s.status === "gone") return batchFresh("gone");
  return { ...sharedLocalToModel(s, dropped, batchEntryToModel), adding: s.batch.length > 0 ? Math.min(...s.batch) : NO_UID, batch: set(s.batch) };
}

/** tla/DCA_Batch.tla, BApplyToGroup, and DCA!Revive: the MLS state made by the latest Commit on the log, or the latest revive after it. */
export function batchGroupTruth(log: readonly BatchLogEntry[], revivals: BatchSnapshot["revivals"]): ItfValue {
  let epoch = 0;
  let by: Uid = NO_UID;
  let members = new Set<Uid>([1]);
  let removed = new Set<Uid>();
  let next = 0;
  const revive = (upTo: number) => {
    for (; next < revivals.length && revivals[next]!.logLength <= upTo; next++) {
      epoch = 0;
      by = revivals[next]!.uid;
      members = new Set([by]);
      removed = new Set();
    }
  };
  for (let i = 0; i < log.length; i++) {
    revive(i);
    const e = log[i]!;
    if (e.type !== "add" && e.type !== "remove") continue;
    epoch = e.epoch + 1;
    by = e.sender;
    for (const t of e.targets) {
      if (e.type === "add") members.add(t);
      else {
        members.delete(t);
        removed.add(t);
      }
    }
  }
  revive(log.length);
  return { epoch, by, members: set([...members]), removed: set([...removed]) };
}

/** The refinement mapping of the batched rules. */
export function toBatchModel(snap: BatchSnapshot): ModelState {
  const dropped = settledPrefix(snap);
  const st = localStates(snap, (s) => memberToModel(s, dropped), () => batchFresh("waiting"));
  return { log: snap.log.slice(dropped).map(batchEntryToModel), st, nextUid: snap.nextUid, group: batchGroupTruth(snap.log, snap.revivals) };
}
