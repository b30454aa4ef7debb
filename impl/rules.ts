// The DCA's rules as pure functions over a member's local state. Each function
// names the TLA+ operator it implements (tla/DCA.tla) and the requirement
// (spec/dca.md). Batched entries (a `targets` list, spec/batching.md section 4) are
// read by tla/DCA_Batch.tla's operators, through targetsOf: a single-target entry is a
// list of one and reads exactly as DCA.tla says; the DC's batched steps (the `batch`
// option, off by default until DCA.tla adopts batching) are the B-prefixed functions. No MLS here: the room (impl/room.ts) does the cryptography and
// the member machine (impl/member.ts) calls these to change state.

import {
  NO_UID,
  addingBatch,
  isBatched,
  sameList,
  targetsOf,
  type CommitEntry,
  type LogEntry,
  type MemberState,
  type SkippedEntry,
  type Uid,
  type Variant,
  type WelcomeEntry,
} from "./types.ts";

const sorted = (xs: Iterable<Uid>): Uid[] => [...new Set(xs)].sort((a, b) => a - b);
const without = (xs: readonly Uid[], x: Uid): Uid[] => xs.filter((y) => y !== x);
/** @spec DCA!Merge — a's entries, then those of b not already in a. */
const merge = (a: readonly Uid[], b: readonly Uid[]): Uid[] => [...a, ...b.filter((x) => !a.includes(x))];

/** @spec DCA!Creator R1 */
export function creatorState(): MemberState {
  return {
    uid: 1,
    status: "active",
    cursor: 0,
    welcomed: true,
    tentative: null,
    epoch: 0,
    by: NO_UID,
    members: [1],
    ahead: [],
    pendingAdds: [],
    pendingRemoves: [],
    adding: NO_UID,
  };
}

/**
 * @spec DCA!Join R2 R15 — a joiner reads from just after its own `joined` entry and ranks
 * before itself the users the DS says are present (`present`, the other active users);
 * the known-bad NoPresentList ranks every earlier user instead.
 */
export function joinerState(uid: Uid, cursor: number, present: readonly Uid[], variant: Variant): MemberState {
  return {
    ...creatorState(),
    uid,
    cursor,
    welcomed: false,
    members: [],
    ahead: variant === "NoPresentList" ? Array.from({ length: uid - 1 }, (_, i) => i + 1) : sorted(present),
  };
}

/** @spec DCA!Believes R6 */
export function believes(s: MemberState, variant: Variant): boolean {
  return s.status === "active" && (s.welcomed || variant === "DcLowestAlive") && s.ahead.length === 0;
}

/**
 * @spec DCA!CanRevive R15 — the group is dead and this user may create a new one: it is not
 * a member, has read the whole log (`logLength` entries) and has seen every user ranked
 * before it leave.
 */
export function canRevive(s: MemberState, logLength: number, variant: Variant): boolean {
  return variant !== "NoRevive" && s.status === "active" && !s.welcomed && s.cursor === logLength && s.ahead.length === 0;
}

/**
 * @spec DCA!Revive R15 — the reviver's state: the only member of a new group at epoch 0 of
 * its own making, keeping its joiners and the removes of those of them who left.
 */
export function reviveState(s: MemberState): MemberState {
  return {
    ...s,
    welcomed: true,
    tentative: null,
    epoch: 0,
    by: s.uid,
    members: [s.uid],
    pendingRemoves: s.pendingRemoves.filter((v) => s.pendingAdds.includes(v)),
  };
}

/** @spec DCA!HasWork — `logLength`: the entries of the log the member can see (for CanRevive). */
export function hasWork(s: MemberState, variant: Variant, logLength?: number): boolean {
  if (s.status !== "active") return false;
  if (s.adding !== NO_UID) return true;
  if (logLength !== undefined && canRevive(s, logLength, variant)) return true;
  if (!believes(s, variant)) return false;
  return s.pendingAdds.length > 0 || (s.pendingRemoves.length > 0 && variant !== "IgnoreRemoves");
}

