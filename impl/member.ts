// One member of a room as an XState v5 machine. Its states and events mirror the
// model's actions: READ is DCA!Read, DC_WELCOME / DC_ADD / DC_REMOVE (and the
// known-bad DC_ADD_FIRST / DC_LATE_WELCOME) and DC_SKIP (R16) are the DC's steps, REVIVE is a dead
// room's re-creation (DCA!Revive), LEAVE is DCA!Leave. With `batched` (the room's
// `batch` option, spec/batching.md section 4) the DC's steps are tla/DCA_Batch.tla's:
// the guards take the batched rules of impl/rules.ts, and a DC step's entry must be a
// batched one (and under today's rules must not be). Transitions are pure: every MLS operation has already been done by
// the room (impl/room.ts), which puts its result in the event, so a recorded
// event sequence replays to the same state.

import { assign, setup } from "xstate";
import {
  applyCommit,
  bCommitState,
  bWelcomeState,
  canAdd,
  canBAdd,
  canBRemove,
  canBWelcome,
  canAddFirst,
  canLateWelcome,
  canRemove,
  canRevive,
  canSkip,
  canWelcome,
  creatorState,
  joinerState,
  onMessage,
  readEffect,
  reviveState,
  skipState,
  type BatchRank,
} from "./rules.ts";
import { NO_UID, isBatched, type CommitEntry, type LogEntry, type MemberState, type SkippedEntry, type Uid, type Variant, type WelcomeEntry } from "./types.ts";

/** The member's MLS state, opaque here (impl/mls.ts); absent when MLS is switched off. */
export type MlsGroupRef = unknown;

export interface MemberMls {
  /** The MLS group of its current epoch (null before it is welcomed). */
  group: MlsGroupRef | null;
  /**
   * A DC between Welcome and Add: the group its Commit creates, adopted when the Add is
   * sent, dropped if the joiner is skipped (R16: the DC goes back to its epoch's group).
   */
  pendingGroup: MlsGroupRef | null;
}

export interface MemberContext {
  variant: Variant;
  state: MemberState;
  mls: MemberMls;
  /**
   * @spec DCA_Inputs!LastArrival — the highest UID the member has heard of: its own, or
   * that of the last `joined` it read. Not part of the model's st[u] (the model knows
   * it from its log); the room checks the next `joined` against it (R2).
   */
  lastArrival: Uid;
  /**
   * It never revives the room (spec/dca.md R15): it refused a Welcome for itself (the group
   * may count it as a member; tla/DCA_ForgedWelcome.tla), or, under RefusalRule "Skip", it
   * refused any entry before it was welcomed (it cannot tell that entry was not its own
   * `skipped`; tla/DCA_Refusals.tla `stopped`). Not part of st[u]: an honest DS never makes
   * it true.
   */
  neverRevive?: boolean;
  /** The DC runs the batched rules (tla/DCA_Batch.tla); absent in snapshots saved before batching: false. */
  batched?: boolean;
  /** Batch-mates' ranking: the rule "Uid" (absent), or a known-bad tie-break for tests only. */
  batchRank?: BatchRank;
  /**
   * @spec DCA_Refusals!Refuse DCA_Refusals!RLeftBeforeAdded R16 — the joiners whose `joined` it
   * refused for their KeyPackage (RefusalRule "Skip"): it tracks them as pending joiners it can
   * never add, and as DC skips them. Not part of st[u].
   */
  unusable?: Uid[];
  /** The users whose `skipped` it read (R16): their later `left` is expected (rules.ts leftOfSkipped). */
  skipped?: Uid[];
  /**
   * @spec DCA_Refusals!ReadOwnSkip R16 — it read `skipped` of itself before it was welcomed:
   * the room refused it (by DC `by`, at log index `logIndex`). It never revives, and its
   * client stops; to come back the user joins as a new user.
   */
  refusedBy?: { by: Uid; logIndex: number };
}

