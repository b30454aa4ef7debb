// A room: the delivery service's log and one member per user (a client core,
// impl/client/core.ts — the very code the network client runs), stepped one model
// action at a time. Every choice the model leaves open — who arrives, who leaves,
// who reads next, when the DC acts and whom it welcomes — is an explicit call, so
// a trace from the model dictates the interleaving exactly. The room only plays
// the delivery service (the log, UIDs) and the clients' crashes; all member work
// (MLS, the checks of an entry, the DC's steps, save/restore) is the core's.
// The DS may also announce a user that still runs (spec/zombie.md): it then
// fences it (R5), refusing every append of that user, unless a test turns the
// fence off to show what it prevents.

import * as mls from "./mls.ts";
import { MemberCore, type CoreOptions, type ReadOutcome, type RefusedByRoom, type SavedMember } from "./client/core.ts";
import { MemberInputError, StepNotEnabled } from "./client/errors.ts";
import { commitEntry, welcomeEntry, type BatchRank } from "./rules.ts";
import type { LogEntry, MemberState, Uid, Variant } from "./types.ts";

export { MemberInputError, StepNotEnabled, type ReadOutcome, type RefusedByRoom, type SavedMember };

export interface RoomOptions {
  /** Known-bad switches exist for tests only (spec/dca.md section 7). */
  variant?: Variant;
  /** Real MLS underneath (default) or the algorithm alone (for benchmarks). */
  mls?: boolean;
  /** The published rule, for tests only: joiners trust a Welcome entry's removes unchecked (CoreOptions). */
  trustWelcomeRemoves?: boolean;
  /**
   * The DS fences a user announced as left (R5; default true). False is the known-bad DS of
   * blind spot 2, for tests only: it appends a zombie's Welcomes and Commits (tla/Gap_Zombie.cfg).
   */
  fence?: boolean;
  /** The batched rules (tla/DCA_Batch.tla, spec/batching.md section 4) for every member; default false. */
  batch?: boolean;
  /** Known-bad tie-breaks of batch-mates (CoreOptions.batchRank), for tests only. */
  batchRank?: BatchRank;
  /** What refusing a `joined` does (CoreOptions.refusalRule): "Skip" (default, R16); "Silent" is known-bad, for tests only. */
  refusalRule?: "Skip" | "Silent";
}

/** The DS refused an append: its author was announced as left (R5). The log is unchanged. */
export class Fenced extends Error {
  override readonly name = "Fenced";
  constructor(
    readonly uid: Uid,
    readonly entry: LogEntry,
  ) {
    super(`the DS refused user ${uid}'s ${entry.type}: user ${uid} was announced as left (fenced); the client stops`);
  }
}

export class Room {
  /** The delivery service's log, from its start (entries are never dropped here). */
  readonly log: LogEntry[] = [];
  nextUid = 2;
  /**
   * Dead rooms revived (R15): who created a new group, and how long the log was then. A
   * revive appends nothing; the refinement mapping needs these to know the ground truth.
   */
  readonly revivals: { uid: Uid; logLength: number }[] = [];
  private readonly cores = new Map<Uid, MemberCore>();
  /** Clients that crashed and have not restarted: they take no step. */
  private readonly crashed = new Set<Uid>();
  private trustWelcomeRemoves = false;
  /**
   * Users whose `left` the DS appended while their clients still run and have not stopped
   * (DCA_Zombie!announced): zombies, until they stop.
   */
  readonly announced = new Set<Uid>();
  /** Every user whose `left` is on the log: the DS refuses their appends (R5), unless the fence is off. */
  private readonly leftOnLog = new Set<Uid>();
  private fence = true;
  private batch = false;
  private batchRank: BatchRank = "Uid";
  private refusalRule: "Skip" | "Silent" = "Skip";

  private constructor(
    readonly variant: Variant,
    readonly ctx: mls.MlsContext | null,
  ) {}

  /** @spec DCA!Init R1 — user 1 creates the group at epoch 0. */
  static async create(opts: RoomOptions = {}): Promise<Room> {
    const ctx = opts.mls === false ? null : await mls.initMls();
    const room = new Room(opts.variant ?? "Correct", ctx);
    room.trustWelcomeRemoves = opts.trustWelcomeRemoves ?? false;
    room.fence = opts.fence ?? true;
    room.batch = opts.batch ?? false;
    room.batchRank = opts.batchRank ?? "Uid";
    room.refusalRule = opts.refusalRule ?? "Skip";
    let group: mls.MlsGroup | undefined;
    let creator: mls.Member | undefined;
    if (ctx) {
      creator = await mls.newMember(ctx, 1);
      group = await mls.createGroup(ctx, creator, "dca-room");
    }
    room.cores.set(1, MemberCore.start(room.coreOptions(1, creator), 0, group));
    return room;
  }

