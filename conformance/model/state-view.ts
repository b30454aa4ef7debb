// A typed view of the model's variables (tla/DCA.tla): the one reader of a DCA
// state out of ITF values (the refinement mapping's output, a state of a TLC
// trace, a hand-made state), with the model's operators on it that more than one
// layer needs (DCA!Active, Believes, HasWork, Quiescent, GroupDead). Pure: only
// the formats and impl/types.ts.

import type { Variant } from "../../impl/types.ts";
import { isItfRecord, type ItfValue } from "../../scripts/tlc/formats/tla-values.ts";
import type { ModelState } from "./refinement.ts";

/**
 * A log entry. `targets` is the set of users a Welcome or Commit names: `{target}` for
 * DCA's entries, the batch for tla/DCA_Batch.tla's (whose entries have `targets` and no
 * `target`; there `target` is the batch's lowest UID, as `adding` is).
 */
export type Msg =
  | { type: "joined" | "left"; uid: number }
  | { type: "skipped"; uid: number; sender: number }
  | { type: "welcome"; target: number; targets: number[]; epoch: number; sender: number; members: number[]; removes: number[] }
  | { type: "add" | "remove"; target: number; targets: number[]; epoch: number; sender: number; parent: number };
export type WelcomeMsg = Extract<Msg, { type: "welcome" }>;
export type CommitMsg = Extract<Msg, { type: "add" | "remove" }>;

/** st[u] (DCA!Fresh gives the fields); sets as ascending arrays. */
export interface UserState {
  uid: number;
  status: "waiting" | "active" | "gone";
  cursor: number;
  welcomed: boolean;
  tentative: WelcomeMsg | null;
  epoch: number;
  by: number;
  members: number[];
  ahead: number[];
  pendingAdds: number[];
  pendingRemoves: number[];
  adding: number;
  /** tla/DCA_Batch.tla's `batch`: the targets a DC between its Welcome and its Add adds (empty in DCA). */
  batch: number[];
}

export interface GroupState {
  epoch: number;
  by: number;
  members: number[];
  removed: number[];
}

export interface DcaState {
  log: Msg[];
  /** st[u] is `st[u - 1]`. */
  st: UserState[];
  nextUid: number;
  group: GroupState;
}

/** Anything holding the model's four variables as ITF values (a ModelState, a trace state). */
export type ModelLike = ModelState | { [variable: string]: unknown };

type Rec = { [field: string]: ItfValue };

function rec(v: unknown, what: string): Rec {
  if (!isItfRecord(v)) throw new Error(`${what}: expected a record, got ${JSON.stringify(v)}`);
  return v;
}

function num(v: unknown, what: string): number {
  if (typeof v !== "number") throw new Error(`${what}: expected a number, got ${JSON.stringify(v)}`);
  return v;
}

/** A sequence: a JSON array (TLC prints the empty sequence as an empty function too). */
function seq(v: unknown, what: string): ItfValue[] {
  if (Array.isArray(v)) return v;
  if (typeof v === "object" && v !== null && "#tup" in v && Array.isArray(v["#tup"])) return v["#tup"] as ItfValue[];
  if (typeof v === "object" && v !== null && "#map" in v && Array.isArray(v["#map"]) && v["#map"].length === 0) return [];
  throw new Error(`${what}: expected a sequence, got ${JSON.stringify(v)}`);
}

const nums = (v: unknown, what: string): number[] => seq(v, what).map((x, i) => num(x, `${what}[${i}]`));

function set(v: unknown, what: string): number[] {
  if (typeof v !== "object" || v === null || !("#set" in v) || !Array.isArray(v["#set"])) {
    throw new Error(`${what}: expected a set, got ${JSON.stringify(v)}`);
  }
  return (v["#set"] as ItfValue[]).map((x, i) => num(x, `${what}[${i}]`)).sort((a, b) => a - b);
}

/** A Welcome's or Commit's targets: DCA's `target`, or DCA_Batch's set `targets`. */
function targetsOf(m: Rec, what: string): { target: number; targets: number[] } {
  if (!("targets" in m)) {
    const target = num(m.target, `${what}.target`);
    return { target, targets: [target] };
  }
  const targets = set(m.targets, `${what}.targets`);
  if (targets.length === 0) throw new Error(`${what}.targets: empty`);
  return { target: targets[0]!, targets };
}

function msg(v: unknown, what: string): Msg {
  const m = rec(v, what);
  switch (m.type) {
    case "joined":
    case "left":
      return { type: m.type, uid: num(m.uid, `${what}.uid`) };
    case "skipped":
      return { type: "skipped", uid: num(m.uid, `${what}.uid`), sender: num(m.sender, `${what}.sender`) };
    case "welcome":
      return {
        type: "welcome",
        ...targetsOf(m, what),
        epoch: num(m.epoch, `${what}.epoch`),
        sender: num(m.sender, `${what}.sender`),
        members: set(m.members, `${what}.members`),
        removes: nums(m.removes, `${what}.removes`),
      };
    case "add":
    case "remove":
      return {
        type: m.type,
        ...targetsOf(m, what),
        epoch: num(m.epoch, `${what}.epoch`),
        sender: num(m.sender, `${what}.sender`),
        parent: num(m.parent, `${what}.parent`),
      };
    default:
      throw new Error(`${what}: unknown message type ${JSON.stringify(m.type)}`);
  }
}