export type MemberEvent =
  /** @spec DCA!Read — `group` is the MLS state the entry produced, if it changes it. */
  | { type: "READ"; entry: LogEntry; group?: MlsGroupRef }
  /** @spec DCA!DcWelcome — `pendingGroup` is the DC's state after the Commit it made. */
  | { type: "DC_WELCOME"; entry: WelcomeEntry; pendingGroup?: MlsGroupRef }
  /** @spec DCA!DcAdd */
  | { type: "DC_ADD"; entry: CommitEntry }
  /** @spec DCA!DcRemove */
  | { type: "DC_REMOVE"; entry: CommitEntry; group?: MlsGroupRef }
  /**
   * @spec DCA!DcSkip R16 — the DC skips a joiner that left before it was added; its MLS epoch
   * stays. Mid-add, `group` is its epoch's state as kept before the Commit it now drops.
   */
  | { type: "DC_SKIP"; entry: SkippedEntry; group?: MlsGroupRef }
  /** @spec DCA!DcAddFirst — known-bad 2 */
  | { type: "DC_ADD_FIRST"; entry: CommitEntry; group?: MlsGroupRef }
  /** @spec DCA!DcLateWelcome — known-bad 2 */
  | { type: "DC_LATE_WELCOME"; entry: WelcomeEntry }
  /**
   * @spec DCA!Revive R15 — `logLength`: the entries of the log the member can see (it must
   * have read them all); `group` is the new MLS group it created.
   */
  | { type: "REVIVE"; logLength: number; group?: MlsGroupRef }
  /**
   * An entry the member refused (bad MLS bytes, metadata that MLS contradicts): move past it.
   * `neverRevive`: this refusal bars a revive (R15). `arrival`: it was the `joined` of the
   * next UID, refused for its KeyPackage: the member counts the arrival (its lastArrival),
   * and with `unusable` (RefusalRule "Skip", R16) tracks the joiner as one to skip.
   */
  | { type: "REFUSE"; neverRevive?: boolean; arrival?: Uid; unusable?: boolean }
  /** @spec DCA!Leave */
  | { type: "LEAVE" }
  /**
   * Not a model step: the member encrypted or decrypted an application message,
   * which moves its MLS state on within the epoch (a new handle, impl/mls.ts);
   * st[u] is unchanged.
   */
  | { type: "APP_MESSAGE"; group: MlsGroupRef };

export interface MemberInput {
  uid: Uid;
  variant: Variant;
  /** Entries of the log before this member's first read (its `joined` entry included). */
  cursor: number;
  /** The users the DS said were present when this member arrived (R2; joiners only). */
  present?: readonly Uid[];
  /** The creator's MLS group (user 1 only). */
  group?: MlsGroupRef;
  /** The room's `batch` option: the DC's steps are the batched ones. */
  batched?: boolean;
  /** Known-bad tie-breaks of batch-mates, for tests only (default the rule, "Uid"). */
  batchRank?: BatchRank;
}

const NO_MLS: MemberMls = { group: null, pendingGroup: null };

