// One member of a room, as its client runs it: its member machine (impl/member.ts),
// its MLS state and its identity (KeyPackage and secret). It takes the member's
// steps — read the next log entry, and the DC's steps — doing the MLS work each
// needs before the machine gets its event, and it saves and restores itself.
// It never touches a log: the host hands it the entry at its cursor and appends
// the entries its DC steps return. The in-process room (impl/room.ts) is a log
// plus one core per user; the network client (impl/client/client.ts) is a socket
// plus one core, so both run this very code.
//
// With `batch: true` (spec/batching.md section 4; off by default until tla/DCA.tla adopts
// batching) the member runs tla/DCA_Batch.tla's rules: as DC it welcomes every pending
// joiner with one MLS Welcome and adds them with one Commit (commitAddMany), and removes
// every pending departure with one Commit (commitRemoveMany); its entries carry the list
// (`targets`). The setting is the room's: a member refuses a welcome, add or remove entry
// made under the other setting ("batch-mismatch"), so clients that disagree see a named
// refusal at the first such entry rather than run a mix of rules nobody checked.

import { createActor, type Actor } from "xstate";
import * as mls from "../mls.ts";
import { memberMachine, type MemberEvent } from "../member.ts";
import {
  bCommitEntry,
  bWelcomeEntry,
  commitEntry,
  readEffect,
  SKIP_OF_UNEXPECTED_POSSIBLE,
  skippedEntry,
  skipTarget,
  unexpectedArrival,
  unexpectedLeave,
  unexpectedSkip,
  welcomeEntry,
  type BatchRank,
} from "../rules.ts";
import { NO_UID, addingBatch, isBatched, sameList, sameUids, targetsOf, type CommitEntry, type LogEntry, type MemberState, type SkippedEntry, type Uid, type Variant, type WelcomeEntry } from "../types.ts";
import { checkEntry, MalformedEntry } from "./entry-check.ts";
import { MemberInputError, StepNotEnabled } from "./errors.ts";

/** A member's client storage: what `MemberCore.save` writes and `MemberCore.restore` reads. */
export interface SavedMember {
  snapshot: { context: { mls: unknown } } & Record<string, unknown>;
  group: Uint8Array | null;
  pendingGroup: Uint8Array | null;
  pendingCommit: Uint8Array | null;
  /** A DC between Welcome and Add: its epoch's group as it was before the Commit (encodeGroup), for a skip (R16). */
  keptGroup?: Uint8Array | null;
}

export type ReadOutcome =
  | { kind: "read"; logIndex: number; effect: ReturnType<typeof readEffect> }
  /** The entry was refused; the member moved past it and nothing else changed. */
  | { kind: "rejected"; logIndex: number; error: MemberInputError };

export interface CoreOptions {
  uid: Uid;
  variant: Variant;
  /** The MLS context, or null for the algorithm alone (benchmarks). */
  ctx: mls.MlsContext | null;
  /** The user's MLS identity (its KeyPackage and secret); absent when MLS is off. */
  identity?: mls.Member;
  /** The KeyPackage a joiner published in its `joined` entry (the DC needs it to add the joiner). */
  keyPackageOf: (target: Uid) => Uint8Array;
  /**
   * The published rule, for tests only: take a Welcome entry's `removes` as the DS
   * delivers it, unchecked against the list its committer signed (spec/welcome-auth.md;
   * test/welcome-removes-auth.test.ts shows what the check prevents).
   */
  trustWelcomeRemoves?: boolean;
  /** The MLS group id prefix of the room (a revived group gets a new id from it, R15). */
  groupIdBase?: string;
  /**
   * The room's setting: run the batched rules (tla/DCA_Batch.tla, spec/batching.md section 4).
   * Default false, today's rules. Every client of a room must agree (entries made under the
   * other setting are refused, "batch-mismatch"); only with variant "Correct".
   */
  batch?: boolean;
  /** Known-bad tie-breaks of batch-mates (tla/DCA_Batch.tla's BatchRank), for tests only; default "Uid". */
  batchRank?: BatchRank;
  /**
   * What refusing a `joined` (a bad KeyPackage) does: "Skip" (default; R16 and
   * spec/welcome-auth.md section 5) tracks the joiner as one to skip, and a joiner that refuses
   * any entry before it is welcomed never revives. "Silent" is tla/DCA_Refusals.tla's known-bad
   * RefusalRule, for tests only: the arrival is counted (as the model's LastArrival, taken from
   * the log, counts it) but the joiner is not tracked, so a DC adds later arrivals first and
   * the refused joiner may revive the room apart (test/refusal-split.test.ts).
   */
  refusalRule?: "Skip" | "Silent";
}

/** The room refused this user (R16): a DC skipped it before it was welcomed. Its client stops. */
export interface RefusedByRoom {
  by: Uid;
  logIndex: number;
  message: string;
}

/** The DC steps, named as the model's actions (Revive: a dead room's re-creation, R15; DcSkip: R16). */
export type DcAction = "DcWelcome" | "DcAdd" | "DcRemove" | "DcSkip" | "DcAddFirst" | "DcLateWelcome" | "Revive";