/**
 * @spec DCA!ApplyToMember DCA_Batch!BApplyToMember R9 — the Commit's epoch, its committer, the
 * membership, the pending list: every target of a batched Commit is added (removed).
 */
export function applyCommit(s: MemberState, c: CommitEntry): MemberState {
  const add = c.type === "add";
  const ts = targetsOf(c);
  const out = (xs: readonly Uid[]) => xs.filter((v) => !ts.includes(v));
  return {
    ...s,
    epoch: c.epoch + 1,
    by: c.sender,
    members: add ? sorted([...s.members, ...ts]) : out(s.members),
    pendingAdds: add ? out(s.pendingAdds) : s.pendingAdds,
    pendingRemoves: add ? s.pendingRemoves : out(s.pendingRemoves),
  };
}

/**
 * tla/DCA_Batch.tla's BatchRank: how joiners welcomed together rank each other. "Uid" is the
 * rule (those with a smaller UID rank before one); "None" and "All" are known-bad, for tests
 * only (spec/batching.md section 2: a fork, and a room with no DC).
 */
export type BatchRank = "Uid" | "None" | "All";

/**
 * @spec DCA!EnterGroup DCA_Batch!BEnterGroup R7 R15 — the pending removes of users ranked below
 * every member of the Welcome (users of a dead group) are dropped, unless the known-bad
 * KeepStaleRemoves. From a batched Welcome, batch-mates with a larger UID do not rank before
 * the joiner (`rank`: the rule "Uid", or a known-bad tie-break for tests), and the joiner
 * stops tracking the Welcome's members as pending joiners (its own Add adds them, R9).
 */
export function enterGroup(s: MemberState, w: WelcomeEntry, variant: Variant, rank: BatchRank = "Uid"): MemberState {
  const all = variant === "WelcomeWithoutRemoves" ? s.pendingRemoves : merge(w.removes, s.pendingRemoves);
  const lowest = Math.min(...w.members);
  const removes = variant === "KeepStaleRemoves" ? all : all.filter((v) => v >= lowest);
  const batched = isBatched(w);
  const mates = targetsOf(w);
  const after = (v: Uid) => batched && mates.includes(v) && (rank === "None" || (rank === "Uid" && v > s.uid));
  return {
    ...s,
    welcomed: true,
    tentative: null,
    epoch: w.epoch,
    by: w.sender,
    members: sorted(w.members),
    ...(batched ? { pendingAdds: s.pendingAdds.filter((v) => !w.members.includes(v)) } : {}),
    pendingRemoves: removes,
    ahead: w.members.filter((m) => m !== s.uid && !removes.includes(m) && !after(m)).sort((a, b) => a - b),
  };
}

/** @spec DCA!CommitOutcome R9 — what a welcomed member does with a Commit. */
export function commitOutcome(s: MemberState, c: CommitEntry, variant: Variant): "skip" | "apply" | "reject" {
  if (c.sender === s.uid) return "skip";
  if (variant === "FirstWelcomeCounts" && c.type === "add" && c.target === s.uid && c.epoch + 1 === s.epoch) {
    return "skip";
  }
  if (c.epoch === s.epoch && c.parent === s.by) return "apply";
  return "reject";
}

/** @spec DCA!ConfirmsWelcome DCA_Batch!BConfirmsWelcome R8 — the Add of the Commit the tentative Welcome belongs to. */
export function confirmsWelcome(s: MemberState, c: CommitEntry): boolean {
  return (
    c.type === "add" &&
    targetsOf(c).includes(s.uid) &&
    s.tentative !== null &&
    c.sender === s.tentative.sender &&
    c.epoch + 1 === s.tentative.epoch
  );
}

/**
 * What reading `entry` means for member `s` — the branches of DCA!OnMessage.
 * The room uses it to know which MLS work a read needs; the machine uses it to
 * pick the transition.
 */