function user(v: unknown, uid: number): UserState {
  const what = `st[${uid}]`;
  const s = rec(v, what);
  const status = s.status;
  if (status !== "waiting" && status !== "active" && status !== "gone") throw new Error(`${what}.status: ${JSON.stringify(status)}`);
  const tentative = rec(s.tentative, `${what}.tentative`);
  const t = tentative.type === "none" ? null : msg(tentative, `${what}.tentative`);
  if (t && t.type !== "welcome") throw new Error(`${what}.tentative: not a Welcome`);
  return {
    uid,
    status,
    cursor: num(s.cursor, `${what}.cursor`),
    welcomed: s.welcomed === true,
    tentative: t,
    epoch: num(s.epoch, `${what}.epoch`),
    by: num(s.by, `${what}.by`),
    members: set(s.members, `${what}.members`),
    ahead: set(s.ahead, `${what}.ahead`),
    pendingAdds: nums(s.pendingAdds, `${what}.pendingAdds`),
    pendingRemoves: nums(s.pendingRemoves, `${what}.pendingRemoves`),
    adding: num(s.adding, `${what}.adding`),
    batch: "batch" in s ? set(s.batch, `${what}.batch`) : [],
  };
}

/** log alone as typed values. */
export function readLog(m: ModelLike): Msg[] {
  return seq((m as { log?: unknown }).log, "log").map((e, i) => msg(e, `log[${i + 1}]`));
}

/** st alone as typed values, for a reader that needs no other variable (the viewer: a trace may lack `group`). */
export function readUsers(m: ModelLike): UserState[] {
  return seq((m as { st?: unknown }).st, "st").map((s, i) => user(s, i + 1));
}

const views = new WeakMap<object, DcaState>();

/** The model state as typed values (cached per state object: every property reads it). */
export function view(m: ModelLike): DcaState {
  const cached = views.get(m);
  if (cached) return cached;
  const vars = m as { [variable: string]: unknown };
  const g = rec(vars.group, "group");
  const v: DcaState = {
    log: readLog(m),
    st: readUsers(m),
    nextUid: num(vars.nextUid, "nextUid"),
    group: {
      epoch: num(g.epoch, "group.epoch"),
      by: num(g.by, "group.by"),
      members: set(g.members, "group.members"),
      removed: set(g.removed, "group.removed"),
    },
  };
  views.set(m, v);
  return v;
}

// --- Operators of the model on the view -------------------------------------

const NO_UID = 0;

/** @spec DCA!Active */
export const Active = (s: DcaState): UserState[] => s.st.filter((u) => u.status === "active");
/** @spec DCA!Confirmed */
export const Confirmed = (s: DcaState): UserState[] => Active(s).filter((u) => u.welcomed);

/** @spec DCA!GroupDead — no active user is in the membership of the group's latest epoch. */
export function GroupDead(m: ModelLike): boolean {
  const s = view(m);
  return !s.group.members.some((u) => s.st[u - 1]?.status === "active");
}

/** @spec DCA!Believes */
export function Believes(u: UserState, variant: Variant): boolean {
  return u.status === "active" && (u.welcomed || variant === "DcLowestAlive") && u.ahead.length === 0;
}

/** @spec DCA!Deserted — everyone who arrived has left. */
export function Deserted(m: ModelLike): boolean {
  return Active(view(m)).length === 0;
}

/** @spec DCA!CanRevive — not a member, the whole log read (`logLength` entries), every user ranked before it seen leave. */
export function CanRevive(u: UserState, logLength: number, variant: Variant): boolean {
  return variant !== "NoRevive" && u.status === "active" && !u.welcomed && u.cursor === logLength && u.ahead.length === 0;
}

/** @spec DCA!HasWork — reviving a dead room is work too (`logLength`: for CanRevive). */
export function HasWork(u: UserState, variant: Variant, logLength: number): boolean {
  if (u.status !== "active") return false;
  if (u.adding !== NO_UID) return true;
  if (CanRevive(u, logLength, variant)) return true;
  if (!Believes(u, variant)) return false;
  return u.pendingAdds.length > 0 || (u.pendingRemoves.length > 0 && variant !== "IgnoreRemoves");
}

/**
 * @spec DCA!Quiescent — the reasons the state is not quiescent (empty: it is):
 * an active user with unread entries, a user with DC work.
 */
export function Quiescent(m: ModelLike, variant: Variant = "Correct"): string[] {
  const s = view(m);
  const out: string[] = [];
  for (const u of Active(s)) {
    if (u.cursor !== s.log.length) out.push(`user ${u.uid} has read ${u.cursor} of ${s.log.length} entries`);
  }
  for (const u of s.st) if (HasWork(u, variant, s.log.length)) out.push(`user ${u.uid} has DC work`);
  return out;
}

/**
 * @spec DCA_Inputs!LastArrival — the model's value of the implementation's one variable
 * outside st[u]: a member's last arrival read (impl/member.ts, lastArrival). The model
 * has no such variable; its log tells it: nextUid - 1, less the arrivals u has not read.
 * Undefined for a user that is not active.
 */
export function modelLastArrival(m: ModelLike, u: number): number | undefined {
  const user = readUsers(m)[u - 1];
  if (user?.status !== "active") return undefined;
  const unread = readLog(m).slice(user.cursor).filter((e) => e.type === "joined").length;
  return num((m as { nextUid?: unknown }).nextUid, "nextUid") - 1 - unread;
}