type MemberActor = Actor<typeof memberMachine>;

export class MemberCore {
  readonly uid: Uid;
  readonly variant: Variant;
  readonly identity: mls.Member | undefined;
  private readonly ctx: mls.MlsContext | null;
  private readonly keyPackageOf: (target: Uid) => Uint8Array;
  private readonly trustWelcomeRemoves: boolean;
  private readonly groupIdBase: string;
  /** The room's `batch` setting (CoreOptions). */
  readonly batched: boolean;
  private readonly refusalRule: "Skip" | "Silent";
  private actor: MemberActor;
  /** A DC between Welcome and Add keeps the Commit bytes it will append. */
  private pendingCommit: Uint8Array | null = null;
  /**
   * ...and its epoch's group as it was before making that Commit, encoded: making the
   * Commit retired that handle, and a skip (R16) leaves the DC in this epoch. Kept as
   * bytes and decoded only for a skip (encoding is about a quarter of a copy's cost:
   * 10 ms of 42 ms at 64 members, measured with scripts/bench-mls.ts's group).
   */
  private keptGroup: Uint8Array | null = null;
  /** Known-bad 2: the Welcome owed after an early Add. */
  private owedWelcome: Uint8Array | null = null;
  /**
   * A joiner's last Welcome that passed its checks when read (its bytes) and the trial join
   * made then, to adopt when the Add confirms that Welcome (R8): one join per Welcome, not two.
   * In memory only (not saved): it holds the joined group's secrets.
   */
  private trialJoin: { welcome: Uint8Array; join: () => mls.MlsGroup } | null = null;

  private constructor(opts: CoreOptions, actor: MemberActor) {
    this.uid = opts.uid;
    this.variant = opts.variant;
    this.ctx = opts.ctx;
    this.identity = opts.identity;
    this.keyPackageOf = opts.keyPackageOf;
    this.trustWelcomeRemoves = opts.trustWelcomeRemoves ?? false;
    this.groupIdBase = opts.groupIdBase ?? "dca-room";
    this.batched = opts.batch ?? false;
    this.refusalRule = opts.refusalRule ?? "Skip";
    this.actor = actor;
  }

  /** The batched rule is checked with Variant "Correct" only (tla/DCA_Batch.tla): refuse other pairings. */
  private static checkOptions(opts: CoreOptions): void {
    if (opts.batch && opts.variant !== "Correct") {
      throw new Error(`user ${opts.uid}: batch: true runs tla/DCA_Batch.tla's rules, checked with variant Correct only, not ${opts.variant}`);
    }
  }

  private static machineInput(opts: CoreOptions) {
    return {
      uid: opts.uid,
      variant: opts.variant,
      ...(opts.batch ? { batched: true } : {}),
      ...(opts.batchRank ? { batchRank: opts.batchRank } : {}),
    };
  }

  /**
   * A member whose first read is log entry `cursor`; user 1 brings the group it created (R1),
   * a joiner the users the DS said were present when it arrived (R2).
   */
  static start(opts: CoreOptions, cursor: number, group?: mls.MlsGroup, present: readonly Uid[] = []): MemberCore {
    MemberCore.checkOptions(opts);
    const actor = createActor(memberMachine, { input: { ...MemberCore.machineInput(opts), cursor, group, present } });
    actor.start();
    return new MemberCore(opts, actor);
  }

  /** The member as it saved itself (see save); it goes on from its saved cursor. */
  static restore(opts: CoreOptions, saved: SavedMember, owedWelcome: Uint8Array | null = null): MemberCore {
    MemberCore.checkOptions(opts);
    const savedBatched = (saved.snapshot.context as { batched?: boolean }).batched === true;
    if (savedBatched !== (opts.batch ?? false)) {
      throw new Error(
        `user ${opts.uid}: its saved state was made with batch: ${savedBatched}, the client now runs batch: ${opts.batch ?? false}; ` +
          `a room's batch setting does not change under a member (spec/batching.md section 4)`,
      );
    }
    const decode = (b: Uint8Array | null) => (b && opts.ctx ? mls.decodeGroup(opts.ctx, b) : null);
    const snapshot = {
      ...saved.snapshot,
      context: { ...saved.snapshot.context, mls: { group: decode(saved.group), pendingGroup: decode(saved.pendingGroup) } },
    };
    const actor = createActor(memberMachine, { snapshot: snapshot as never, input: { ...MemberCore.machineInput(opts), cursor: 0 } });
    actor.start();
    const core = new MemberCore(opts, actor);
    core.pendingCommit = saved.pendingCommit;
    core.keptGroup = saved.keptGroup ?? null;
    core.owedWelcome = owedWelcome;
    return core;
  }

  // --- views ---------------------------------------------------------------

  get state(): MemberState {
    return this.actor.getSnapshot().context.state;
  }

  /** The member's MLS group of its current epoch, if MLS is on and it is a member. */
  get group(): mls.MlsGroup | null {
    return this.actor.getSnapshot().context.mls.group as mls.MlsGroup | null;
  }