export type ReadEffect =
  | "track-join" //       R3
  | "track-leave" //      R4
  | "hold-welcome" //     R8: a tentative Welcome (MLS: checked now, joined on confirmation)
  | "enter-at-welcome" // FirstWelcomeCounts only: the Welcome counts at once
  | "ignore-welcome" //   not for this member, or already welcomed
  | "confirm-welcome" //  R8: the Add confirming the tentative Welcome
  | "skip-commit" //      R9: own Commit, or read before being welcomed
  | "apply-commit" //     R9
  | "reject-commit" //    R9: not of this member's epoch; MLS would refuse it
  | "drop-skipped"; //    R16: a joiner the DC skipped: no longer pending

/** @spec DCA!OnMessage */
export function readEffect(s: MemberState, entry: LogEntry, variant: Variant): ReadEffect {
  switch (entry.type) {
    case "joined":
      return "track-join";
    case "left":
      return "track-leave";
    case "skipped":
      return "drop-skipped";
    case "welcome":
      if (!targetsOf(entry).includes(s.uid) || s.welcomed) return "ignore-welcome";
      return variant === "FirstWelcomeCounts" ? "enter-at-welcome" : "hold-welcome";
    default:
      if (!s.welcomed) return confirmsWelcome(s, entry) ? "confirm-welcome" : "skip-commit";
      switch (commitOutcome(s, entry, variant)) {
        case "apply":
          return "apply-commit";
        case "skip":
          return "skip-commit";
        default:
          return "reject-commit";
      }
  }
}

/**
 * @spec DCA!OnMessage R16 — reading `skipped t`, a user (member or waiting joiner) drops t
 * from its pending adds and removes: t was never added, so nobody will add or remove it.
 * Only this entry lets a user drop a departed joiner: an Add of t by a DC that had not read
 * t's `left` may still be ahead on the log.
 */
export function dropSkipped(s: MemberState, t: Uid): MemberState {
  return { ...s, pendingAdds: without(s.pendingAdds, t), pendingRemoves: without(s.pendingRemoves, t) };
}

/**
 * @spec DCA!OnMessage DCA_Batch!BOnWelcome R3 R4 R7 R8 R9 R16 — the member's state after reading
 * `entry` (cursor advanced); `rank`: how batch-mates rank (the rule, or known-bad for tests);
 * `skipped`: the users whose `skipped` it has read (the `left` of one only ends its ranking,
 * leftOfSkipped).
 */
export function onMessage(s0: MemberState, entry: LogEntry, variant: Variant, rank: BatchRank = "Uid", skipped: readonly Uid[] = []): MemberState {
  const s = { ...s0, cursor: s0.cursor + 1 };
  const effect = readEffect(s0, entry, variant);
  switch (effect) {
    case "track-join":
      return { ...s, pendingAdds: [...s.pendingAdds, (entry as { uid: Uid }).uid] };
    case "track-leave": {
      const uid = (entry as { uid: Uid }).uid;
      const ahead = without(s.ahead, uid);
      return leftOfSkipped(s0, uid, skipped) ? { ...s, ahead } : { ...s, pendingRemoves: [...s.pendingRemoves, uid], ahead };
    }
    case "drop-skipped":
      return dropSkipped(s, (entry as SkippedEntry).uid);
    case "hold-welcome":
      return { ...s, tentative: entry as WelcomeEntry };
    case "enter-at-welcome":
      return enterGroup(s, entry as WelcomeEntry, variant, rank);
    case "confirm-welcome": {
      const entered = enterGroup(s, s.tentative!, variant, rank);
      // Known-bad 4: the joiner counts its own Add as one more epoch.
      return variant === "NoSkipOwnAdd"
        ? { ...entered, epoch: entered.epoch + 1, by: (entry as CommitEntry).sender }
        : entered;
    }
    case "apply-commit":
      return applyCommit(s, entry as CommitEntry);
    default:
      return s; // ignored, skipped, or rejected: only the cursor moves
  }
}

// --- The DC's steps -------------------------------------------------------

/** @spec DCA!NextJoinerIndices R11 — the joiners the DC may welcome next. */
export function nextJoiners(s: MemberState, variant: Variant): Uid[] {
  if (s.pendingAdds.length === 0) return [];
  return variant === "WelcomeOutOfOrder" ? [...s.pendingAdds] : [s.pendingAdds[0]!];
}

