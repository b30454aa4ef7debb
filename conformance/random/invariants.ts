// The model's properties (tla/DCA.tla, section PROPERTIES; spec/dca.md section 4)
// written once in TypeScript, over the model's variables as ITF values: the output
// of the refinement mapping (conformance/model/refinement.ts toModel), a state of a TLC
// trace, or a hand-made state. Every function is named like its TLA+ operator and
// returns the violations it finds — one string per offending user or field — so an
// empty list means the property holds.
//
// Invariants take one state; the step properties (TLA+ `[][A]_vars`) take the
// pair (before, after) of one step. Like the model, they read the model constant
// Variant (it changes Believes, HasWork and CommitOutcome), and Users is the
// length of `st`.

import type { Room } from "../../impl/room.ts";
import type { Variant } from "../../impl/types.ts";
import { toModel, type ModelState } from "../model/refinement.ts";
import { Active, Believes, Confirmed, Deserted, GroupDead, Quiescent, view, type CommitMsg, type DcaState, type ModelLike, type Msg, type UserState } from "../model/state-view.ts";

const NO_UID = 0;
import { snapshot } from "../replay/replay-trace.ts";

/** The room mapped to the model's variables (UIDs 1..users). */
export function modelOf(room: Room, users: number): ModelState {
  return toModel(snapshot(room, users));
}

// --- Operators of the model used by the properties -------------------------

const isCommit = (m: Msg): m is CommitMsg => m.type === "add" || m.type === "remove";
const sameSet = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const fmtSet = (xs: readonly number[]) => `{${xs.join(", ")}}`;
const fmtSeq = (xs: readonly number[]) => `<<${xs.join(", ")}>>`;
const fmtEpoch = (epoch: number, by: number) => `epoch ${epoch} by ${by === NO_UID ? "none" : by}`;
const fmtCommit = (c: CommitMsg) => `${c.type}(${c.targets.join(", ")}) by ${c.sender} in ${fmtEpoch(c.epoch, c.parent)}`;

/** @spec DCA!CommitOutcome */
function CommitOutcome(u: number, s: { epoch: number; by: number }, m: CommitMsg, variant: Variant): "skip" | "apply" | "reject" {
  if (m.sender === u) return "skip";
  if (variant === "FirstWelcomeCounts" && m.type === "add" && m.target === u && m.epoch + 1 === s.epoch) return "skip";
  if (m.epoch === s.epoch && m.parent === s.by) return "apply";
  return "reject";
}

/** @spec DCA!ApplyCommit — for a batched Commit (tla/DCA_Batch.tla, BApplyCommit) every target at once. */
function ApplyCommit<S extends { epoch: number; by: number; members: number[] }>(s: S, m: CommitMsg): S {
  const members = m.type === "add" ? [...new Set([...s.members, ...m.targets])] : s.members.filter((x) => !m.targets.includes(x));
  return { ...s, epoch: m.epoch + 1, by: m.sender, members: members.sort((a, b) => a - b) };
}

export interface Replayed {
  epoch: number;
  by: number;
  members: number[];
  /** Set where DCA!ReplayFrom gives `by = Rejected`: the Commit MLS would refuse. */
  rejected?: { index: number; commit: CommitMsg };
}

/**
 * @spec DCA!Replay — the epoch member u reaches by processing the Commits it has
 * not read yet, as it will process them (DCA!ReplayFrom from its cursor).
 */
export function Replay(s: DcaState, u: UserState, variant: Variant): Replayed {
  let r: Replayed = { epoch: u.epoch, by: u.by, members: u.members };
  for (let i = u.cursor; i < s.log.length; i++) {
    const m = s.log[i]!;
    if (!isCommit(m)) continue;
    const outcome = CommitOutcome(u.uid, r, m, variant);
    if (outcome === "skip") continue;
    if (outcome === "reject") return { ...r, rejected: { index: i + 1, commit: m } };
    r = ApplyCommit(r, m);
  }
  return r;
}

/**
 * @spec DCA!InFlightFor — u was welcomed into the Commit a living DC has made but
 * not appended; only a Welcome that counts at once (FirstWelcomeCounts) can do that.
 */
export function InFlightFor(s: DcaState, u: UserState, variant: Variant): boolean {
  return (
    variant === "FirstWelcomeCounts" &&
    Active(s).some((d) => d.adding === u.uid && u.epoch === d.epoch + 1 && u.by === d.uid)
  );
}

// --- Invariants of the published model --------------------------------------