  /** A user's client: it keeps its identity; the room lends it the log's KeyPackages. */
  private coreOptions(uid: Uid, identity: mls.Member | undefined): CoreOptions {
    return {
      uid,
      variant: this.variant,
      ctx: this.ctx,
      ...(identity ? { identity } : {}),
      keyPackageOf: (t) => this.keyPackageOf(t),
      ...(this.trustWelcomeRemoves ? { trustWelcomeRemoves: true } : {}),
      ...(this.batch ? { batch: true } : {}),
      ...(this.batchRank !== "Uid" ? { batchRank: this.batchRank } : {}),
      refusalRule: this.refusalRule,
    };
  }

  private keyPackageOf(target: Uid): Uint8Array {
    const joined = this.log.find((e) => e.type === "joined" && e.uid === target);
    if (!joined || joined.type !== "joined" || !joined.keyPackage) throw new Error(`no KeyPackage for user ${target}`);
    return joined.keyPackage;
  }

  // --- views ---------------------------------------------------------------

  /** Whether the room runs the batched rules (RoomOptions.batch): its recordings are of tla/DCA_Batch.tla's model. */
  get batched(): boolean {
    return this.batch;
  }

  /** UIDs that have arrived (active or gone), in order. */
  uids(): Uid[] {
    return [...this.cores.keys()].sort((a, b) => a - b);
  }

  state(uid: Uid): MemberState {
    return this.core(uid).state;
  }

  /** The member's MLS group of its current epoch, if MLS is on and it is a member. */
  group(uid: Uid): mls.MlsGroup | null {
    return this.core(uid).group;
  }

  /** The room refused this user (it read its own `skipped` before it was welcomed, R16), or null. */
  refusedByRoom(uid: Uid): RefusedByRoom | null {
    return this.core(uid).refusedByRoom;
  }

  /** The highest UID the member has heard of (its own, or its last `joined` read). */
  lastArrival(uid: Uid): Uid {
    return this.core(uid).lastArrival;
  }

  private core(uid: Uid): MemberCore {
    const core = this.cores.get(uid);
    if (!core) throw new StepNotEnabled(`user ${uid} has not arrived`);
    return core;
  }

  /** The core of a member whose client is running and who has not left. */
  private active(uid: Uid): MemberCore {
    if (this.crashed.has(uid)) throw new StepNotEnabled(`member ${uid} has crashed`);
    const core = this.core(uid);
    core.assertActive();
    return core;
  }

  /**
   * The DC steps the members would accept now, as "Action(u)" or "Action(u → target)"
   * — the same form as the model's enabled steps, for comparing the two.
   */
  enabledDcSteps(): string[] {
    const steps: string[] = [];
    for (const uid of this.uids()) {
      if (this.state(uid).status !== "active" || this.refusedByRoom(uid)) continue;
      steps.push(...this.active(uid).enabledDcSteps(this.log.length));
    }
    return steps.sort();
  }

  // --- crash and restart ------------------------------------------------------

  /** What a member's client keeps in storage (MemberCore.save). */
  save(uid: Uid): SavedMember {
    return this.core(uid).save();
  }

  /** The client stops (a crash): it takes no step until restarted; the DS has not noticed. */
  crash(uid: Uid): SavedMember {
    const saved = this.save(uid);
    this.core(uid).stop();
    this.crashed.add(uid);
    return saved;
  }

  /** The client restarts from what it saved and goes on from its cursor (it may be far behind). */
  restart(uid: Uid, saved: SavedMember): void {
    if (!this.crashed.has(uid)) throw new StepNotEnabled(`member ${uid} is running`);
    const old = this.core(uid);
    this.cores.set(uid, MemberCore.restore(this.coreOptions(uid, old.identity), saved, old.owed));
    this.crashed.delete(uid);
  }

  // --- the delivery service's steps ---------------------------------------

  /**
   * @spec DCA_Zombie!ZJoin — the users present: arrived and not announced as left (a crashed
   * client is present until then; a zombie, still running, is not).
   */
  present(): Uid[] {
    return this.uids().filter((u) => this.state(u).status === "active" && !this.leftOnLog.has(u) && !this.skippedOnLog(u));
  }

  /** @spec DCA_Refusals!RGoSilently R16 — a DC skipped this user: the DS neither counts it present nor announces its departure. */
  private skippedOnLog(uid: Uid): boolean {
    return this.log.some((e) => e.type === "skipped" && e.uid === uid);
  }

  /**
   * @spec DCA!Join R2 — the next user arrives; its KeyPackage rides in the `joined` entry, and
   * the DS tells it who is present (R15).
   */
  async join(): Promise<Uid> {
    const uid = this.nextUid;
    let identity: mls.Member | undefined;
    if (this.ctx) identity = await mls.newMember(this.ctx, uid);
    const present = this.present();
    this.log.push(identity ? { type: "joined", uid, keyPackage: identity.keyPackage } : { type: "joined", uid });
    this.nextUid++;
    this.cores.set(uid, MemberCore.start(this.coreOptions(uid, identity), this.log.length, undefined, present));
    return uid;
  }