/** @spec DCA!WelcomeMsg R10 — the Welcome for `target`, into `epoch`. */
export function welcomeEntry(s: MemberState, target: Uid, epoch: number): WelcomeEntry {
  return {
    type: "welcome",
    target,
    epoch,
    sender: s.uid,
    members: sorted([...s.members, target]),
    removes: [...s.pendingRemoves],
  };
}

/** @spec DCA!CommitMsg */
export function commitEntry(s: MemberState, type: "add" | "remove", target: Uid): CommitEntry {
  return { type, target, epoch: s.epoch, sender: s.uid, parent: s.by };
}

/**
 * @spec DCA_Refusals!RLeftBeforeAdded DCA!DcSkip R16 — must `t` be skipped rather than added?
 * Yes if it left before it was added: the DC knows it was never added when it believes (R6):
 * it has read the `left` of every earlier DC, hence every Commit they made, so a joiner both
 * among its pending adds and its pending removes was never added. Yes too if the member
 * refused t's `joined` (`unusable`: its KeyPackage was bad, so the member can never add t;
 * spec/welcome-auth.md section 5, RefusalRule "Skip"). The known-bad NoSkip (the rule before
 * R16) never says so: it welcomes, adds and then removes such a joiner.
 */
export function leftBeforeAdded(s: MemberState, t: Uid, variant: Variant, unusable: readonly Uid[] = []): boolean {
  return variant !== "NoSkip" && s.pendingAdds.includes(t) && (s.pendingRemoves.includes(t) || unusable.includes(t));
}

/**
 * @spec DCA!DcSkip R16 — the joiner the DC would skip now: the one it is adding (its Welcome
 * sent, its Add not), else the head of its pending adds; NO_UID if that one has not left.
 * (Under the known-bad AddBeforeWelcome, `adding` is a joiner already added, its Welcome
 * owed: nothing to skip then.)
 */
export function skipTarget(s: MemberState, variant: Variant, batched = false, unusable: readonly Uid[] = []): Uid {
  if (batched) return bSkipTarget(s, variant, unusable);
  if (!believes(s, variant)) return NO_UID;
  if (s.adding !== NO_UID && variant === "AddBeforeWelcome") return NO_UID;
  const t = s.adding !== NO_UID ? s.adding : (s.pendingAdds[0] ?? NO_UID);
  return t !== NO_UID && leftBeforeAdded(s, t, variant, unusable) ? t : NO_UID;
}

/**
 * @spec DCA!DcSkip DCA_Batch!BDcSkip R16 — may `s` skip `t` now (under the batched rules if
 * `batched`)? `unusable`: the joiners whose `joined` it refused (skipped too).
 */
export function canSkip(s: MemberState, t: Uid, variant: Variant, batched = false, unusable: readonly Uid[] = []): boolean {
  return t !== NO_UID && skipTarget(s, variant, batched, unusable) === t;
}

/**
 * @spec DCA!DcSkip R16 — the DC's state after skipping `t`: t is no longer pending, and an add
 * under way (its Welcome for an epoch nobody reaches) is abandoned.
 */
export function skipState(s: MemberState, t: Uid): MemberState {
  return withoutBatch({ ...dropSkipped(s, t), adding: NO_UID });
}

/** The state with no batch under way (the field absent, as under today's rules). */
export function withoutBatch(s: MemberState): MemberState {
  if (s.batch === undefined) return s;
  const { batch: _done, ...rest } = s;
  return rest;
}

/** @spec DCA!DcSkip R16 — the entry the DC appends. */
export function skippedEntry(s: MemberState, t: Uid): SkippedEntry {
  return { type: "skipped", uid: t, sender: s.uid };
}

/**
 * @spec DCA!DcWelcome R10 R11 R12 R16 — may `s` send a Welcome for `target` now? Not for a
 * joiner that has left (R16: it is skipped instead).
 */
