// The refinement mapping: from the implementation's state (the room's delivery
// log and every member machine's context) to the values of the TLA+ model's
// variables (tla/DCA.tla), in the ITF value form TLC's traces are stored in.
// This is the one place where implementation and model meet; every model
// variable is defined here.
//
//   log      the room's log without the prefix every active user has read
//            (DCA!Settle), each entry without its MLS bytes; a Welcome's
//            `members` as a set.
//   st       st[u] for every UID 1..Users: the model's constant `Fresh` for a
//            user that has not arrived, `Gone` for one that left, else the
//            member's local state with its cursor counted from the retained
//            log, its sets (members, ahead) as sets, its lists as sequences,
//            `tentative` as the Welcome entry or [type |-> "none"].
//   nextUid  the room's next UID.
//   group    the ground truth DCA!group: Genesis followed by every Commit on
//            the room's log, in order (DCA!ApplyToGroup), where a revive (R15:
//            a new group, which appends nothing) starts again from the new
//            group at the log length it was made at; the implementation never
//            reads it, so it is computed here from the full log and the revivals.
//   announced  (traces of tla/DCA_Zombie.tla only) the users the DS announced as
//            left whose clients still run; each of them is still active here,
//            with its own local state, as in that model (it reads on to its own
//            `left`); that model's refinement mapping onto DCA, where they are
//            Gone, is TLC's to check (spec/zombie.md).

import type { ItfValue } from "../../scripts/tlc/formats/tla-values.ts";
import { NO_UID, isCommit, type LogEntry, type MemberState, type Uid } from "../../impl/types.ts";

export interface ImplSnapshot {
  /** The delivery log from its start. */
  log: readonly LogEntry[];
  /** Dead rooms revived (DCA!Revive): by whom, at which log length, in order (none if absent). */
  revivals?: readonly Revival[];
  nextUid: number;
  /** Local states of the users that have arrived. */
  members: ReadonlyMap<Uid, MemberState>;
  /** The model's constant Users (UIDs 1..Users). */
  users: number;
  /** DCA_Zombie!announced: users announced as left whose clients still run; absent for DCA's own traces. */
  announced?: ReadonlySet<Uid>;
}

export interface Revival {
  uid: Uid;
  logLength: number;
}

export type ModelState = { log: ItfValue; st: ItfValue; nextUid: ItfValue; group: ItfValue; announced?: ItfValue };

/** A set of UIDs in ITF form, sorted. */
export const set = (xs: readonly number[]): ItfValue => ({ "#set": [...new Set(xs)].sort((a, b) => a - b) });
/** The model's [type |-> "none"]: no tentative Welcome. */
const NONE = { type: "none" };

/** DCA!Fresh: the local state of a user not arrived ("waiting") or gone (the batched mapping adds an empty batch). */
export function fresh(status: "waiting" | "gone"): Record<string, ItfValue> {
  return {
    status,
    cursor: 0,
    welcomed: false,
    tentative: NONE,
    epoch: 0,
    by: NO_UID,
    members: set([]),
    ahead: set([]),
    pendingAdds: [],
    pendingRemoves: [],
    adding: NO_UID,
  };
}

/** A log entry as the model writes it (no MLS bytes). */
export function entryToModel(e: LogEntry): ItfValue {
  switch (e.type) {
    case "joined":
    case "left":
      return { type: e.type, uid: e.uid };
    case "skipped":
      return { type: e.type, uid: e.uid, sender: e.sender };
    case "welcome":
      return { type: e.type, target: e.target, epoch: e.epoch, sender: e.sender, members: set(e.members), removes: [...e.removes] };
    default:
      return { type: e.type, target: e.target, epoch: e.epoch, sender: e.sender, parent: e.parent };
  }
}

/** How many log entries every active user has read: the prefix DCA!Settle drops (of a batched room's log too). */
export function settledPrefix(snap: { log: readonly unknown[]; members: ReadonlyMap<Uid, { status: string; cursor: number }> }): number {
  const cursors = [...snap.members.values()].filter((s) => s.status === "active").map((s) => s.cursor);
  return cursors.length === 0 ? snap.log.length : Math.min(...cursors);
}

/** What a member's local state (MemberState) and a batched room's have in common: all but `adding` and the batch's own fields. */
export type SharedLocalState<Welcome> = Pick<MemberState, "cursor" | "welcomed" | "epoch" | "by"> & {
  tentative: Welcome | null;
} & { [list in "members" | "ahead" | "pendingAdds" | "pendingRemoves"]: readonly Uid[] };

/** An active member's local state as the model writes it, but for `adding` (and a batch's fields), which each mapping adds. */
export function sharedLocalToModel<Welcome>(s: SharedLocalState<Welcome>, dropped: number, welcomeToModel: (e: Welcome) => ItfValue): Record<string, ItfValue> {
  return {
    status: "active",
    cursor: s.cursor - dropped,
    welcomed: s.welcomed,
    tentative: s.tentative ? welcomeToModel(s.tentative) : NONE,
    epoch: s.epoch,
    by: s.by,
    members: set(s.members),
    ahead: set(s.ahead),
    pendingAdds: [...s.pendingAdds],
    pendingRemoves: [...s.pendingRemoves],
  };
}

function memberToModel(s: MemberState, dropped: number): ItfValue {
  if (s.status === "gone") return fresh("gone");
  return { ...sharedLocalToModel(s, dropped, entryToModel), adding: s.adding };
}

/** st: the local state of every UID 1..users, `waiting()` for one that has not arrived (the batched mapping's too). */
export function localStates<S>(snap: { users: number; members: ReadonlyMap<Uid, S> }, toModel: (s: S) => ItfValue, waiting: () => ItfValue): ItfValue[] {
  const st: ItfValue[] = [];
  for (let u = 1; u <= snap.users; u++) {
    const s = snap.members.get(u);
    st.push(s ? toModel(s) : waiting());
  }
  return st;
}

/** @spec DCA!group DCA!Revive — the MLS state made by the latest Commit on the log, or the latest revive after it. */
export function groupTruth(log: readonly LogEntry[], revivals: readonly Revival[] = []): ItfValue {
  let epoch = 0;
  let by: Uid = NO_UID;
  let members = new Set<Uid>([1]);
  let removed = new Set<Uid>();
  let next = 0; // the next revival to apply
  const revive = (upTo: number) => {
    for (; next < revivals.length && revivals[next]!.logLength <= upTo; next++) {
      const r = revivals[next]!;
      epoch = 0;
      by = r.uid;
      members = new Set([r.uid]);
      removed = new Set();
    }
  };
  for (let i = 0; i < log.length; i++) {
    revive(i);
    const e = log[i]!;
    if (!isCommit(e)) continue;
    epoch = e.epoch + 1;
    by = e.sender;
    if (e.type === "add") members.add(e.target);
    else {
      members.delete(e.target);
      removed.add(e.target);
    }
  }
  revive(log.length);
  return { epoch, by, members: set([...members]), removed: set([...removed]) };
}

/** The refinement mapping itself. */
export function toModel(snap: ImplSnapshot): ModelState {
  const dropped = settledPrefix(snap);
  return {
    log: snap.log.slice(dropped).map(entryToModel),
    st: localStates(snap, (s) => memberToModel(s, dropped), () => fresh("waiting")),
    nextUid: snap.nextUid,
    group: groupTruth(snap.log, snap.revivals),
    ...(snap.announced ? { announced: set([...snap.announced]) } : {}),
  };
}