  /** @spec DCA!Leave R2 R5 — the user leaves, or crashed and the DS announces it. */
  leave(uid: Uid): void {
    if (this.announced.has(uid)) throw new StepNotEnabled(`user ${uid} was announced as left already: it stops (stop), it does not leave again`);
    if (this.crashed.has(uid)) {
      // The DS announces a crashed client; it will never restart as this member.
      this.crashed.delete(uid);
      this.cores.set(uid, MemberCore.start(this.coreOptions(uid, this.core(uid).identity), 0));
    }
    // A user the room refused (R16) takes no step but this one, and the DS appends no `left` for it.
    const core = this.core(uid);
    if (!core.active) throw new StepNotEnabled(`user ${uid} has left`);
    if (!this.skippedOnLog(uid)) {
      this.log.push({ type: "left", uid });
      this.leftOnLog.add(uid);
    }
    core.leave();
  }

  /**
   * @spec DCA_Zombie!Announce R5 — the DS announces a user that still runs (a heartbeat
   * time-out): it appends `left` and fences the user, whose client goes on (a zombie) until it
   * reads its own `left` or is told it is fenced, and stops.
   */
  announce(uid: Uid): void {
    if (this.crashed.has(uid)) throw new StepNotEnabled(`member ${uid} has crashed: the DS announcing it is leave`);
    if (this.announced.has(uid)) throw new StepNotEnabled(`user ${uid} was announced as left already`);
    this.active(uid);
    this.log.push({ type: "left", uid });
    this.leftOnLog.add(uid);
    this.announced.add(uid);
  }

  /**
   * @spec DCA_Zombie!Stop R5 — an announced user's client stops: it reached its own `left`, or
   * was told it is fenced, or crashed. It keeps no MLS state; to come back it joins as a new user.
   */
  stop(uid: Uid): void {
    if (!this.announced.has(uid)) throw new StepNotEnabled(`user ${uid} was not announced as left: only a zombie stops (leave, crash)`);
    if (this.crashed.has(uid)) {
      // A zombie that crashed: it will never restart as this member.
      this.crashed.delete(uid);
      this.cores.set(uid, MemberCore.start(this.coreOptions(uid, this.core(uid).identity), 0));
    }
    this.core(uid).leave();
    this.announced.delete(uid);
  }

  /**
   * @spec DCA_Zombie!ZDc R5 — the DS appends a DC's entry, unless its author was announced as
   * left: then it refuses it (Fenced), and the client, told so, stops. With the fence off (the
   * known-bad DS) the zombie's entry goes on the log.
   */
  private append(uid: Uid, entry: LogEntry): void {
    if (this.fence && this.leftOnLog.has(uid)) {
      if (this.announced.has(uid)) this.stop(uid);
      throw new Fenced(uid, entry);
    }
    this.log.push(entry);
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
    const core = this.active(uid);
    const logIndex = core.state.cursor;
    if (logIndex >= this.log.length) throw new StepNotEnabled(`member ${uid} has read the whole log`);
    const entry = this.log[logIndex]!;
    // DCA_Zombie!ZRead: a zombie reads on to its own `left`, and there it stops (stop).
    if (this.announced.has(uid) && entry.type === "left" && entry.uid === uid) throw new StepNotEnabled(`user ${uid}'s next entry is its own left: it stops (stop)`);
    return core.read(entry);
  }

  // --- the DC's steps: the member takes the step, then its entry goes on the log ---

  /** @spec DCA!DcWelcome R10 R11 R12 — the Welcome (step 1 of an add); `target` defaults to the earliest joiner. */
  async dcWelcome(uid: Uid, target?: Uid): Promise<void> {
    this.append(uid, await this.active(uid).dcWelcome(target));
  }

  /** @spec DCA!DcAdd R10 R12 — the Add (step 2), a separate append. */
  dcAdd(uid: Uid): void {
    this.append(uid, this.active(uid).dcAdd());
  }

  /** @spec DCA!DcRemove R13 */
  async dcRemove(uid: Uid): Promise<void> {
    this.append(uid, await this.active(uid).dcRemove());
  }

  /** @spec DCA!DcSkip R16 — the DC skips a joiner that left before it was added (mid-add or not). */
  dcSkip(uid: Uid): void {
    this.log.push(this.active(uid).dcSkip());
  }

  /** @spec DCA!DcAddFirst — known-bad 2: the Add before its Welcome. */
  async dcAddFirst(uid: Uid): Promise<void> {
    this.append(uid, await this.active(uid).dcAddFirst());
  }

  /** @spec DCA!DcLateWelcome — known-bad 2: the Welcome after its Add. */
  dcLateWelcome(uid: Uid): void {
    this.append(uid, this.active(uid).dcLateWelcome());
  }

  /** @spec DCA!Revive R15 — a dead room revives: the member creates a new group and is its DC. */
  async revive(uid: Uid): Promise<void> {
    await this.active(uid).revive(this.log.length);
    this.revivals.push({ uid, logLength: this.log.length });
  }
}

export { commitEntry, welcomeEntry };