export function canWelcome(s: MemberState, target: Uid, variant: Variant, unusable: readonly Uid[] = []): boolean {
  return (
    variant !== "AddBeforeWelcome" &&
    believes(s, variant) &&
    s.adding === NO_UID &&
    nextJoiners(s, variant).includes(target) &&
    !leftBeforeAdded(s, target, variant, unusable)
  );
}

/** @spec DCA!DcAdd R10 R16 — the Add completing a Welcome, unless its joiner has left meanwhile (R16: skipped). */
export function canAdd(s: MemberState, variant: Variant, unusable: readonly Uid[] = []): boolean {
  return variant !== "AddBeforeWelcome" && s.status === "active" && s.adding !== NO_UID && !leftBeforeAdded(s, s.adding, variant, unusable);
}

/** @spec DCA!DcAddFirst — known-bad 2 only (not for a joiner that has left, R16). */
export function canAddFirst(s: MemberState, variant: Variant, unusable: readonly Uid[] = []): boolean {
  return (
    variant === "AddBeforeWelcome" &&
    believes(s, variant) &&
    s.adding === NO_UID &&
    s.pendingAdds.length > 0 &&
    !leftBeforeAdded(s, s.pendingAdds[0]!, variant, unusable)
  );
}

/** @spec DCA!DcLateWelcome — known-bad 2 only. */
export function canLateWelcome(s: MemberState, variant: Variant): boolean {
  return variant === "AddBeforeWelcome" && s.status === "active" && s.adding !== NO_UID;
}

/** @spec DCA!DcRemove R13 */
export function canRemove(s: MemberState, variant: Variant): boolean {
  return (
    variant !== "IgnoreRemoves" &&
    believes(s, variant) &&
    s.adding === NO_UID &&
    s.pendingAdds.length === 0 &&
    s.pendingRemoves.length > 0
  );
}

// --- What an honest delivery service can hand a member (tla/DCA_Inputs.tla) ---
// The room refuses an announcement the DS could not honestly have made at this
// point of the member's reading (R2). TLC checks, in DCA_Inputs, that the
// algorithm never hands an active member an entry these functions object to, so
// a refusal never makes an honest member diverge.

/**
 * @spec DCA_Inputs!KnownUsers — the users the member knows of: its view of the members, the
 * joiners it tracks, those ranked before it (a member seen leaving stays until its Remove).
 */
export function knownUsers(s: MemberState): Set<Uid> {
  return new Set([...s.members, ...s.pendingAdds, ...s.ahead]);
}

/**
 * Known-bad variants under which an honest `left` can name a user the member has
 * never heard of (TLC: DCA_Inputs!LeftIsKnown is violated, see
 * test/inputs-model.test.ts): the room cannot refuse unknown departures there.
 */
export const LEFT_OF_UNKNOWN_POSSIBLE: readonly Variant[] = ["WelcomeOutOfOrder", "DcLowestAlive"];

/**
 * Known-bad variants under which an honest `skipped` can fail DCA_Inputs!SkippedIsExpected
 * (TLC, test/inputs-model.test.ts): the room does not refuse unexpected skips there.
 */
export const SKIP_OF_UNEXPECTED_POSSIBLE: readonly Variant[] = ["WelcomeOutOfOrder"];

/** Why an entry cannot have come from an honest DS: the refusal's reason code and its explanation. */
export interface Unexpected {
  reason: "duplicate-entry" | "self-leave" | "unknown-user" | "unexpected-arrival" | "self-skip" | "unexpected-skip";
  detail: string;
}

/**
 * @spec DCA_Inputs!LeftNotRepeated DCA_Inputs!LeftIsKnown R2 R4 — why `left v` cannot be honest
 * for this member now (null: it can). `skipped`: the users whose `skipped` it has read; the
 * `left` of one of them is expected even though the member no longer tracks it (a joiner
 * skipped because its `joined` was refused, R16, leaves after its skip: see leftOfSkipped).
 */