export const memberMachine = setup({
  types: {
    context: {} as MemberContext,
    events: {} as MemberEvent,
    input: {} as MemberInput,
  },
  guards: {
    entersGroup: ({ context, event }) =>
      event.type === "READ" &&
      ["confirm-welcome", "enter-at-welcome"].includes(readEffect(context.state, event.entry, context.variant)),
    canWelcome: ({ context, event }) =>
      event.type === "DC_WELCOME" &&
      (context.batched
        ? canBWelcome(context.state, event.entry, context.variant, context.unusable)
        : !isBatched(event.entry) && canWelcome(context.state, event.entry.target, context.variant, context.unusable)),
    canAdd: ({ context, event }) =>
      event.type === "DC_ADD" &&
      (context.batched
        ? canBAdd(context.state, event.entry, context.variant, context.unusable)
        : !isBatched(event.entry) && canAdd(context.state, context.variant, context.unusable) && event.entry.target === context.state.adding),
    canRemove: ({ context, event }) =>
      event.type === "DC_REMOVE" &&
      (context.batched
        ? canBRemove(context.state, event.entry, context.variant)
        : !isBatched(event.entry) && canRemove(context.state, context.variant) && event.entry.target === context.state.pendingRemoves[0]),
    canSkip: ({ context, event }) =>
      event.type === "DC_SKIP" && canSkip(context.state, event.entry.uid, context.variant, context.batched === true, context.unusable),
    canAddFirst: ({ context, event }) =>
      !context.batched &&
      event.type === "DC_ADD_FIRST" &&
      canAddFirst(context.state, context.variant, context.unusable) &&
      event.entry.target === context.state.pendingAdds[0],
    canLateWelcome: ({ context, event }) =>
      !context.batched && event.type === "DC_LATE_WELCOME" && canLateWelcome(context.state, context.variant),
    canRevive: ({ context, event }) =>
      event.type === "REVIVE" && !context.neverRevive && !context.refusedBy && canRevive(context.state, event.logLength, context.variant),
  },
  actions: {
    read: assign(({ context, event }) => {
      if (event.type !== "READ") return {};
      const { entry } = event;
      const effect = readEffect(context.state, entry, context.variant);
      const skipped = context.skipped ?? [];
      const state = onMessage(context.state, entry, context.variant, context.batchRank ?? "Uid", skipped);
      const mls = { ...context.mls };
      // The room joined (from the confirmed Welcome) or processed the Commit already.
      if (["confirm-welcome", "enter-at-welcome", "apply-commit"].includes(effect)) mls.group = event.group ?? null;
      const lastArrival = entry.type === "joined" ? entry.uid : context.lastArrival;
      if (entry.type !== "skipped") return { state, mls, lastArrival };
      // A skip of itself, read before it was welcomed (the core refuses one after): the room refused it.
      const refusedBy = entry.uid === context.state.uid && !context.state.welcomed ? { by: entry.sender, logIndex: context.state.cursor } : context.refusedBy;
      return { state, mls, lastArrival, skipped: skipped.includes(entry.uid) ? skipped : [...skipped, entry.uid], ...(refusedBy ? { refusedBy } : {}) };
    }),
    sendWelcome: assign(({ context, event }) =>
      event.type === "DC_WELCOME"
        ? {
            state: context.batched ? bWelcomeState(context.state, event.entry) : { ...context.state, adding: event.entry.target },
            mls: { ...context.mls, pendingGroup: event.pendingGroup ?? null },
          }
        : {},
    ),
    sendAdd: assign(({ context, event }) =>
      event.type === "DC_ADD"
        ? {
            state: context.batched ? bCommitState(context.state, event.entry) : { ...applyCommit(context.state, event.entry), adding: NO_UID },
            mls: { ...context.mls, group: context.mls.pendingGroup, pendingGroup: null },
          }
        : {},
    ),
    sendRemove: assign(({ context, event }) =>
      event.type === "DC_REMOVE"
        ? { state: applyCommit(context.state, event.entry), mls: { ...context.mls, group: event.group ?? null } }
        : {},
    ),
    // The prepared Commit is dropped: the DC stays in its epoch, with the group it had (R16).
    sendSkip: assign(({ context, event }) =>
      event.type === "DC_SKIP"
        ? {
            state: skipState(context.state, event.entry.uid),
            mls: { group: event.group ?? context.mls.group, pendingGroup: null },
            // Remembered as a reader of the skip would (DCA_Refusals!SkipTarget): the DC may skip a joiner
            // whose `joined` it refused before it reads that joiner's `left` (rules.ts leftOfSkipped).
            skipped: [...(context.skipped ?? []), event.entry.uid],
          }
        : {},
    ),
    sendAddFirst: assign(({ context, event }) =>
      event.type === "DC_ADD_FIRST"
        ? {
            state: { ...applyCommit(context.state, event.entry), adding: event.entry.target },
            mls: { ...context.mls, group: event.group ?? null },
          }
        : {},
    ),
    sendLateWelcome: assign(({ context }) => ({ state: { ...context.state, adding: NO_UID } })),
    revive: assign(({ context, event }) =>
      event.type === "REVIVE" ? { state: reviveState(context.state), mls: { group: event.group ?? null, pendingGroup: null } } : {},
    ),
    appMessage: assign(({ context, event }) => (event.type === "APP_MESSAGE" ? { mls: { ...context.mls, group: event.group } } : {})),
    // Refused: only the cursor moves (R9), except for what the event says (R15, R16).
    refuse: assign(({ context, event }) => {
      if (event.type !== "REFUSE") return {};
      const cursor = context.state.cursor + 1;
      const neverRevive = context.neverRevive === true || event.neverRevive === true;
      if (event.arrival === undefined) return { state: { ...context.state, cursor }, neverRevive };
      const v = event.arrival;
      if (!event.unusable) return { state: { ...context.state, cursor }, neverRevive, lastArrival: v };
      return {
        state: { ...context.state, cursor, pendingAdds: [...context.state.pendingAdds, v] },
        neverRevive,
        lastArrival: v,
        unusable: [...(context.unusable ?? []), v],
      };
    }),
    leave: assign(({ context }) => ({ state: { ...context.state, status: "gone" as const }, mls: NO_MLS })),
  },
}).createMachine({
  id: "member",
  context: ({ input }) => {
    const state = input.uid === 1 ? creatorState() : joinerState(input.uid, input.cursor, input.present ?? [], input.variant);
    return {
      variant: input.variant,
      state: { ...state, cursor: input.cursor },
      mls: { ...NO_MLS, group: input.group ?? null },
      lastArrival: input.uid,
      ...(input.batched ? { batched: true } : {}),
      ...(input.batchRank && input.batchRank !== "Uid" ? { batchRank: input.batchRank } : {}),
    };
  },
  initial: "active",
  states: {
    active: {
      // Not yet a member, or a member (R7, R8): the welcomed flag as a state.
      initial: "joining",
      states: {
        joining: {
          always: { guard: ({ context }) => context.state.welcomed, target: "member" },
          on: {
            READ: [{ guard: "entersGroup", target: "member", actions: "read" }, { actions: "read" }],
            REVIVE: { guard: "canRevive", target: "member", actions: "revive" },
          },
        },
        member: { on: { READ: { actions: "read" }, APP_MESSAGE: { actions: "appMessage" } } },
      },
      on: {
        DC_WELCOME: { guard: "canWelcome", actions: "sendWelcome" },
        DC_ADD: { guard: "canAdd", actions: "sendAdd" },
        DC_REMOVE: { guard: "canRemove", actions: "sendRemove" },
        DC_SKIP: { guard: "canSkip", actions: "sendSkip" },
        DC_ADD_FIRST: { guard: "canAddFirst", actions: "sendAddFirst" },
        DC_LATE_WELCOME: { guard: "canLateWelcome", actions: "sendLateWelcome" },
        REFUSE: { actions: "refuse" },
        LEAVE: { target: "gone", actions: "leave" },
      },
    },
    gone: { type: "final" },
  },
});