  /** @spec DCA_Inputs!LastArrival — the highest UID the member has heard of (its own, or its last `joined` read). */
  get lastArrival(): Uid {
    return this.actor.getSnapshot().context.lastArrival;
  }

  get active(): boolean {
    return this.state.status === "active";
  }

  /**
   * @spec DCA_Refusals!ReadOwnSkip R16 — the room refused this user: before it was welcomed it
   * read a `skipped` of itself (a DC could not add it: its KeyPackage reached that DC garbled,
   * or it left). It takes no further step but leaving; to come back it joins as a new user.
   */
  get refusedByRoom(): RefusedByRoom | null {
    const r = this.actor.getSnapshot().context.refusedBy;
    return r ? { ...r, message: `refused by the room: skipped by DC ${r.by} at log index ${r.logIndex}; to come back, join as a new user` } : null;
  }

  /** The joiners whose `joined` it refused and will skip as DC (R16, RefusalRule "Skip"). */
  private get unusable(): Uid[] {
    return this.actor.getSnapshot().context.unusable ?? [];
  }

  /** Throws StepNotEnabled unless the member is still active and the room has not refused it. */
  assertActive(): void {
    if (!this.active) throw new StepNotEnabled(`user ${this.uid} has left`);
    const refused = this.refusedByRoom;
    if (refused) throw new StepNotEnabled(`user ${this.uid} was ${refused.message}`);
  }

  /** Would the member accept this event now? (Checked before spending MLS work on it.) */
  canStep(event: MemberEvent): boolean {
    this.assertActive();
    return this.actor.getSnapshot().can(event);
  }

  /**
   * The DC steps the member would accept now, as "Action(u)" or "Action(u → target)"
   * — the same form as the model's enabled steps, for comparing the two. `logLength`:
   * the entries of the log the member can see (Revive needs them all read).
   */
  enabledDcSteps(logLength: number): string[] {
    const steps: string[] = [];
    const s = this.state;
    if (s.status !== "active") return steps;
    const uid = this.uid;
    if (this.canStep({ type: "REVIVE", logLength })) steps.push(`Revive(${uid})`);
    if (this.refusedByRoom) return steps;
    if (this.batched) return [...steps, ...this.batchedDcSteps(s).map((b) => `${b.action}(${uid} → ${b.targets.join(",")})`)];
    const skip = skipTarget(s, this.variant, false, this.unusable);
    if (skip !== NO_UID && this.canStep({ type: "DC_SKIP", entry: skippedEntry(s, skip) })) steps.push(`DcSkip(${uid} → ${skip})`);
    for (const t of s.pendingAdds) {
      if (this.canStep({ type: "DC_WELCOME", entry: welcomeEntry(s, t, s.epoch + 1) })) steps.push(`DcWelcome(${uid} → ${t})`);
    }
    if (this.canStep({ type: "DC_ADD", entry: commitEntry(s, "add", s.adding) })) steps.push(`DcAdd(${uid} → ${s.adding})`);
    const head = s.pendingRemoves[0];
    if (head !== undefined && this.canStep({ type: "DC_REMOVE", entry: commitEntry(s, "remove", head) })) {
      steps.push(`DcRemove(${uid} → ${head})`);
    }
    const first = s.pendingAdds[0];
    if (first !== undefined && this.canStep({ type: "DC_ADD_FIRST", entry: commitEntry(s, "add", first) })) {
      steps.push(`DcAddFirst(${uid} → ${first})`);
    }
    if (this.canStep({ type: "DC_LATE_WELCOME", entry: welcomeEntry(s, s.adding, s.epoch) })) {
      steps.push(`DcLateWelcome(${uid} → ${s.adding})`);
    }
    return steps;
  }

  /**
   * The DC step a client that runs on its own takes next, if any: skip a joiner that
   * left before it was added (R16: the one being added, or the head of the joiners),
   * else finish an add in progress, then the head of the removes (R13), then a Welcome
   * for the head of the joiners (R10, R12); the known-bad variants take their own steps.
   */
  nextDcStep(logLength: number): { action: DcAction; target: Uid } | null {
    const s = this.state;
    if (s.status !== "active" || this.refusedByRoom) return null;
    if (this.canStep({ type: "REVIVE", logLength })) return { action: "Revive", target: NO_UID };
    if (this.batched) {
      const b = this.batchedDcSteps(s)[0];
      return b ? { action: b.action, target: b.targets[0]! } : null;
    }
    const skip = skipTarget(s, this.variant, false, this.unusable);
    if (skip !== NO_UID && this.canStep({ type: "DC_SKIP", entry: skippedEntry(s, skip) })) return { action: "DcSkip", target: skip };
    if (this.canStep({ type: "DC_ADD", entry: commitEntry(s, "add", s.adding) })) return { action: "DcAdd", target: s.adding };
    if (this.canStep({ type: "DC_LATE_WELCOME", entry: welcomeEntry(s, s.adding, s.epoch) })) return { action: "DcLateWelcome", target: s.adding };
    const head = s.pendingRemoves[0];
    if (head !== undefined && this.canStep({ type: "DC_REMOVE", entry: commitEntry(s, "remove", head) })) return { action: "DcRemove", target: head };
    // Known-bad WelcomeOutOfOrder lets the DC pick any joiner: it picks the newest.
    for (const t of [...s.pendingAdds].reverse()) {
      if (this.canStep({ type: "DC_WELCOME", entry: welcomeEntry(s, t, s.epoch + 1) })) return { action: "DcWelcome", target: t };
    }
    const first = s.pendingAdds[0];
    if (first !== undefined && this.canStep({ type: "DC_ADD_FIRST", entry: commitEntry(s, "add", first) })) return { action: "DcAddFirst", target: first };
    return null;
  }

