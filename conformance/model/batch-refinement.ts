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
// Pure: the room's state comes in as plain values (BatchSnapshot), so this layer does not
// load the implementation.

import type { ItfValue } from "../../scripts/tlc/formats/tla-values.ts";
import type { ModelState } from "./refinement.ts";

type Uid = number;
const NO_UID = 0;

/** A batched log entry as impl/batch.ts writes it (MLS bytes ignored). */
export type BatchLogEntry =
  | { type: "joined" | "left"; uid: Uid }
  | { type: "skipped"; uid: Uid; sender: Uid }
  | { type: "welcome"; targets: readonly Uid[]; epoch: number; sender: Uid; members: readonly Uid[]; removes: readonly Uid[] }
  | { type: "add" | "remove"; targets: readonly Uid[]; epoch: number; sender: Uid; parent: Uid };

/** A member's local state (impl/batch.ts, BatchRoom.view). */
export interface BatchMemberState {
  status: "active" | "gone";
  cursor: number;
  welcomed: boolean;
  tentative: Extract<BatchLogEntry, { type: "welcome" }> | null;
  epoch: number;
  by: Uid;
  members: readonly Uid[];
  ahead: readonly Uid[];
  pendingAdds: readonly Uid[];
  pendingRemoves: readonly Uid[];
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

const set = (xs: readonly number[]): ItfValue => ({ "#set": [...new Set(xs)].sort((a, b) => a - b) });
const NONE = { type: "none" };

/** tla/DCA_Batch.tla, BFresh: a user not arrived ("waiting") or gone. */
function fresh(status: "waiting" | "gone"): ItfValue {
  return {
    status, cursor: 0, welcomed: false, tentative: NONE, epoch: 0, by: NO_UID,
    members: set([]), ahead: set([]), pendingAdds: [], pendingRemoves: [], adding: NO_UID, batch: set([]),
  };
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
  if (s.status === "gone") return fresh("gone");
  return {
    status: "active",
    cursor: s.cursor - dropped,
    welcomed: s.welcomed,
    tentative: s.tentative ? batchEntryToModel(s.tentative) : NONE,
    epoch: s.epoch,
    by: s.by,
    members: set(s.members),
    ahead: set(s.ahead),
    pendingAdds: [...s.pendingAdds],
    pendingRemoves: [...s.pendingRemoves],
    adding: s.batch.length > 0 ? Math.min(...s.batch) : NO_UID,
    batch: set(s.batch),
  };
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
  const cursors = [...snap.members.values()].filter((s) => s.status === "active").map((s) => s.cursor);
  const dropped = cursors.length === 0 ? snap.log.length : Math.min(...cursors);
  const st: ItfValue[] = [];
  for (let u = 1; u <= snap.users; u++) {
    const s = snap.members.get(u);
    st.push(s ? memberToModel(s, dropped) : fresh("waiting"));
  }
  return { log: snap.log.slice(dropped).map(batchEntryToModel), st, nextUid: snap.nextUid, group: batchGroupTruth(snap.log, snap.revivals) };
}
