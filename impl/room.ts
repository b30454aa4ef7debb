// A room: the delivery service's log and one member machine per user, stepped
// one model action at a time. Every choice the model leaves open — who arrives,
// who leaves, who reads next, when the DC acts and whom it welcomes — is an
// explicit call, so a trace from the model dictates the interleaving exactly.
// All MLS work happens here, before the member machine gets its event.

import { createActor, type Actor } from "xstate";
import * as mls from "./mls.ts";
import { memberMachine, type MemberEvent } from "./member.ts";
import { commitEntry, readEffect, unexpectedArrival, unexpectedLeave, welcomeEntry } from "./rules.ts";
import { NO_UID, type CommitEntry, type LogEntry, type MemberState, type Uid, type Variant, type WelcomeEntry } from "./types.ts";

export interface RoomOptions {
  /** Known-bad switches exist for tests only (spec/dca.md section 7). */
  variant?: Variant;
  /** Real MLS underneath (default) or the algorithm alone (for benchmarks). */
  mls?: boolean;
}

/** A step the member's current state does not allow (the model would not take it either). */
export class StepNotEnabled extends Error {
  override readonly name = "StepNotEnabled";
}

/** A log entry a member refused: it names the member, the log index and why. */
export class MemberInputError extends Error {
  override readonly name = "MemberInputError";
  constructor(
    readonly member: Uid,
    readonly logIndex: number,
    readonly reason: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`member ${member}, log entry ${logIndex}: ${reason}: ${detail}`, options);
  }
}

/** A member's client storage (see Room.save). */
export interface SavedMember {
  snapshot: { context: { mls: unknown } } & Record<string, unknown>;
  group: Uint8Array | null;
  pendingGroup: Uint8Array | null;
  pendingCommit: Uint8Array | null;
}

export type ReadOutcome =
  | { kind: "read"; logIndex: number; effect: ReturnType<typeof readEffect> }
  /** The entry was refused; the member moved past it and nothing else changed. */
  | { kind: "rejected"; logIndex: number; error: MemberInputError };

type MemberActor = Actor<typeof memberMachine>;

export class Room {
  /** The delivery service's log, from its start (entries are never dropped here). */
  readonly log: LogEntry[] = [];
  nextUid = 2;
  private readonly actors = new Map<Uid, MemberActor>();
  /** Each user's MLS identity (KeyPackage and its secret), kept by that user's client. */
  private readonly identities = new Map<Uid, mls.Member>();
  /** Clients that crashed and have not restarted: they take no step. */
  private readonly crashed = new Set<Uid>();
  /** A DC between Welcome and Add keeps the Commit bytes it will append. */
  private readonly pendingCommits = new Map<Uid, Uint8Array>();
  /** Known-bad 2: the Welcome owed after an early Add. */
  private readonly owedWelcomes = new Map<Uid, Uint8Array>();

  private constructor(
    readonly variant: Variant,
    readonly ctx: mls.MlsContext | null,
  ) {}

  /** @spec DCA!Init R1 — user 1 creates the group at epoch 0. */
  static async create(opts: RoomOptions = {}): Promise<Room> {
    const ctx = opts.mls === false ? null : await mls.initMls();
    const room = new Room(opts.variant ?? "Correct", ctx);
    let group: mls.MlsGroup | undefined;
    if (ctx) {
      const creator = await mls.newMember(ctx, 1);
      room.identities.set(1, creator);
      group = await mls.createGroup(ctx, creator, "dca-room");
    }
    room.start(1, 0, group);
    return room;
  }

  private start(uid: Uid, cursor: number, group?: mls.MlsGroup): void {
    const actor = createActor(memberMachine, { input: { uid, variant: this.variant, cursor, group } });
    actor.start();
    this.actors.set(uid, actor);
  }

  // --- views ---------------------------------------------------------------

  /** UIDs that have arrived (active or gone), in order. */
  uids(): Uid[] {
    return [...this.actors.keys()].sort((a, b) => a - b);
  }

  state(uid: Uid): MemberState {
    return this.actor(uid).getSnapshot().context.state;
  }

  /** The member's MLS group of its current epoch, if MLS is on and it is a member. */
  group(uid: Uid): mls.MlsGroup | null {
    return this.actor(uid).getSnapshot().context.mls.group as mls.MlsGroup | null;
  }

  private actor(uid: Uid): MemberActor {
    const actor = this.actors.get(uid);
    if (!actor) throw new StepNotEnabled(`user ${uid} has not arrived`);
    return actor;
  }