  /**
   * @spec DCA_Batch!BDcStep — the batched DC steps the member would accept now, in the order a
   * client takes them (a skip first, R16; then the Add of the batch under way; a Welcome of
   * every pending joiner; the Remove of every pending departure). At most one is enabled.
   */
  private batchedDcSteps(s: MemberState): { action: "DcSkip" | "DcAdd" | "DcWelcome" | "DcRemove"; targets: Uid[] }[] {
    const out: { action: "DcSkip" | "DcAdd" | "DcWelcome" | "DcRemove"; targets: Uid[] }[] = [];
    const skip = skipTarget(s, this.variant, true, this.unusable);
    if (skip !== NO_UID && this.canStep({ type: "DC_SKIP", entry: skippedEntry(s, skip) })) out.push({ action: "DcSkip", targets: [skip] });
    const batch = addingBatch(s);
    if (batch.length > 0 && this.canStep({ type: "DC_ADD", entry: bCommitEntry(s, "add", batch) })) out.push({ action: "DcAdd", targets: batch });
    const w = bWelcomeEntry(s);
    if (this.canStep({ type: "DC_WELCOME", entry: w })) out.push({ action: "DcWelcome", targets: [...targetsOf(w)] });
    const r = bCommitEntry(s, "remove", s.pendingRemoves);
    if (this.canStep({ type: "DC_REMOVE", entry: r })) out.push({ action: "DcRemove", targets: [...targetsOf(r)] });
    return out;
  }

  // --- save and restore --------------------------------------------------------

  /**
   * What a member's client keeps in storage: its machine's snapshot with the MLS
   * states encoded by ts-mls's own encoding (they hold private keys), and the
   * Commit a DC between Welcome and Add still has to append.
   */
  save(): SavedMember {
    const snap = this.actor.getPersistedSnapshot() as unknown as { context: { mls: Record<string, unknown> } };
    const { mls: memberMls } = this.actor.getSnapshot().context;
    // A DC between Welcome and Add has only its next state live: making the Commit retired
    // the old handle, which is nothing to save (the DC adopts the next state with its Add;
    // its epoch's state, for a skip, is kept encoded: keptGroup).
    const encode = (g: unknown) => {
      if (!g) return null;
      try {
        return mls.encodeGroup(g as mls.MlsGroup);
      } catch (e) {
        if (e instanceof mls.MlsUsageError) return null;
        throw e;
      }
    };
    return {
      snapshot: structuredClone({ ...snap, context: { ...snap.context, mls: { group: null, pendingGroup: null } } }),
      group: encode(memberMls.group),
      pendingGroup: encode(memberMls.pendingGroup),
      pendingCommit: this.pendingCommit,
      keptGroup: this.keptGroup,
    };
  }

  /** Known-bad 2: the Welcome a DC owes after an early Add (not saved: the in-process room carries it over a restart). */
  get owed(): Uint8Array | null {
    return this.owedWelcome;
  }

  /** The client stops (a crash): the machine takes no more events. */
  stop(): void {
    this.actor.stop();
    this.trialJoin = null;
    this.pendingCommit = null;
    this.keptGroup = null;
  }

  // --- the member leaves ------------------------------------------------------

  /** @spec DCA!Leave R5 — the member leaves (or the DS announced it); it keeps no MLS state. */
  leave(): void {
    // A user the room refused (R16) may still leave: that is all it does.
    if (!this.active) throw new StepNotEnabled(`user ${this.uid} has left`);
    this.actor.send({ type: "LEAVE" });
    this.trialJoin = null;
    this.pendingCommit = null;
    this.keptGroup = null;
    this.owedWelcome = null;
  }

  // --- the member reads -------------------------------------------------------