/** @spec DCA!UniquePendings — no member lists a user twice as pending. */
export function UniquePendings(m: ModelLike): string[] {
  const out: string[] = [];
  for (const u of Active(view(m))) {
    for (const field of ["pendingAdds", "pendingRemoves"] as const) {
      const q = u[field];
      const twice = [...new Set(q.filter((x, i) => q.indexOf(x) !== i))];
      if (twice.length) out.push(`user ${u.uid}: ${field} ${fmtSeq(q)} lists ${twice.join(", ")} twice`);
    }
  }
  return out;
}

/** @spec DCA!UidsEnumerate — UIDs handed out are exactly 1..nextUid-1. */
export function UidsEnumerate(m: ModelLike): string[] {
  const s = view(m);
  const out: string[] = [];
  for (const u of s.st) {
    const handedOut = u.uid < s.nextUid;
    if (handedOut && u.status === "waiting") out.push(`user ${u.uid} is below nextUid ${s.nextUid} but has not arrived`);
    if (!handedOut && u.status !== "waiting") out.push(`user ${u.uid} is ${u.status} but nextUid is ${s.nextUid}`);
  }
  if (s.nextUid - 1 > s.st.length) out.push(`nextUid ${s.nextUid} is beyond Users = ${s.st.length} + 1`);
  return out;
}

/** The premise of the Quiescent* invariants: no GroupDead escape since R15 (a dead room revives). */
const quiescent = (m: ModelLike, variant: Variant) => Quiescent(m, variant).length === 0;

/** @spec DCA!QuiescentNoPendings — at quiescence nobody has pending adds or removes. */
export function QuiescentNoPendings(m: ModelLike, variant: Variant = "Correct"): string[] {
  if (!quiescent(m, variant)) return [];
  const out: string[] = [];
  for (const u of Confirmed(view(m))) {
    if (u.pendingAdds.length) out.push(`user ${u.uid}: pendingAdds ${fmtSeq(u.pendingAdds)} at quiescence`);
    if (u.pendingRemoves.length) out.push(`user ${u.uid}: pendingRemoves ${fmtSeq(u.pendingRemoves)} at quiescence`);
  }
  return out;
}

/** @spec DCA!QuiescentEqualEpochs — at quiescence all members are in one epoch (one Commit). */
export function QuiescentEqualEpochs(m: ModelLike, variant: Variant = "Correct"): string[] {
  if (!quiescent(m, variant)) return [];
  const members = Confirmed(view(m));
  const first = members[0];
  if (!first) return [];
  return members
    .filter((u) => u.epoch !== first.epoch || u.by !== first.by)
    .map((u) => `user ${u.uid} is in ${fmtEpoch(u.epoch, u.by)}, user ${first.uid} in ${fmtEpoch(first.epoch, first.by)}`);
}

/** @spec DCA!QuiescentAllWelcomed — at quiescence every active user is a member. */
export function QuiescentAllWelcomed(m: ModelLike, variant: Variant = "Correct"): string[] {
  if (!quiescent(m, variant)) return [];
  return Active(view(m))
    .filter((u) => !u.welcomed)
    .map((u) => `user ${u.uid} is active but not welcomed at quiescence${u.tentative ? ` (tentative Welcome from ${u.tentative.sender})` : ""}`);
}

/**
 * @spec DCA!QuiescentWelcomesAdded — at quiescence nobody waits on a tentative Welcome and
 * the group is exactly the active users (unless everyone has left: DCA!Deserted).
 */
export function QuiescentWelcomesAdded(m: ModelLike, variant: Variant = "Correct"): string[] {
  if (!quiescent(m, variant)) return [];
  const s = view(m);
  const out = Active(s)
    .filter((u) => u.tentative)
    .map((u) => `user ${u.uid} waits on a tentative Welcome from ${u.tentative!.sender} into epoch ${u.tentative!.epoch}`);
  const active = Active(s).map((u) => u.uid);
  if (active.length > 0 && !sameSet(s.group.members, active)) {
    out.push(`group.members ${fmtSet(s.group.members)} but the active users are ${fmtSet(active)}`);
  }
  return out;
}

/** @spec DCA!QuiescentNotStranded — at quiescence, if anyone is active, the group is alive (R15). */
export function QuiescentNotStranded(m: ModelLike, variant: Variant = "Correct"): string[] {
  if (!quiescent(m, variant) || Deserted(m) || !GroupDead(m)) return [];
  const s = view(m);
  return [`users ${Active(s).map((u) => u.uid).join(", ")} are active, but no member of the group ${fmtSet(s.group.members)} is`];
}