  private active(uid: Uid): MemberActor {
    if (this.crashed.has(uid)) throw new StepNotEnabled(`member ${uid} has crashed`);
    const actor = this.actor(uid);
    if (actor.getSnapshot().context.state.status !== "active") throw new StepNotEnabled(`user ${uid} has left`);
    return actor;
  }

  /** Sends an event the member must accept; a refusal means the step was not enabled. */
  private send(uid: Uid, event: MemberEvent): void {
    if (!this.canStep(uid, event)) throw new StepNotEnabled(`member ${uid} cannot take ${event.type} now`);
    this.active(uid).send(event);
  }

  /**
   * The DC steps the members would accept now, as "Action(u)" or "Action(u → target)"
   * — the same form as the model's enabled steps, for comparing the two.
   */
  enabledDcSteps(): string[] {
    const steps: string[] = [];
    for (const uid of this.uids()) {
      const s = this.state(uid);
      if (s.status !== "active") continue;
      for (const t of s.pendingAdds) {
        if (this.canStep(uid, { type: "DC_WELCOME", entry: welcomeEntry(s, t, s.epoch + 1) })) steps.push(`DcWelcome(${uid} → ${t})`);
      }
      if (this.canStep(uid, { type: "DC_ADD", entry: commitEntry(s, "add", s.adding) })) steps.push(`DcAdd(${uid} → ${s.adding})`);
      const head = s.pendingRemoves[0];
      if (head !== undefined && this.canStep(uid, { type: "DC_REMOVE", entry: commitEntry(s, "remove", head) })) {
        steps.push(`DcRemove(${uid} → ${head})`);
      }
      const first = s.pendingAdds[0];
      if (first !== undefined && this.canStep(uid, { type: "DC_ADD_FIRST", entry: commitEntry(s, "add", first) })) {
        steps.push(`DcAddFirst(${uid} → ${first})`);
      }
      if (this.canStep(uid, { type: "DC_LATE_WELCOME", entry: welcomeEntry(s, s.adding, s.epoch) })) {
        steps.push(`DcLateWelcome(${uid} → ${s.adding})`);
      }
    }
    return steps.sort();
  }

  // --- crash and restart ------------------------------------------------------