  /** @spec DCA!Read — the member reads `entry`, the log entry at its cursor. */
  async read(entry: LogEntry): Promise<ReadOutcome> {
    this.assertActive();
    const { state, mls: memberMls } = this.actor.getSnapshot().context;
    const logIndex = state.cursor;
    let effect: ReturnType<typeof readEffect>;
    let group: mls.MlsGroup | undefined;
    try {
      checkEntry(entry, this.ctx !== null);
      effect = readEffect(state, entry, this.variant);
      this.checkAgainstState(state, entry, effect);
      if (this.ctx) group = await this.mlsForRead(state, memberMls.group as mls.MlsGroup | null, entry, effect);
    } catch (e) {
      const error =
        e instanceof MemberInputError
          ? e
          : e instanceof MalformedEntry
            ? new MemberInputError(this.uid, logIndex, e.reason, e.message)
            : new MemberInputError(this.uid, logIndex, e instanceof mls.MlsInputError ? e.reason : "invalid-entry", e instanceof Error ? e.message : String(e), { cause: e });
      this.deliverEvent(this.refusal(state, entry));
      return { kind: "rejected", logIndex, error };
    }
    this.deliverEvent(group ? { type: "READ", entry, group } : { type: "READ", entry });
    return { kind: "read", logIndex, effect };
  }

  /**
   * What refusing `entry` does. The member moves past it and nothing else changes (R9), but:
   * - a refused Welcome for itself means it may never revive the room (R15);
   * - under RefusalRule "Skip" (spec/welcome-auth.md section 5), so does refusing any entry
   *   before it is welcomed: that entry may have been its own `skipped`;
   * - a `joined` of the next UID (R2) refused for its KeyPackage alone (missing, not bytes,
   *   not a KeyPackage, or naming another UID) is an arrival the member counts, and under
   *   "Skip" tracks as a joiner it can never add: as DC it skips it (R16), in arrival order.
   *   A `joined` whose UID is not the next one is refused as if not received: the DS is
   *   trusted for UIDs (R2), so that is a replay or a forgery, not an arrival.
   */
  private refusal(state: MemberState, entry: LogEntry): MemberEvent {
    const e = entry as { type?: unknown; target?: unknown; targets?: unknown; uid?: unknown };
    const skip = this.refusalRule === "Skip";
    const forIt = e.target === this.uid || (Array.isArray(e.targets) && e.targets.includes(this.uid));
    const neverRevive = (e.type === "welcome" && forIt) || (skip && !state.welcomed);
    const arrival =
      e.type === "joined" && Number.isInteger(e.uid) && unexpectedArrival(this.lastArrival, e.uid as Uid) === null ? (e.uid as Uid) : undefined;
    return arrival === undefined ? { type: "REFUSE", neverRevive } : { type: "REFUSE", neverRevive, arrival, unusable: skip };
  }

  /** Entries that are well-formed but make no sense for this member are refused (R9). */
  private checkAgainstState(state: MemberState, entry: LogEntry, effect: ReturnType<typeof readEffect>): void {
    const refuse = (reason: string, detail: string) => {
      throw new MemberInputError(this.uid, state.cursor, reason, detail);
    };
    if (effect === "reject-commit") {
      const c = entry as CommitEntry;
      refuse("wrong-epoch", `a ${c.type} made in epoch ${c.epoch} (after ${c.parent}'s Commit) by ${c.sender}, but the member is in epoch ${state.epoch} (after ${state.by}'s Commit)`);
    }
    // The room's batch setting (CoreOptions.batch): an entry made under the other one is refused.
    if ((entry.type === "welcome" || entry.type === "add" || entry.type === "remove") && isBatched(entry) !== this.batched) {
      refuse(
        "batch-mismatch",
        this.batched
          ? `a ${entry.type} of ${entry.target} by ${entry.sender} without a targets list, but this member runs the batched rules (batch: true): the room's clients disagree on the batch setting`
          : `a batched ${entry.type} of [${targetsOf(entry)}] by ${entry.sender}, but this member runs one target per entry (batch: false): the room's clients disagree on the batch setting`,
      );
    }
    if (effect === "ignore-welcome" && entry.type === "welcome" && targetsOf(entry).includes(this.uid)) {
      refuse("second-welcome", `a Welcome from ${entry.sender} for a member already in the group`);
    }
    // A batched Add confirming its Welcome names the same batch (an honest DC's Add of a
    // batch is made with its Welcome); a list the DS changed is refused, not half-trusted.
    if (effect === "confirm-welcome" && entry.type === "add" && state.tentative && isBatched(entry)) {
      const said = targetsOf(state.tentative);
      const ts = targetsOf(entry);
      if (!sameList(said, ts)) {
        refuse("entry-mismatch", `a batched add of [${ts}] by ${entry.sender}, but the Welcome it confirms was for [${said}]`);
      }
    }
    // Arrivals, departures and skips (R16) the DS could not honestly hand it here (R2): replays, forgeries.
    const unexpected =
      entry.type === "joined" ? unexpectedArrival(this.lastArrival, entry.uid)
      : entry.type === "left" ? unexpectedLeave(state, entry.uid, this.variant, this.actor.getSnapshot().context.skipped ?? [])
      : entry.type === "skipped" && !SKIP_OF_UNEXPECTED_POSSIBLE.includes(this.variant) ? unexpectedSkip(state, this.lastArrival, entry.uid)
      : null;
    if (unexpected) refuse(unexpected.reason, unexpected.detail);
  }