/** @spec DCA!QuiescentSomeDc — at quiescence, if anyone is active, some member believes it is the DC. */
export function QuiescentSomeDc(m: ModelLike, variant: Variant = "Correct"): string[] {
  if (!quiescent(m, variant) || Deserted(m)) return [];
  const s = view(m);
  return Confirmed(s).some((u) => Believes(u, variant)) ? [] : [`no welcomed member of ${fmtSet(Confirmed(s).map((u) => u.uid))} believes it is the DC`];
}

// --- Invariants beyond the published model ---------------------------------

/** @spec DCA!AtMostOneBelievesDc */
export function AtMostOneBelievesDc(m: ModelLike, variant: Variant = "Correct"): string[] {
  const believers = view(m).st.filter((u) => Believes(u, variant)).map((u) => u.uid);
  return believers.length > 1 ? [`users ${believers.join(", ")} all believe they are the DC`] : [];
}

/**
 * @spec DCA!NoFork — every confirmed member, after the Commits still ahead of it on
 * the log (DCA!ReplayFrom), is in the group's epoch (same Commit), or was welcomed
 * into the Commit a living DC has made but not appended yet (DCA!InFlightFor).
 */
export function NoFork(m: ModelLike, variant: Variant = "Correct"): string[] {
  const s = view(m);
  const out: string[] = [];
  for (const u of Confirmed(s)) {
    const r = Replay(s, u, variant);
    if (!r.rejected && r.epoch === s.group.epoch && r.by === s.group.by) continue;
    if (InFlightFor(s, u, variant)) continue;
    const from = `user ${u.uid} in ${fmtEpoch(u.epoch, u.by)}`;
    out.push(
      r.rejected
        ? `${from}: MLS would reject log[${r.rejected.index}], ${fmtCommit(r.rejected.commit)}, reached in ${fmtEpoch(r.epoch, r.by)}`
        : `${from} replays the log to ${fmtEpoch(r.epoch, r.by)}, but the group is in ${fmtEpoch(s.group.epoch, s.group.by)}`,
    );
  }
  return out;
}

/** @spec DCA!ViewMatchesGroup — a member that reaches the group's epoch sees its true membership. */
export function ViewMatchesGroup(m: ModelLike, variant: Variant = "Correct"): string[] {
  const s = view(m);
  const out: string[] = [];
  for (const u of Confirmed(s)) {
    const r = Replay(s, u, variant);
    if (r.rejected || r.epoch !== s.group.epoch || r.by !== s.group.by) continue;
    if (!sameSet(r.members, s.group.members)) {
      out.push(`user ${u.uid} replays to members ${fmtSet(r.members)}, the group's are ${fmtSet(s.group.members)}`);
    }
  }
  return out;
}

// --- Step properties: one step, (before, after) ------------------------------

/** @spec DCA!NewCommit DCA!TheCommit — the Commit the step appended, if it appended one. */
export function NewCommit(before: ModelLike, after: ModelLike): CommitMsg | null {
  const a = view(after).log, b = view(before).log;
  if (a.length !== b.length + 1) return null;
  const last = a[a.length - 1]!;
  return isCommit(last) ? last : null;
}

/** @spec DCA!CommitEpochsIncreaseByOne — a new Commit is made in the group's current epoch. */
export function CommitEpochsIncreaseByOne(before: ModelLike, after: ModelLike): string[] {
  const c = NewCommit(before, after);
  const g = view(before).group;
  if (!c || c.epoch === g.epoch) return [];
  return [`${fmtCommit(c)}: the group is in epoch ${g.epoch}`];
}

/**
 * @spec DCA!NoDoubleCommit — nobody added twice (nor re-added after a remove); only members
 * removed. For a batched Commit, every target (tla/DCA_Batch.tla, BNoDoubleCommit).
 */
export function NoDoubleCommit(before: ModelLike, after: ModelLike): string[] {
  const c = NewCommit(before, after);
  if (!c) return [];
  const g = view(before).group;
  if (c.type === "add") {
    return c.targets.flatMap((t) => [
      ...(g.members.includes(t) ? [`${fmtCommit(c)}: ${t} is already a member ${fmtSet(g.members)}`] : []),
      ...(g.removed.includes(t) ? [`${fmtCommit(c)}: ${t} was removed before`] : []),
    ]);
  }
  return c.targets.filter((t) => !g.members.includes(t)).map((t) => `${fmtCommit(c)}: ${t} is not a member ${fmtSet(g.members)}`);
}