export function unexpectedLeave(s: MemberState, v: Uid, variant: Variant, skipped: readonly Uid[] = []): Unexpected | null {
  if (v === s.uid) return { reason: "self-leave", detail: `it announces this member's own departure, but the member has not left` };
  if (s.pendingRemoves.includes(v)) return { reason: "duplicate-entry", detail: `user ${v} has already been announced as left` };
  if (skipped.includes(v)) return null;
  if (!LEFT_OF_UNKNOWN_POSSIBLE.includes(variant) && !knownUsers(s).has(v)) {
    return { reason: "unknown-user", detail: `user ${v} is not in the room as this member knows it (it never arrived, or has left and been removed)` };
  }
  return null;
}

/**
 * @spec DCA!OnMessage R4 R16 — is `left v` the departure of a joiner the member read skipped
 * (and that is not a member as it sees it, nor in the Welcome it holds)? Then it only stops
 * ranking v (R15): v was never added, so nobody removes it, and a pending remove of it would
 * make a later DC commit the removal of a non-member, which MLS refuses. Under an honest DS a
 * skip always follows the joiner's `left` (R16), so this never happens; it does when a DC
 * skipped a joiner whose `joined` it refused (spec/welcome-auth.md section 5), and the
 * joiner, reading its skip, stopped and left.
 */
export function leftOfSkipped(s: MemberState, v: Uid, skipped: readonly Uid[]): boolean {
  return skipped.includes(v) && !s.members.includes(v) && !(s.tentative?.members.includes(v) ?? false);
}

/**
 * @spec DCA_Inputs!JoinedIsNext DCA_Inputs!LastArrivalCoversKnown R2 — why `joined v` cannot
 * be honest for a member whose last arrival read was `lastArrival` (null: it can). The DS
 * numbers arrivals 1, 2, 3, … and every member reads every `joined` after its own, so the
 * next is lastArrival + 1; every UID the member knows is at most lastArrival, so a lower
 * one is a user that has already arrived.
 */
export function unexpectedArrival(lastArrival: Uid, v: Uid): Unexpected | null {
  if (v <= lastArrival) return { reason: "duplicate-entry", detail: `user ${v} has already arrived (the member has heard of arrivals up to ${lastArrival})` };
  if (v !== lastArrival + 1) {
    return { reason: "unexpected-arrival", detail: `UIDs are given in order and the last arrival the member read is ${lastArrival}, so the next is ${lastArrival + 1}, not ${v}` };
  }
  return null;
}

/**
 * @spec DCA_Inputs!SkippedIsExpected R16 — why `skipped t` cannot be honest for this member now
 * (null: it can). A DC skips a user that arrived (t is at most the last arrival the member
 * heard of) and was never added (not in its view of the members, nor the joiner it is adding
 * itself: no other DC's skip of it can follow its own Welcome, R6). A joiner not yet welcomed
 * takes a skip of itself: it was refused (spec/welcome-auth.md section 5), and stops. A
 * member refuses a skip of itself. Unlike SkippedIsExpected, a skip of a joiner the member
 * tracks and has not seen leave is taken: a DC skips a joiner whose `joined` it refused
 * (RefusalRule "Skip"), which this member may have read intact, and the model's readers drop
 * it (DCA!OnMessage). A forged one gives the DS nothing it lacks: the same as garbling that
 * joiner's KeyPackage for the DC (spec/welcome-auth.md section 5, the `skipped` rows).
 */
export function unexpectedSkip(s: MemberState, lastArrival: Uid, t: Uid): Unexpected | null {
  if (t === s.uid) {
    return s.welcomed ? { reason: "self-skip", detail: `a skip of this member, which is in the group (a member is removed, not skipped)` } : null;
  }
  if (t > lastArrival) return { reason: "unknown-user", detail: `user ${t} has not arrived as this member knows it (the last arrival it read is ${lastArrival})` };
  if (s.members.includes(t)) return { reason: "unexpected-skip", detail: `user ${t} is a member of the group as this member sees it (a member is removed, not skipped)` };
  if (addingBatch(s).includes(t)) return { reason: "unexpected-skip", detail: `user ${t} is a joiner this member is adding (its Welcome is on the log): only it could skip that joiner now` };
  return null;
}