  /**
   * A Welcome's MLS epoch, members and signer must be its entry's epoch, members and
   * sender, and its entry's `removes` the list the committer signed in the Welcome's
   * GroupInfo, in the same order (R7, spec/welcome-auth.md): a Welcome without a
   * signed list is refused ("unsigned-removes"), one whose entry states another list
   * too ("entry-mismatch").
   */
  private async checkWelcomeEntry(logIndex: number, entry: WelcomeEntry): Promise<void> {
    const { contents: said, join } = await mls.inspectWelcomeToJoin(this.ctx!, this.identity!, entry.welcome!);
    const signedRemoves = this.trustWelcomeRemoves ? entry.removes : said.removes;
    if (signedRemoves === null) {
      throw new MemberInputError(this.uid, logIndex, "unsigned-removes", `a Welcome from ${said.signer} whose GroupInfo carries no signed removes list (its entry says [${entry.removes}])`);
    }
    const misstated = [
      said.epoch !== entry.epoch && `its MLS epoch is ${said.epoch}, its log entry says ${entry.epoch}`,
      !sameUids(said.members, entry.members) && `its MLS members are ${said.members}, its log entry says ${entry.members}`,
      said.signer !== entry.sender && `it was signed by member ${said.signer}, its log entry names sender ${entry.sender}`,
      !sameList(signedRemoves, entry.removes) && `its committer signed the removes [${signedRemoves}], its log entry says [${entry.removes}]`,
    ].filter((x): x is string => typeof x === "string");
    if (misstated.length) throw new MemberInputError(this.uid, logIndex, "entry-mismatch", `a Welcome whose entry misstates it: ${misstated.join("; ")}`);
    this.trialJoin = { welcome: entry.welcome!, join };
  }

  /** The MLS work a read needs; its result is what the member machine adopts. */
  private async mlsForRead(
    state: MemberState,
    group: mls.MlsGroup | null,
    entry: LogEntry,
    effect: ReturnType<typeof readEffect>,
  ): Promise<mls.MlsGroup | undefined> {
    const ctx = this.ctx!;
    // A tentative Welcome is checked when read but kept as bytes: the joiner joins
    // from the one its Add confirms (R8), so its KeyPackage secret survives a
    // replaced Welcome, and a bad Welcome — or one whose entry misstates the epoch,
    // the members or the sender that its Add must match — is refused at its own log
    // index, not found out at the Add (or never, if the Add then fails to match it).
    // The Welcome the Add confirms was checked so when read: joining from it needs no
    // second look, and none is made: the trial join made when it was read is kept in
    // memory (trialJoin) and adopted if its bytes are the ones confirmed; a joiner
    // restored from storage, which has no trial join kept, joins from the bytes.
    if (entry.type === "joined") mls.checkKeyPackage(entry.keyPackage!, entry.uid);
    if ((effect === "hold-welcome" || effect === "enter-at-welcome") && entry.type === "welcome") {
      await this.checkWelcomeEntry(state.cursor, entry);
      if (effect === "hold-welcome") return undefined;
    }
    const welcome = effect === "enter-at-welcome" ? entry : effect === "confirm-welcome" ? state.tentative : null;
    if (welcome) {
      if (welcome.type !== "welcome" || !welcome.welcome) throw new Error("a welcome entry without MLS Welcome bytes");
      const trial = this.trialJoin;
      this.trialJoin = null;
      if (trial !== null && mls.equalBytes(trial.welcome, welcome.welcome)) return trial.join();
      return mls.joinFromWelcome(ctx, this.identity!, welcome.welcome);
    }
    if (effect === "apply-commit") {
      if (entry.type !== "add" && entry.type !== "remove") throw new Error("not a commit");
      if (!entry.commit) throw new Error("a commit entry without MLS Commit bytes");
      if (!group) throw new Error(`member ${this.uid} has no MLS group`);
      // MLS checks, before applying it, that the Commit comes from the sender its entry
      // names and makes the change its entry says (so a rejection leaves the group usable).
      const next = await mls.processCommit(ctx, group, entry.commit, {
        allowedSender: entry.sender,
        expect: isBatched(entry) ? { type: entry.type, uids: targetsOf(entry) } : { type: entry.type, uid: entry.target },
      });
      if (mls.epochOf(next) !== state.epoch + 1) {
        throw new Error(`the Commit moved MLS to epoch ${mls.epochOf(next)}, expected ${state.epoch + 1}`);
      }
      return next;
    }
    return undefined;
  }

  /** Sends an event the member must accept; a refusal means the step was not enabled. */
  private send(event: MemberEvent): void {
    if (!this.canStep(event)) throw new StepNotEnabled(`member ${this.uid} cannot take ${event.type} now`);
    this.actor.send(event);
  }

  /** Sends an event the member has already accepted; a machine that stopped is a bug, said loudly. */
  private deliverEvent(event: MemberEvent): void {
    this.actor.send(event);
    const snap = this.actor.getSnapshot();
    if (snap.status === "error") throw new Error(`member ${this.uid}'s state machine failed on ${event.type}: ${String(snap.error)}`);
  }