/**
 * @spec DCA!CommitsFromBelievedDc — a new Commit comes from a member of the group
 * that believed it was the DC, made in its own epoch, which is the group's.
 */
export function CommitsFromBelievedDc(before: ModelLike, after: ModelLike, variant: Variant = "Correct"): string[] {
  const c = NewCommit(before, after);
  if (!c) return [];
  const s = view(before);
  const d = s.st[c.sender - 1];
  const out: string[] = [];
  if (!d || !Believes(d, variant)) out.push(`${fmtCommit(c)}: user ${c.sender} did not believe it was the DC`);
  if (!s.group.members.includes(c.sender)) out.push(`${fmtCommit(c)}: user ${c.sender} is not in the group ${fmtSet(s.group.members)}`);
  if (d && (c.epoch !== d.epoch || c.parent !== d.by)) out.push(`${fmtCommit(c)}: user ${c.sender} is in ${fmtEpoch(d.epoch, d.by)}`);
  if (c.epoch !== s.group.epoch || c.parent !== s.group.by) {
    out.push(`${fmtCommit(c)}: the group is in ${fmtEpoch(s.group.epoch, s.group.by)}`);
  }
  return out;
}

/**
 * @spec DCA!NoWelcomeOrAddAfterLeft R16 — a DC never sends a Welcome or an Add for a joiner
 * whose `left` it has read: it skips it (the known-bad NoSkip welcomes, adds and removes it).
 */
export function NoWelcomeOrAddAfterLeft(before: ModelLike, after: ModelLike): string[] {
  const a = view(after).log, b = view(before).log;
  if (a.length !== b.length + 1) return [];
  const m = a[a.length - 1]!;
  if (m.type !== "welcome" && m.type !== "add") return [];
  const d = view(before).st[m.sender - 1];
  const gone = m.targets.filter((t) => d?.pendingRemoves.includes(t));
  if (!d || !gone.length) return [];
  return [`${m.type}(${m.targets.join(", ")}) by ${m.sender}: user ${m.sender} has read the left of ${gone.join(", ")} (its pending removes are ${fmtSeq(d.pendingRemoves)})`];
}

// --- All of them ---------------------------------------------------------

export type Invariant = (m: ModelLike, variant: Variant) => string[];
export type StepProperty = (before: ModelLike, after: ModelLike, variant: Variant) => string[];

/** The invariants of tla/DCA.tla (TypeOK aside), in the order they are reported. */
export const INVARIANTS: Readonly<Record<string, Invariant>> = {
  UniquePendings,
  UidsEnumerate,
  AtMostOneBelievesDc,
  NoFork,
  ViewMatchesGroup,
  QuiescentNoPendings,
  QuiescentEqualEpochs,
  QuiescentAllWelcomed,
  QuiescentWelcomesAdded,
  QuiescentNotStranded,
  QuiescentSomeDc,
};

/** The step (action) properties of tla/DCA.tla. */
export const STEP_PROPERTIES: Readonly<Record<string, StepProperty>> = {
  CommitEpochsIncreaseByOne,
  NoDoubleCommit,
  CommitsFromBelievedDc,
  NoWelcomeOrAddAfterLeft,
};

export interface Violation {
  /** The TLA+ operator (or, for the harness's own checks, the check's name). */
  property: string;
  /** As in ITF counterexamples: "invariant", or "property" for a step property. */
  kind: "invariant" | "property" | "check";
  details: string[];
}

export function checkInvariants(m: ModelLike, variant: Variant = "Correct"): Violation[] {
  return Object.entries(INVARIANTS).flatMap(([property, inv]) => {
    const details = inv(m, variant);
    return details.length ? [{ property, kind: "invariant" as const, details }] : [];
  });
}

export function checkStep(before: ModelLike, after: ModelLike, variant: Variant = "Correct"): Violation[] {
  return Object.entries(STEP_PROPERTIES).flatMap(([property, prop]) => {
    const details = prop(before, after, variant);
    return details.length ? [{ property, kind: "property" as const, details }] : [];
  });
}

export const formatViolations = (vs: readonly Violation[]): string =>
  vs.map((v) => `${v.property} (${v.kind}) violated:\n${v.details.map((d) => `  - ${d}`).join("\n")}`).join("\n");
