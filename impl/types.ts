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
  target: Uid;
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
  target: Uid;
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
  /** For a DC between Welcome and Add: the target (else NO_UID). */
  adding: Uid;
}