  // --- application messages (not model steps: st[u] does not change) ----------

  /** Encrypts an application message in the member's current epoch. */
  async encrypt(plaintext: Uint8Array): Promise<{ epoch: number; message: Uint8Array }> {
    const group = this.group;
    if (!this.ctx || !group || !this.state.welcomed) throw new StepNotEnabled(`member ${this.uid} is not in the group`);
    const made = await mls.encrypt(this.ctx, group, plaintext);
    this.deliverEvent({ type: "APP_MESSAGE", group: made.group });
    return { epoch: mls.epochOf(made.group), message: made.message };
  }

  /** Decrypts an application message of the member's current epoch (MlsInputError if it cannot). */
  async decrypt(message: Uint8Array): Promise<{ sender: Uid; plaintext: Uint8Array }> {
    const group = this.group;
    if (!this.ctx || !group) throw new StepNotEnabled(`member ${this.uid} is not in the group`);
    const opened = await mls.decrypt(this.ctx, group, message);
    this.deliverEvent({ type: "APP_MESSAGE", group: opened.group });
    return { sender: opened.senderUid, plaintext: opened.plaintext };
  }

  // --- the DC's steps: each takes the step and returns the entry to append -----

  private dcGroup(): mls.MlsGroup {
    const group = this.group;
    if (!group) throw new StepNotEnabled(`member ${this.uid} has no MLS group to commit from`);
    return group;
  }

  private dcState(): MemberState {
    this.assertActive();
    return this.state;
  }

  private head(queue: readonly Uid[], what: string): Uid {
    const first = queue[0];
    if (first === undefined) throw new StepNotEnabled(`member ${this.uid} has nobody to ${what}`);
    return first;
  }

  /**
   * The MLS half of a DC step, done only when MLS is on and the member would take
   * the step (so no Commit is made for a step that is then refused).
   */
  private async mlsWork<T>(event: MemberEvent, work: (ctx: mls.MlsContext, group: mls.MlsGroup) => Promise<T>): Promise<T | undefined> {
    if (!this.ctx || !this.canStep(event)) return undefined;
    return work(this.ctx, this.dcGroup());
  }

  /**
   * @spec DCA!DcWelcome DCA_Batch!BDcWelcome R10 R11 R12 — the Welcome (step 1 of an add); `target`
   * defaults to the earliest joiner. Batched: one Welcome for every pending joiner (`target`,
   * if given, must be the first of them).
   */
  async dcWelcome(target?: Uid): Promise<WelcomeEntry> {
    const state = this.dcState();
    if (this.batched) return this.dcWelcomeBatch(state, target);
    const entry = welcomeEntry(state, target ?? this.head(state.pendingAdds, "welcome"), state.epoch + 1);
    return this.sendWelcome(entry, (ctx, group) => mls.commitAdd(ctx, group, this.keyPackageOf(entry.target), { removes: entry.removes }));
  }

  /**
   * Step 1 of an add, for one joiner or a batch: `commit` makes the Commit and its Welcome,
   * with the removes the entry states signed inside (R7, spec/welcome-auth.md). Making the
   * Commit retires the DC's handle of its epoch, so it first keeps that state encoded, in
   * case a joiner leaves before the Add and is skipped (R16): the DC then stays in this epoch
   * (impl/mls.ts: an independent copy is decodeGroup of encodeGroup). The Commit made from
   * the original is never sent then, so the next Commit, made from the copy, reuses no
   * handshake key anybody saw.
   */
  private async sendWelcome(
    entry: WelcomeEntry,
    commit: (ctx: mls.MlsContext, group: mls.MlsGroup) => Promise<{ welcome: Uint8Array; commit: Uint8Array; group: mls.MlsGroup }>,
  ): Promise<WelcomeEntry> {
    const event = { type: "DC_WELCOME", entry } as const;
    const made = await this.mlsWork(event, async (ctx, group) => {
      const kept = mls.encodeGroup(group);
      return { kept, ...(await commit(ctx, group)) };
    });
    if (made) {
      entry.welcome = made.welcome;
      this.pendingCommit = made.commit;
      this.keptGroup = made.kept;
    }
    this.send({ ...event, pendingGroup: made?.group });
    return entry;
  }

  /** @spec DCA_Batch!BDcWelcome — one MLS Welcome and one Commit adding every pending joiner (commitAddMany). */
  private async dcWelcomeBatch(state: MemberState, target?: Uid): Promise<WelcomeEntry> {
    const entry = bWelcomeEntry(state);
    if (target !== undefined && target !== entry.target) throw new StepNotEnabled(`member ${this.uid}: a batched Welcome is for [${targetsOf(entry)}], not from ${target}`);
    return this.sendWelcome(entry, (ctx, group) =>
      mls.commitAddMany(ctx, group, targetsOf(entry).map((t) => this.keyPackageOf(t)), { removes: entry.removes }),
    );
  }