  /**
   * What a member's client keeps in storage: its machine's snapshot with the MLS
   * states encoded by ts-mls's own encoding (they hold private keys), and the
   * Commit a DC between Welcome and Add still has to append.
   */
  save(uid: Uid): SavedMember {
    const snap = this.actor(uid).getPersistedSnapshot() as unknown as { context: { mls: Record<string, unknown> } };
    const { mls: memberMls } = this.actor(uid).getSnapshot().context;
    // A DC between Welcome and Add has only its next state: making the Commit retired
    // the old handle, which is nothing to save (the DC adopts the next state with its Add).
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
      pendingCommit: this.pendingCommits.get(uid) ?? null,
    };
  }

  /** The client stops (a crash): it takes no step until restarted; the DS has not noticed. */
  crash(uid: Uid): SavedMember {
    const saved = this.save(uid);
    this.actor(uid).stop();
    this.crashed.add(uid);
    this.pendingCommits.delete(uid);
    return saved;
  }

  /** The client restarts from what it saved and goes on from its cursor (it may be far behind). */
  restart(uid: Uid, saved: SavedMember): void {
    if (!this.crashed.has(uid)) throw new StepNotEnabled(`member ${uid} is running`);
    const decode = (b: Uint8Array | null) => (b && this.ctx ? mls.decodeGroup(this.ctx, b) : null);
    const snapshot = {
      ...saved.snapshot,
      context: { ...saved.snapshot.context, mls: { group: decode(saved.group), pendingGroup: decode(saved.pendingGroup) } },
    };
    const actor = createActor(memberMachine, { snapshot: snapshot as never, input: { uid, variant: this.variant, cursor: 0 } });
    actor.start();
    this.actors.set(uid, actor);
    this.crashed.delete(uid);
    if (saved.pendingCommit) this.pendingCommits.set(uid, saved.pendingCommit);
  }

  // --- the delivery service's steps ---------------------------------------

  /** @spec DCA!Join R2 — the next user arrives; its KeyPackage rides in the `joined` entry. */
  async join(): Promise<Uid> {
    const uid = this.nextUid;
    let keyPackage: Uint8Array | undefined;
    if (this.ctx) {
      const identity = await mls.newMember(this.ctx, uid);
      this.identities.set(uid, identity);
      keyPackage = identity.keyPackage;
    }
    this.log.push(keyPackage ? { type: "joined", uid, keyPackage } : { type: "joined", uid });
    this.nextUid++;
    this.start(uid, this.log.length);
    return uid;
  }

  /** @spec DCA!Leave R2 R5 — the user leaves, or crashed and the DS announces it. */
  leave(uid: Uid): void {
    if (this.crashed.has(uid)) {
      // The DS announces a crashed client; it will never restart as this member.
      this.crashed.delete(uid);
      this.start(uid, 0);
    }
    this.active(uid);
    this.log.push({ type: "left", uid });
    this.send(uid, { type: "LEAVE" });
    this.pendingCommits.delete(uid);
    this.owedWelcomes.delete(uid);
  }

  /**
   * Appends any entry, as a faulty or malicious delivery service could (damaged
   * bytes, replays, forged metadata). Used by the bad-input tests.
   */
  deliver(entry: LogEntry): number {
    this.log.push(entry);
    return this.log.length - 1;
  }

  // --- a member reads -------------------------------------------------------

  /** @spec DCA!Read — the member reads its next log entry. */
  async read(uid: Uid): Promise<ReadOutcome> {
    const actor = this.active(uid);
    const { state, mls: memberMls } = actor.getSnapshot().context;
    const logIndex = state.cursor;
    if (logIndex >= this.log.length) throw new StepNotEnabled(`member ${uid} has read the whole log`);
    const entry = this.log[logIndex]!;
    let effect: ReturnType<typeof readEffect>;
    let group: mls.MlsGroup | undefined;
    try {
      checkEntry(entry, this.ctx !== null);
      effect = readEffect(state, entry, this.variant);
      this.checkAgainstState(uid, state, entry, effect);
      if (this.ctx) group = await this.mlsForRead(uid, state, memberMls.group as mls.MlsGroup | null, entry, effect);
    } catch (e) {
      const error =
        e instanceof MemberInputError
          ? e
          : e instanceof MalformedEntry
            ? new MemberInputError(uid, logIndex, e.reason, e.message)
            : new MemberInputError(uid, logIndex, e instanceof mls.MlsInputError ? e.reason : "invalid-entry", e instanceof Error ? e.message : String(e), { cause: e });
      // Refused: the member moves past the entry and nothing else changes (R9).
      this.deliverEvent(uid, { type: "REFUSE" });
      return { kind: "rejected", logIndex, error };
    }
    this.deliverEvent(uid, group ? { type: "READ", entry, group } : { type: "READ", entry });
    return { kind: "read", logIndex, effect };
  }

  /** Entries that are well-formed but make no sense for this member are refused (R9). */
  private checkAgainstState(uid: Uid, state: MemberState, entry: LogEntry, effect: ReturnType<typeof readEffect>): void {
    const refuse = (reason: string, detail: string) => {
      throw new MemberInputError(uid, state.cursor, reason, detail);
    };
    if (effect === "reject-commit") {
      const c = entry as CommitEntry;
      refuse("wrong-epoch", `a ${c.type} made in epoch ${c.epoch} (after ${c.parent}'s Commit) by ${c.sender}, but the member is in epoch ${state.epoch} (after ${state.by}'s Commit)`);
    }
    if (effect === "ignore-welcome" && entry.type === "welcome" && entry.target === uid) {
      refuse("second-welcome", `a Welcome from ${entry.sender} for a member already in the group`);
    }
    // Arrivals and departures the DS could not honestly announce here (R2): replays, forgeries.
    const unexpected =
      entry.type === "joined" ? unexpectedArrival(this.lastArrival(uid), entry.uid)
      : entry.type === "left" ? unexpectedLeave(state, entry.uid, this.variant)
      : null;
    if (unexpected) refuse(unexpected.reason, unexpected.detail);
  }

  /** The highest UID the member has heard of (its own, or its last `joined` read). */
  lastArrival(uid: Uid): Uid {
    return this.actor(uid).getSnapshot().context.lastArrival;
  }

  /** Sends an event the member has already accepted; a machine that stopped is a bug, said loudly. */
  private deliverEvent(uid: Uid, event: MemberEvent): void {
    const actor = this.actor(uid);
    actor.send(event);
    const snap = actor.getSnapshot();
    if (snap.status === "error") throw new Error(`member ${uid}'s state machine failed on ${event.type}: ${String(snap.error)}`);
  }

  // --- the DC's steps ------------------------------------------------------

  private keyPackageOf(target: Uid): Uint8Array {
    const joined = this.log.find((e) => e.type === "joined" && e.uid === target);
    if (!joined || joined.type !== "joined" || !joined.keyPackage) throw new Error(`no KeyPackage for user ${target}`);
    return joined.keyPackage;
  }

  private dcGroup(uid: Uid): mls.MlsGroup {
    const group = this.group(uid);
    if (!group) throw new StepNotEnabled(`member ${uid} has no MLS group to commit from`);
    return group;
  }

  /** @spec DCA!DcWelcome R10 R11 R12 — the Welcome (step 1 of an add); `target` defaults to the earliest joiner. */
  async dcWelcome(uid: Uid, target?: Uid): Promise<void> {
    const state = this.dcState(uid);
    const entry = welcomeEntry(state, target ?? this.head(uid, state.pendingAdds, "welcome"), state.epoch + 1);
    const event = { type: "DC_WELCOME", entry } as const;
    const made = await this.mlsWork(uid, event, (ctx, group) => mls.commitAdd(ctx, group, this.keyPackageOf(entry.target)));
    if (made) {
      entry.welcome = made.welcome;
      this.pendingCommits.set(uid, made.commit);
    }
    this.append(uid, { ...event, pendingGroup: made?.group }, entry);
  }

  /** @spec DCA!DcAdd R10 R12 — the Add (step 2), a separate append. */
  dcAdd(uid: Uid): void {
    const state = this.dcState(uid);
    const entry = commitEntry(state, "add", state.adding);
    const commit = this.pendingCommits.get(uid);
    if (commit) entry.commit = commit;
    this.append(uid, { type: "DC_ADD", entry }, entry);
    this.pendingCommits.delete(uid);
  }

  /** @spec DCA!DcRemove R13 */
  async dcRemove(uid: Uid): Promise<void> {
    const state = this.dcState(uid);
    const entry = commitEntry(state, "remove", this.head(uid, state.pendingRemoves, "remove"));
    const event = { type: "DC_REMOVE", entry } as const;
    const made = await this.mlsWork(uid, event, (ctx, group) => mls.commitRemove(ctx, group, entry.target));
    if (made) entry.commit = made.commit;
    this.append(uid, { ...event, group: made?.group }, entry);
  }

  /** @spec DCA!DcAddFirst — known-bad 2: the Add before its Welcome. */
  async dcAddFirst(uid: Uid): Promise<void> {
    const state = this.dcState(uid);
    const entry = commitEntry(state, "add", this.head(uid, state.pendingAdds, "add"));
    const event = { type: "DC_ADD_FIRST", entry } as const;
    const made = await this.mlsWork(uid, event, (ctx, group) => mls.commitAdd(ctx, group, this.keyPackageOf(entry.target)));
    if (made) {
      entry.commit = made.commit;
      this.owedWelcomes.set(uid, made.welcome);
    }
    this.append(uid, { ...event, group: made?.group }, entry);
  }

  private dcState(uid: Uid): MemberState {
    return this.active(uid).getSnapshot().context.state;
  }

  private head(uid: Uid, queue: readonly Uid[], what: string): Uid {
    const first = queue[0];
    if (first === undefined) throw new StepNotEnabled(`member ${uid} has nobody to ${what}`);
    return first;
  }

  /**
   * The MLS half of a DC step, done only when MLS is on and the member would take
   * the step (so no Commit is made for a step that is then refused).
   */
  private async mlsWork<T>(uid: Uid, event: MemberEvent, work: (ctx: mls.MlsContext, group: mls.MlsGroup) => Promise<T>): Promise<T | undefined> {
    if (!this.ctx || !this.canStep(uid, event)) return undefined;
    return work(this.ctx, this.dcGroup(uid));
  }

  /** The DC takes its step, then its entry goes on the log. */
  private append(uid: Uid, event: MemberEvent, entry: LogEntry): void {
    this.send(uid, event);
    this.log.push(entry);
  }

  /** @spec DCA!DcLateWelcome — known-bad 2: the Welcome after its Add. */
  dcLateWelcome(uid: Uid): void {
    const state = this.dcState(uid);
    const entry = welcomeEntry(state, state.adding, state.epoch);
    const owed = this.owedWelcomes.get(uid);
    if (owed) entry.welcome = owed;
    this.append(uid, { type: "DC_LATE_WELCOME", entry }, entry);
    this.owedWelcomes.delete(uid);
  }

  /** Would the member accept this event now? (Checked before spending MLS work on it.) */
  private canStep(uid: Uid, event: MemberEvent): boolean {
    return this.active(uid).getSnapshot().can(event);
  }

  /** A Welcome's MLS epoch, members and signer must be its entry's epoch, members and sender. */
  private async checkWelcomeEntry(uid: Uid, logIndex: number, entry: WelcomeEntry): Promise<void> {
    const said = await mls.inspectWelcome(this.ctx!, this.identities.get(uid)!, entry.welcome!);
    const misstated = [
      said.epoch !== entry.epoch && `its MLS epoch is ${said.epoch}, its log entry says ${entry.epoch}`,
      !sameUids(said.members, entry.members) && `its MLS members are ${said.members}, its log entry says ${entry.members}`,
      said.signer !== entry.sender && `it was signed by member ${said.signer}, its log entry names sender ${entry.sender}`,
    ].filter((x): x is string => typeof x === "string");
    if (misstated.length) throw new MemberInputError(uid, logIndex, "entry-mismatch", `a Welcome whose entry misstates it: ${misstated.join("; ")}`);
  }

  /** The MLS work a read needs; its result is what the member machine adopts. */
  private async mlsForRead(
    uid: Uid,
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
    // second look. (The known-bad FirstWelcomeCounts joins at once, after the check:
    // a trial join and a real one, on a path only tests take.)
    if (entry.type === "joined") mls.checkKeyPackage(entry.keyPackage!, entry.uid);
    if ((effect === "hold-welcome" || effect === "enter-at-welcome") && entry.type === "welcome") {
      await this.checkWelcomeEntry(uid, state.cursor, entry);
      if (effect === "hold-welcome") return undefined;
    }
    const welcome = effect === "enter-at-welcome" ? entry : effect === "confirm-welcome" ? state.tentative : null;
    if (welcome) {
      if (welcome.type !== "welcome" || !welcome.welcome) throw new Error("a welcome entry without MLS Welcome bytes");
      return mls.joinFromWelcome(ctx, this.identities.get(uid)!, welcome.welcome);
    }
    if (effect === "apply-commit") {
      if (entry.type !== "add" && entry.type !== "remove") throw new Error("not a commit");
      if (!entry.commit) throw new Error("a commit entry without MLS Commit bytes");
      if (!group) throw new Error(`member ${uid} has no MLS group`);
      // MLS checks, before applying it, that the Commit comes from the sender its entry
      // names and makes the change its entry says (so a rejection leaves the group usable).
      const next = await mls.processCommit(ctx, group, entry.commit, {
        allowedSender: entry.sender,
        expect: { type: entry.type, uid: entry.target },
      });
      if (mls.epochOf(next) !== state.epoch + 1) {
        throw new Error(`the Commit moved MLS to epoch ${mls.epochOf(next)}, expected ${state.epoch + 1}`);
      }
      return next;
    }
    return undefined;
  }
}

