// The vocabulary of the implementation: UIDs, delivery-log entries, a member's
// local state, and the variant switches. Field names follow tla/DCA.tla so the
// refinement mapping (conformance/) is a renaming, not a translation.

export type Uid = number;

/** "No user": the committer of the genesis epoch, or no add in progress. */
export const NO_UID: Uid = 0;

/** @spec DCA!Variants — "Correct" in production; the others exist for tests only. */
export type Variant =
  | "Correct"
  | "FirstWelcomeCounts"
  | "WelcomeWithoutRemoves"
  | "WelcomeOutOfOrder"
  | "AddBeforeWelcome"
  | "DcLowestAlive"
  | "NoSkipOwnAdd"
  | "IgnoreRemoves"
  | "NoRevive"
  | "NoPresentList"
  | "KeepStaleRemoves"
  | "NoSkip";

export const VARIANTS: readonly Variant[] = [
  "Correct",
  "FirstWelcomeCounts",
  "WelcomeWithoutRemoves",
  "WelcomeOutOfOrder",
  "AddBeforeWelcome",
  "DcLowestAlive",
  "NoSkipOwnAdd",
  "IgnoreRemoves",
  "NoRevive",
  "NoPresentList",
  "KeepStaleRemoves",
  "NoSkip",
];

// --- Log entries (spec/dca.md section 1). MLS bytes ride along when MLS is on. ---

export interface JoinedEntry {
  type: "joined";
  uid: Uid;
  /** The joiner's encoded MLS KeyPackage. */
  keyPackage?: Uint8Array;
}

export interface LeftEntry {
  type: "left";
  uid: Uid;
}

export interface WelcomeEntry {
  type: "welcome";
  /** The joiner it welcomes; for a batched Welcome, the first of `targets`. */
  target: Uid;
  /**
   * A batched Welcome (spec/batching.md section 4): every joiner it welcomes, ascending,
   * no repeats, `targets[0] === target`. Absent: today's single-target entry ([target]).
   */
  targets?: Uid[];
  /** The epoch the Welcome puts its target in. */
  epoch: number;
  sender: Uid;
  /** Membership of that epoch (sorted). */
  members: Uid[];
  /** The DC's pending removes when it sent the Welcome (R7). */
  removes: Uid[];
  /** The encoded MLS Welcome. */
  welcome?: Uint8Array;
}

export interface CommitEntry {
  type: "add" | "remove";
  /** The user it adds or removes; for a batched Commit, the first of `targets`. */
  target: Uid;
  /** A batched Commit: every user it adds or removes, as a WelcomeEntry's `targets`. */
  targets?: Uid[];
  /** The epoch the Commit was made in. */
  epoch: number;
  sender: Uid;
  /** The committer of that epoch (NO_UID for genesis). */
  parent: Uid;
  /** The encoded MLS Commit. */
  commit?: Uint8Array;
}

/**
 * @spec DCA!DcSkip R16 — the DC skipped a joiner that left before it was added: nobody
 * welcomes, adds or removes it. `sender`: the DC that appended it. No MLS bytes: a skip
 * changes no epoch.
 */
export interface SkippedEntry {
  type: "skipped";
  uid: Uid;
  sender: Uid;
}

export type LogEntry = JoinedEntry | LeftEntry | WelcomeEntry | CommitEntry | SkippedEntry;

export const isCommit = (e: LogEntry): e is CommitEntry => e.type === "add" || e.type === "remove";

/**
 * @spec DCA_Batch!BTargets — the users a welcome, add or remove entry is about: a batched
 * entry's list, else its one target. The one reader of `targets`: every rule reads the
 * list through it, so a single-target entry is a list of one.
 */
export const targetsOf = (e: { target: Uid; targets?: readonly Uid[] }): readonly Uid[] => e.targets ?? [e.target];

/** The batch a DC is adding (its Welcome sent, its Add not), ascending; [] if none. */
export function addingBatch(s: MemberState): Uid[] {
  return s.batch ?? (s.adding === NO_UID ? [] : [s.adding]);
}

/** Is this a batched entry (made under the batched rules, spec/batching.md section 4)? */
export const isBatched = (e: { targets?: readonly Uid[] }): boolean => e.targets !== undefined;

/**
 * Why an entry's `targets` field is malformed (null: absent or well-formed): a non-empty
 * array of integer UIDs >= 1, ascending without repeats, whose first is the entry's
 * `target`. Shared by the DS's entry checks (impl/ds/protocol.ts) and the member's
 * (impl/client/entry-check.ts), so both refuse the same lists for the same reasons.
 */
export function targetsProblem(target: unknown, targets: unknown): string | null {
  if (targets === undefined) return null;
  if (!Array.isArray(targets)) return `expected an array of UIDs, got ${JSON.stringify(targets)}`;
  if (targets.length === 0) return "an empty list (a batch names at least one user)";
  const bad = targets.findIndex((v) => !Number.isSafeInteger(v) || (v as number) < 1);
  if (bad >= 0) return `element ${bad} is ${JSON.stringify(targets[bad])}, not an integer UID >= 1`;
  for (let i = 1; i < targets.length; i++) {
    if (targets[i] === targets[i - 1]) return `UID ${targets[i]} is repeated`;
    if ((targets[i] as number) < (targets[i - 1] as number)) return `not ascending (${targets[i - 1]} before ${targets[i]})`;
  }
  if (targets[0] !== target) return `its first UID ${targets[0]} is not the entry's target ${JSON.stringify(target)}`;
  return null;
}

// --- A member's local state: exactly the fields of st[u] in the model. ---
// @spec DCA!TypeOK — the typed fields of st[u] (TLC checks TypeOK in every configuration).

export interface MemberState {
  uid: Uid;
  status: "active" | "gone";
  /** How many entries of the delivery log it has read (absolute, from the log's start). */
  cursor: number;
  welcomed: boolean;
  /** A Welcome read but not yet confirmed by its Add (R8). */
  tentative: WelcomeEntry | null;
  epoch: number;
  /** The committer of its epoch's Commit (NO_UID for genesis). */
  by: Uid;
  /** Its view of the membership, sorted. */
  members: Uid[];
  /** Members ranked before it that it has not seen leave (R6), sorted. */
  ahead: Uid[];
  pendingAdds: Uid[];
  pendingRemoves: Uid[];
  /** For a DC between Welcome and Add: the target (else NO_UID); for a batch, its lowest UID. */
  adding: Uid;
  /**
   * @spec DCA_Batch!BFresh — a DC between a batched Welcome and its Add: the batch, ascending
   * (`adding` is its first). Absent otherwise, and always under today's rules, so a
   * single-target run's state is exactly DCA.tla's st[u].
   */
  batch?: Uid[];
}

/** The same UIDs in the same order (a Welcome's removes list is ordered, R7; a batch is ascending). */
export const sameList = (a: readonly Uid[], b: readonly Uid[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** The same UIDs in any order. */
export const sameUids = (a: readonly Uid[], b: readonly Uid[]): boolean => {
  const asc = (xs: readonly Uid[]) => [...xs].sort((x, y) => x - y);
  return sameList(asc(a), asc(b));
};