// --- The DC's batched steps (tla/DCA_Batch.tla; the `batch` option) ------------
// The batched rule is checked with Variant = "Correct" only: the known-bad variants are
// single-target rules, so a batched member runs "Correct" (impl/client/core.ts refuses others).

/**
 * @spec DCA_Batch!BDcSkip R16 — the joiner a believing batched DC skips next: the lowest UID
 * among the batch under way, else among its pending joiners, that left before it was added;
 * NO_UID if none.
 */
export function bSkipTarget(s: MemberState, variant: Variant, unusable: readonly Uid[] = []): Uid {
  if (!believes(s, variant)) return NO_UID;
  const from = s.adding !== NO_UID ? addingBatch(s) : s.pendingAdds;
  const gone = from.filter((t) => leftBeforeAdded(s, t, variant, unusable));
  return gone.length === 0 ? NO_UID : Math.min(...gone);
}

/** @spec DCA_Batch!BWelcomeMsg R10 — one Welcome for every pending joiner, into epoch + 1. */
export function bWelcomeEntry(s: MemberState): WelcomeEntry {
  const targets = sorted(s.pendingAdds);
  return {
    type: "welcome",
    target: targets[0] ?? NO_UID,
    targets,
    epoch: s.epoch + 1,
    sender: s.uid,
    members: sorted([...s.members, ...targets]),
    removes: [...s.pendingRemoves],
  };
}

/** @spec DCA_Batch!BCommitMsg — a batched Commit of `targets` (sorted here). */
export function bCommitEntry(s: MemberState, type: "add" | "remove", targets: readonly Uid[]): CommitEntry {
  const ts = sorted(targets);
  return { type, target: ts[0] ?? NO_UID, targets: ts, epoch: s.epoch, sender: s.uid, parent: s.by };
}

/**
 * @spec DCA_Batch!BDcWelcome R10 R11 R12 R16 — may `s` send this batched Welcome now? It
 * believes, has no add under way, and the Welcome is for every pending joiner, none of
 * which left before it was added (those are skipped first).
 */
export function canBWelcome(s: MemberState, w: WelcomeEntry, variant: Variant, unusable: readonly Uid[] = []): boolean {
  return (
    believes(s, variant) &&
    s.adding === NO_UID &&
    s.pendingAdds.length > 0 &&
    isBatched(w) &&
    sameList(targetsOf(w), sorted(s.pendingAdds)) &&
    s.pendingAdds.every((t) => !leftBeforeAdded(s, t, variant, unusable))
  );
}

/** @spec DCA_Batch!BDcWelcome — the DC's state after its batched Welcome: the batch under way. */
export function bWelcomeState(s: MemberState, w: WelcomeEntry): MemberState {
  const batch = [...targetsOf(w)];
  return { ...s, adding: batch[0]!, batch };
}

/** @spec DCA_Batch!BDcAdd R10 R16 — the Add of the whole batch under way, unless one of it has left (skipped first). */
export function canBAdd(s: MemberState, c: CommitEntry, variant: Variant, unusable: readonly Uid[] = []): boolean {
  const batch = addingBatch(s);
  return (
    s.status === "active" &&
    batch.length > 0 &&
    isBatched(c) &&
    sameList(targetsOf(c), batch) &&
    batch.every((t) => !leftBeforeAdded(s, t, variant, unusable))
  );
}

/** @spec DCA_Batch!BDcRemove R13 — every pending remove in one Commit, once no add is pending or under way. */
export function canBRemove(s: MemberState, c: CommitEntry, variant: Variant): boolean {
  return canRemove(s, variant) && isBatched(c) && sameList(targetsOf(c), sorted(s.pendingRemoves));
}

/** @spec DCA_Batch!BSendCommit — the DC's state after its own batched Commit. */
export function bCommitState(s: MemberState, c: CommitEntry): MemberState {
  return withoutBatch({ ...applyCommit(s, c), adding: NO_UID });
}