class MalformedEntry extends Error {
  constructor(
    readonly reason: "unknown-entry" | "malformed-entry",
    message: string,
  ) {
    super(message);
  }
}

const isUid = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1;
const isUidList = (v: unknown): boolean => Array.isArray(v) && v.every(isUid);
const isEpoch = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;

/**
 * Entries come from the delivery service: anything but the five kinds, or with a
 * field missing or of the wrong type, is refused before any MLS work — so the
 * member machine only ever sees entries its rules are defined on.
 */
function checkEntry(entry: LogEntry, withMls: boolean): void {
  const e = entry as unknown as Record<string, unknown> | null;
  const type = e?.type;
  if (typeof type !== "string" || !["joined", "left", "welcome", "add", "remove"].includes(type)) {
    throw new MalformedEntry("unknown-entry", `unknown log entry type ${JSON.stringify(type)}`);
  }
  const bad = (field: string) => {
    throw new MalformedEntry("malformed-entry", `a ${type} entry with a missing or invalid ${field}`);
  };
  const bytes = (field: string) => withMls && !(e![field] instanceof Uint8Array) && bad(field);
  if (type === "joined" || type === "left") {
    if (!isUid(e!.uid)) bad("uid");
    if (type === "joined") bytes("keyPackage");
    return;
  }
  for (const field of ["target", "sender"]) if (!isUid(e![field])) bad(field);
  if (!isEpoch(e!.epoch)) bad("epoch");
  if (type === "welcome") {
    if (!isUidList(e!.members)) bad("members");
    if (!isUidList(e!.removes)) bad("removes");
    bytes("welcome");
  } else {
    if (!(e!.parent === NO_UID || isUid(e!.parent))) bad("parent");
    bytes("commit");
  }
}

const sameUids = (a: readonly Uid[], b: readonly Uid[]) =>
  a.length === b.length && [...a].sort((x, y) => x - y).every((x, i) => x === [...b].sort((p, q) => p - q)[i]);

export { commitEntry, welcomeEntry };