  /** @spec DCA!DcAdd DCA_Batch!BDcAdd R10 R12 — the Add (step 2), a separate append; batched, of the whole batch. */
  dcAdd(): CommitEntry {
    const state = this.dcState();
    const entry = this.batched ? bCommitEntry(state, "add", addingBatch(state)) : commitEntry(state, "add", state.adding);
    if (this.pendingCommit) entry.commit = this.pendingCommit;
    this.send({ type: "DC_ADD", entry });
    this.pendingCommit = null;
    this.keptGroup = null;
    return entry;
  }

  /** @spec DCA!DcRemove DCA_Batch!BDcRemove R13 — batched: every pending remove in one Commit (commitRemoveMany). */
  async dcRemove(): Promise<CommitEntry> {
    const state = this.dcState();
    this.head(state.pendingRemoves, "remove");
    const entry = this.batched ? bCommitEntry(state, "remove", state.pendingRemoves) : commitEntry(state, "remove", state.pendingRemoves[0]!);
    const event = { type: "DC_REMOVE", entry } as const;
    const made = await this.mlsWork(event, (ctx, group) =>
      this.batched ? mls.commitRemoveMany(ctx, group, targetsOf(entry)) : mls.commitRemove(ctx, group, entry.target),
    );
    if (made) entry.commit = made.commit;
    this.send({ ...event, group: made?.group });
    return entry;
  }

  /**
   * @spec DCA!DcSkip DCA_Batch!BDcSkip R16 — the DC skips the joiner it would add next (the one it
   * is adding, or the head of its joiners; batched: the lowest UID that left among the batch
   * under way, else among the pending joiners) because that joiner has left: no Welcome, Add or Remove for it.
   * Mid-add (its Welcome sent, its Add not) the prepared Commit is discarded and the DC stays
   * in its epoch; the Welcome sent is for an epoch nobody reaches.
   */
  dcSkip(): SkippedEntry {
    const state = this.dcState();
    const t = skipTarget(state, this.variant, this.batched, this.unusable);
    if (t === NO_UID) throw new StepNotEnabled(`member ${this.uid} has no joiner to skip (none that left, none whose \`joined\` it refused)`);
    const entry = skippedEntry(state, t);
    const event = { type: "DC_SKIP", entry } as const;
    // Mid-add with MLS: back to the epoch's state kept before the Commit was made.
    const kept = state.adding !== NO_UID && this.ctx && this.keptGroup && this.canStep(event) ? mls.decodeGroup(this.ctx, this.keptGroup) : undefined;
    this.send(kept ? { ...event, group: kept } : event);
    this.pendingCommit = null;
    this.keptGroup = null;
    return entry;
  }

  /** @spec DCA!DcAddFirst — known-bad 2: the Add before its Welcome. */
  async dcAddFirst(): Promise<CommitEntry> {
    const state = this.dcState();
    const entry = commitEntry(state, "add", this.head(state.pendingAdds, "add"));
    const event = { type: "DC_ADD_FIRST", entry } as const;
    // Known-bad 2 signs the removes it has when it commits; its late Welcome's entry states those it has then.
    const made = await this.mlsWork(event, (ctx, group) => mls.commitAdd(ctx, group, this.keyPackageOf(entry.target), { removes: state.pendingRemoves }));
    if (made) {
      entry.commit = made.commit;
      this.owedWelcome = made.welcome;
    }
    this.send({ ...event, group: made?.group });
    return entry;
  }

  /** @spec DCA!DcLateWelcome — known-bad 2: the Welcome after its Add. */
  dcLateWelcome(): WelcomeEntry {
    const state = this.dcState();
    const entry = welcomeEntry(state, state.adding, state.epoch);
    if (this.owedWelcome) entry.welcome = this.owedWelcome;
    this.send({ type: "DC_LATE_WELCOME", entry });
    this.owedWelcome = null;
    return entry;
  }

  /**
   * @spec DCA!Revive R15 — the group is dead (every member ranked before this user has left,
   * and it has read all `logLength` entries of the log it can see): it creates a new MLS group,
   * with a group id of its own, as its only member, and is its DC. Nothing goes on the log.
   */
  async revive(logLength: number): Promise<void> {
    this.assertActive();
    const event = { type: "REVIVE", logLength } as const;
    if (!this.canStep(event)) throw new StepNotEnabled(`member ${this.uid} cannot revive the room now`);
    const group = this.ctx ? await mls.createGroup(this.ctx, this.identity!, `${this.groupIdBase}/revived-by-${this.uid}`) : undefined;
    this.send(group ? { ...event, group } : event);
  }

  /** Takes the DC step `action` (the one nextDcStep named) and returns the entry to append (none for Revive). */
  async takeDcStep(action: Exclude<DcAction, "Revive">, target?: Uid): Promise<LogEntry> {
    switch (action) {
      case "DcWelcome":
        return this.dcWelcome(target);
      case "DcAdd":
        return this.dcAdd();
      case "DcRemove":
        return this.dcRemove();
      case "DcSkip":
        return this.dcSkip();
      case "DcAddFirst":
        return this.dcAddFirst();
      case "DcLateWelcome":
        return this.dcLateWelcome();
    }
  }
}
