// A room under the batched rules (spec/batching.md section 2, tla/DCA_Batch.tla), on real
// MLS: the delivery service's log with list-carrying entries, and one member per user
// running the candidate rule — the DC welcomes every pending joiner with one MLS Welcome
// and adds them with one Commit, removes every pending departure with one Commit, and
// joiners welcomed together rank by UID. With `batch: false` the same room runs today's
// rules (R10–R13: one joiner per Welcome and Add, the head of the pending removes per
// Remove), so a benchmark compares the two on the same code.
//
// Steppable one model action at a time, like impl/room.ts: `arrive`/`join`, `leave`,
// `read`, and the DC's steps `dcWelcome`, `dcAdd`, `dcRemove`, `revive` (each refused
// with StepNotEnabled where tla/DCA_Batch.tla's action is not enabled), so that a trace
// of the batched model (traces/batch/) dictates the interleaving exactly
// (conformance/replay/batch-replay.ts); `view(uid)` is a member's local state for the
// refinement mapping (conformance/model/batch-refinement.ts). `dcStep` and `round` take
// whatever step comes next (the storm benchmark).
//
// The reference for the batched rules: impl/client/core.ts runs the same rules with
// `batch: true` (impl/room.ts, the network client; spec/batching.md section 4), and both
// replay the batched traces. This room stays the benchmark's in-process baseline and the
// reference replay's room: it is small, steppable, and independent of the client's
// checks (no trial join, no save and restore).
//
// Scope: every member is honest; a crash is its `left` (as in the model); a dead room
// revives (R15); a joiner joins from its Welcome when the Add confirms it (R8) without the
// trial join that impl/client/core.ts makes on reading it (spec/welcome-auth.md); entries
// that contradict a member's state are refused with an error naming the member and index.
// `batchRank` other than "Uid" is a known-bad switch for tests only (tla/DCA_Batch.tla's
// BatchRank: "None", batch-mates do not rank each other; "All", every batch-mate ranks
// before one); so is `skip: false`, the rule before R16 (a joiner that left before it was
// added is welcomed, added and removed instead of skipped).

import * as mls from "./mls.ts";
import { safetyNumber } from "./safety-number.ts";

export type Uid = number;

/** Log entries. A batch is a list of targets in UID order (a single target is a list of one). */
export type BatchEntry =
  | { type: "joined"; uid: Uid; keyPackage: Uint8Array }
  | { type: "left"; uid: Uid }
  | { type: "skipped"; uid: Uid; sender: Uid }
  | { type: "welcome"; targets: Uid[]; epoch: number; sender: Uid; members: Uid[]; removes: Uid[]; welcome: Uint8Array }
  | { type: "add" | "remove"; targets: Uid[]; epoch: number; sender: Uid; parent: Uid; commit: Uint8Array };

type WelcomeEntry = Extract<BatchEntry, { type: "welcome" }>;
type CommitEntry = Extract<BatchEntry, { type: "add" | "remove" }>;

const NO_UID = 0;

/** One member's state: DCA's local view (tla/DCA.tla, Fresh) plus its MLS state. */
interface BatchMember {
  uid: Uid;
  active: boolean;
  cursor: number;
  welcomed: boolean;
  tentative: WelcomeEntry | null;
  epoch: number;
  by: Uid;
  members: Set<Uid>;
  ahead: Set<Uid>;
  pendingAdds: Uid[];
  pendingRemoves: Uid[];
  /** A DC between its Welcome and its Add: the batch and the Commit it made with the Welcome. */
  adding: { targets: Uid[]; commit: Uint8Array; next: mls.MlsGroup; before: Uint8Array } | null;
  keyPackages: Map<Uid, Uint8Array>;
  mlsMember: mls.Member;
  group: mls.MlsGroup | null;
}

export class BatchInputError extends Error {
  override readonly name = "BatchInputError";
}

/** A step tla/DCA_Batch.tla would not take in this state (the DC's steps, a read with nothing to read). */
export class BatchStepNotEnabled extends Error {
  override readonly name = "BatchStepNotEnabled";
}

/** tla/DCA_Batch.tla's BatchRank: the candidate rule ("Uid") or a known-bad tie-break (tests only). */
export type BatchRank = "Uid" | "None" | "All";

/** A member's local state as tla/DCA_Batch.tla has it (BFresh), for the refinement mapping. */
export interface BatchMemberView {
  uid: Uid;
  status: "active" | "gone";
  cursor: number;
  welcomed: boolean;
  tentative: WelcomeEntry | null;
  epoch: number;
  by: Uid;
  members: readonly Uid[];
  ahead: readonly Uid[];
  pendingAdds: readonly Uid[];
  pendingRemoves: readonly Uid[];
  /** The batch a DC adds between its Welcome and its Add, ascending (empty otherwise). */
  batch: readonly Uid[];
}

export interface BatchRoomOptions {
  /** The candidate rule (default) or today's one-target-per-Commit rules. */
  batch?: boolean;
  /** Called when a member's epoch changes or it enters the group (for convergence curves). */
  onEpoch?: (uid: Uid, epoch: number) => void;
  /** Known-bad tie-breaks for tests only (default "Uid", the candidate rule). */
  batchRank?: BatchRank;
  /** R16 (default true); false is the rule before it, for tests only: a departed joiner is welcomed, added and removed. */
  skip?: boolean;
}

export class BatchRoom {
  readonly log: BatchEntry[] = [];
  nextUid = 2;
  /** Dead rooms revived (R15): who made a new group, at which log length (a revive appends nothing). */
  readonly revivals: { uid: Uid; logLength: number }[] = [];
  /** Commits appended (adds and removes). */
  commits = 0;
  private readonly users = new Map<Uid, BatchMember>();
  readonly batch: boolean;
  readonly batchRank: BatchRank;
  readonly skip: boolean;

  private constructor(
    readonly ctx: mls.MlsContext,
    private readonly opts: BatchRoomOptions,
  ) {
    this.batch = opts.batch ?? true;
    this.batchRank = opts.batchRank ?? "Uid";
    this.skip = opts.skip ?? true;
  }

  /** R1: user 1 creates the group. */
  static async create(opts: BatchRoomOptions = {}): Promise<BatchRoom> {
    const ctx = await mls.initMls();
    const room = new BatchRoom(ctx, opts);
    const m = room.fresh(await mls.newMember(ctx, 1));
    m.welcomed = true;
    m.members = new Set([1]);
    m.cursor = 0;
    m.group = await mls.createGroup(ctx, m.mlsMember, "dca-batch-room");
    room.users.set(1, m);
    return room;
  }

  private fresh(mlsMember: mls.Member): BatchMember {
    return {
      uid: mlsMember.uid, active: true, cursor: 0, welcomed: false, tentative: null, epoch: 0, by: NO_UID,
      members: new Set(), ahead: new Set(), pendingAdds: [], pendingRemoves: [], adding: null,
      keyPackages: new Map(), mlsMember, group: null,
    };
  }

  /** A prospective member's MLS identity (made ahead of its arrival, so a storm times the protocol only). */
  async prepare(uid: Uid): Promise<mls.Member> {
    return mls.newMember(this.ctx, uid);
  }

  /** tla/DCA.tla, Join: the next user arrives with an identity made now (steppable form of prepare + join). */
  async arrive(): Promise<Uid> {
    return this.join(await this.prepare(this.nextUid));
  }

  /** R2: the DS admits the next user; it reads from after its own `joined`. */
  join(mlsMember: mls.Member): Uid {
    const uid = this.nextUid;
    if (mlsMember.uid !== uid) throw new BatchInputError(`join: the next UID is ${uid}, the identity is for ${mlsMember.uid}`);
    this.nextUid++;
    this.log.push({ type: "joined", uid, keyPackage: mlsMember.keyPackage });
    const m = this.fresh(mlsMember);
    m.cursor = this.log.length;
    m.ahead = new Set(this.active()); // the users present when it arrives rank before it (R2, R6)
    this.users.set(uid, m);
    return uid;
  }

  /** R2, R5: a user leaves (or crashed and is announced). */
  leave(uid: Uid): void {
    const m = this.users.get(uid);
    if (!m?.active) throw new BatchInputError(`leave: user ${uid} is not active`);
    m.active = false;
    this.log.push({ type: "left", uid });
  }

  active(): Uid[] {
    return [...this.users.values()].filter((m) => m.active).map((m) => m.uid).sort((a, b) => a - b);
  }

  /** UIDs that have arrived (active or gone), ascending. */
  uids(): Uid[] {
    return [...this.users.keys()].sort((a, b) => a - b);
  }

  /** A member's local state as the batched model has it (tla/DCA_Batch.tla, BFresh). */
  view(uid: Uid): BatchMemberView {
    const m = this.user(uid);
    const asc = (xs: Iterable<Uid>) => [...xs].sort((a, b) => a - b);
    return {
      uid, status: m.active ? "active" : "gone", cursor: m.cursor, welcomed: m.welcomed, tentative: m.tentative,
      epoch: m.epoch, by: m.by, members: asc(m.members), ahead: asc(m.ahead),
      pendingAdds: [...m.pendingAdds], pendingRemoves: [...m.pendingRemoves], batch: m.adding ? asc(m.adding.targets) : [],
    };
  }

  /** The member's MLS group of its current epoch, if it is a member. */
  group(uid: Uid): mls.MlsGroup | null {
    return this.user(uid).group;
  }

  private user(uid: Uid): BatchMember {
    const m = this.users.get(uid);
    if (m === undefined) throw new BatchInputError(`no user ${uid}`);
    return m;
  }

  /** Whether u believes it is the DC (R6). */
  believes(uid: Uid): boolean {
    const m = this.user(uid);
    return m.active && m.welcomed && m.ahead.size === 0;
  }

  /** u reads its next entry; false if it has read everything. */
  async read(uid: Uid): Promise<boolean> {
    const m = this.user(uid);
    if (!m.active || m.cursor >= this.log.length) return false;
    const index = m.cursor;
    const e = this.log[index]!;
    m.cursor++;
    const refuse = (why: string) => {
      throw new BatchInputError(`member ${uid}, log index ${index}: ${why}`);
    };
    switch (e.type) {
      case "joined":
        m.pendingAdds.push(e.uid);
        m.keyPackages.set(e.uid, e.keyPackage);
        return true;
      case "left":
        m.pendingRemoves.push(e.uid);
        m.ahead.delete(e.uid);
        return true;
      case "skipped": // R16: the DC skipped a joiner that left before it was added
        m.pendingAdds = m.pendingAdds.filter((v) => v !== e.uid);
        m.pendingRemoves = m.pendingRemoves.filter((v) => v !== e.uid);
        return true;
      case "welcome":
        if (e.targets.includes(uid) && !m.welcomed) m.tentative = e; // a later one replaces it (R8)
        return true;
      default:
        await this.onCommit(m, e, refuse);
        return true;
    }
  }

  private async onCommit(m: BatchMember, e: CommitEntry, refuse: (why: string) => never): Promise<void> {
    if (!m.welcomed) {
      const w = m.tentative;
      const confirms = e.type === "add" && e.targets.includes(m.uid) && w !== null && e.sender === w.sender && e.epoch + 1 === w.epoch;
      if (confirms) await this.enter(m, w, refuse);
      return; // Commits before one's Welcome are skipped (R9)
    }
    if (e.sender === m.uid) return; // its own, applied when sent
    if (e.epoch !== m.epoch || e.parent !== m.by) return; // MLS would reject it (R9)
    m.group = await mls.processCommit(this.ctx, m.group!, e.commit, { allowedSender: e.sender, expect: { type: e.type, uids: e.targets } });
    this.apply(m, e);
  }

  /** R7 batched: enter from the confirmed Welcome; batch-mates with a smaller UID rank before one. */
  private async enter(m: BatchMember, w: WelcomeEntry, refuse: (why: string) => never): Promise<void> {
    const group = await mls.joinFromWelcome(this.ctx, m.mlsMember, w.welcome);
    if (mls.epochOf(group) !== w.epoch) refuse(`its Welcome's MLS epoch is ${mls.epochOf(group)}, the entry says ${w.epoch}`);
    // R7: the Welcome's removes, then one's own; less those of users older than every
    // member of the Welcome (users of a dead group, R15: never members of this one).
    const lowest = Math.min(...w.members);
    const removes = [...w.removes, ...m.pendingRemoves.filter((v) => !w.removes.includes(v))].filter((v) => v >= lowest);
    const members = new Set(w.members);
    m.group = group;
    m.welcomed = true;
    m.tentative = null;
    m.epoch = w.epoch;
    m.by = w.sender;
    m.members = members;
    m.pendingAdds = m.pendingAdds.filter((v) => !members.has(v));
    m.pendingRemoves = removes;
    // Batch-mates rank by UID: those with a larger one do not rank before it (the known-bad
    // "None" ranks none of them before it, "All" every one).
    const after = (v: Uid) => w.targets.includes(v) && (this.batchRank === "None" || (this.batchRank === "Uid" && v > m.uid));
    m.ahead = new Set(w.members.filter((v) => v !== m.uid && !removes.includes(v) && !after(v)));
    this.opts.onEpoch?.(m.uid, m.epoch);
  }

  /** R9 batched: a Commit of one's epoch moves one epoch on; its targets leave the pending list. */
  private apply(m: BatchMember, e: CommitEntry): void {
    m.epoch = e.epoch + 1;
    m.by = e.sender;
    for (const t of e.targets) {
      if (e.type === "add") m.members.add(t);
      else m.members.delete(t);
    }
    if (e.type === "add") m.pendingAdds = m.pendingAdds.filter((v) => !e.targets.includes(v));
    else m.pendingRemoves = m.pendingRemoves.filter((v) => !e.targets.includes(v));
    this.opts.onEpoch?.(m.uid, m.epoch);
  }

  /** tla/DCA_Batch.tla, BDcAdd: step 2: the Add Commit of the whole batch (the one prepared with the Welcome). */
  dcAdd(uid: Uid): void {
    const m = this.user(uid);
    if (!m.active || m.adding === null) throw new BatchStepNotEnabled(`DcAdd(${uid}): it has no Welcome waiting for its Add`);
    if (this.skippable(m) !== undefined) throw new BatchStepNotEnabled(`DcAdd(${uid}): ${this.skippable(m)} left before it was added: DcSkip first (R16)`);
    const { targets, commit, next } = m.adding;
    const e: CommitEntry = { type: "add", targets, epoch: m.epoch, sender: uid, parent: m.by, commit };
    this.log.push(e);
    this.commits++;
    m.group = next;
    m.adding = null;
    this.apply(m, e);
  }

  /** tla/DCA_Batch.tla, BDcWelcome: step 1: one Welcome for every pending joiner (R10–R12 batched; one joiner with `batch: false`). */
  async dcWelcome(uid: Uid): Promise<void> {
    const m = this.user(uid);
    if (!this.believes(uid) || m.adding !== null || m.pendingAdds.length === 0) {
      throw new BatchStepNotEnabled(`DcWelcome(${uid}): ${this.notDc(m) ?? (m.adding ? "an add is under way" : "no joiner is pending")}`);
    }
    if (this.skippable(m) !== undefined) throw new BatchStepNotEnabled(`DcWelcome(${uid}): ${this.skippable(m)} left before it was added: DcSkip first (R16)`);
    const targets = (this.batch ? [...m.pendingAdds] : [m.pendingAdds[0]!]).sort((a, b) => a - b);
    const removes = [...m.pendingRemoves];
    // The group as it was, should the batch be abandoned for a skip (R16): commitAddMany retires the handle.
    const before = mls.encodeGroup(m.group!);
    const made = await mls.commitAddMany(this.ctx, m.group!, targets.map((t) => m.keyPackages.get(t)!), { removes });
    m.adding = { targets, commit: made.commit, next: made.group, before };
    this.log.push({ type: "welcome", targets, epoch: m.epoch + 1, sender: uid, members: [...m.members, ...targets].sort((a, b) => a - b), removes, welcome: made.welcome });
  }

  /** tla/DCA_Batch.tla, BDcRemove: every pending remove in one Commit, once no add is pending (R13 batched). */
  async dcRemove(uid: Uid): Promise<void> {
    const m = this.user(uid);
    if (!this.believes(uid) || m.adding !== null || m.pendingAdds.length > 0 || m.pendingRemoves.length === 0) {
      throw new BatchStepNotEnabled(`DcRemove(${uid}): ${this.notDc(m) ?? (m.pendingRemoves.length === 0 ? "no remove is pending" : "an add is pending or under way")}`);
    }
    const targets = this.batch ? [...m.pendingRemoves] : [m.pendingRemoves[0]!];
    const made = await mls.commitRemoveMany(this.ctx, m.group!, targets);
    const e: CommitEntry = { type: "remove", targets, epoch: m.epoch, sender: uid, parent: m.by, commit: made.commit };
    this.log.push(e);
    this.commits++;
    m.group = made.group;
    this.apply(m, e);
  }

  /**
   * DCA_Batch's BDcSkip (R16): the joiner a believing DC skips next, if any — the lowest UID
   * among the batch under way, else among its pending joiners, that is also among its
   * pending removes (it left before it was added: the DC has read every earlier DC's
   * `left`, hence every Commit they made, so nobody added it). Undefined if none.
   */
  private skippable(m: BatchMember): Uid | undefined {
    if (!this.skip || !this.believes(m.uid)) return undefined;
    const from = m.adding !== null ? m.adding.targets : m.pendingAdds;
    const gone = from.filter((t) => m.pendingRemoves.includes(t));
    return gone.length === 0 ? undefined : Math.min(...gone);
  }

  /**
   * tla/DCA_Batch.tla, BDcSkip: the DC appends `skipped t` for a joiner that left before it was
   * added and drops it from its pending adds and removes; a batch under way is abandoned
   * (its Welcome is for an epoch nobody reaches, its prepared Commit is discarded and the
   * DC is back in its group as it was); its other joiners stay pending for a new Welcome.
   */
  dcSkip(uid: Uid): void {
    const m = this.user(uid);
    const t = this.skippable(m);
    if (t === undefined) throw new BatchStepNotEnabled(`DcSkip(${uid}): ${this.notDc(m) ?? "no joiner it tracks left before it was added"}`);
    if (m.adding !== null) {
      m.group = mls.decodeGroup(this.ctx, m.adding.before);
      m.adding = null;
    }
    m.pendingAdds = m.pendingAdds.filter((v) => v !== t);
    m.pendingRemoves = m.pendingRemoves.filter((v) => v !== t);
    this.log.push({ type: "skipped", uid: t, sender: uid });
  }

  /** tla/DCA.tla, CanRevive: not a member, the whole log read, every user ranked before it seen leave (R15). */
  canRevive(uid: Uid): boolean {
    const m = this.user(uid);
    return m.active && !m.welcomed && m.cursor === this.log.length && m.ahead.size === 0;
  }

  /**
   * tla/DCA.tla, Revive: a dead room revives (R15): the member makes a new MLS group with itself
   * its only member and is its DC; it keeps the joiners it tracks, and the removes of those of
   * them that left.
   */
  async revive(uid: Uid): Promise<void> {
    if (!this.canRevive(uid)) throw new BatchStepNotEnabled(`Revive(${uid}): it is a member, has unread entries or ranks someone before it`);
    const m = this.user(uid);
    m.group = await mls.createGroup(this.ctx, m.mlsMember, `dca-batch-room-revived-by-${uid}-at-${this.log.length}`);
    m.welcomed = true;
    m.tentative = null;
    m.epoch = 0;
    m.by = uid;
    m.members = new Set([uid]);
    m.pendingRemoves = m.pendingRemoves.filter((v) => m.pendingAdds.includes(v));
    this.revivals.push({ uid, logLength: this.log.length });
    this.opts.onEpoch?.(uid, 0);
  }

  private notDc(m: BatchMember): string | undefined {
    if (!m.active) return "it is not active";
    if (!m.welcomed) return "it is not a member";
    return m.ahead.size > 0 ? `it ranks ${[...m.ahead].sort((a, b) => a - b).join(", ")} before it` : undefined;
  }

  /**
   * The DC steps the members would take now, as "DcWelcome(1 → 2,3)", "DcAdd(1 → 2,3)",
   * "DcRemove(2 → 1)", "Revive(3)": the form of a batched trace's `enabled` list.
   */
  enabledDcSteps(): string[] {
    const out: string[] = [];
    for (const uid of this.active()) {
      const m = this.user(uid);
      const skip = this.skippable(m);
      if (skip !== undefined) out.push(`DcSkip(${uid} → ${skip})`);
      else if (m.adding !== null) out.push(`DcAdd(${uid} → ${m.adding.targets.join(",")})`);
      else if (this.believes(uid) && m.pendingAdds.length > 0) {
        out.push(`DcWelcome(${uid} → ${(this.batch ? [...m.pendingAdds] : [m.pendingAdds[0]!]).sort((a, b) => a - b).join(",")})`);
      } else if (this.believes(uid) && m.pendingRemoves.length > 0) {
        out.push(`DcRemove(${uid} → ${(this.batch ? [...m.pendingRemoves] : [m.pendingRemoves[0]!]).sort((a, b) => a - b).join(",")})`);
      }
      if (this.canRevive(uid)) out.push(`Revive(${uid})`);
    }
    return out.sort();
  }

  /** The DC's next step, if it has one (R10–R13, R15; batched unless `batch: false`); false if none. */
  async dcStep(uid: Uid): Promise<boolean> {
    const m = this.user(uid);
    if (!m.active) return false;
    if (this.skippable(m) !== undefined) this.dcSkip(uid);
    else if (m.adding !== null) this.dcAdd(uid);
    else if (this.believes(uid) && m.pendingAdds.length > 0) await this.dcWelcome(uid);
    else if (this.believes(uid) && m.pendingRemoves.length > 0) await this.dcRemove(uid);
    else if (this.canRevive(uid)) await this.revive(uid);
    else return false;
    return true;
  }

  /** Every active member reads what it has not read, then every believing DC takes its steps. */
  async round(): Promise<void> {
    for (const uid of this.active()) while (await this.read(uid));
    for (const uid of this.active()) while (await this.dcStep(uid));
  }

  /** The safety numbers shown by the active members (R14), by UID; null for one not yet a member. */
  safetyNumbers(): Map<Uid, string | null> {
    const out = new Map<Uid, string | null>();
    for (const uid of this.active()) {
      const g = this.user(uid).group;
      out.set(uid, g === null ? null : safetyNumber(mls.epochAuthenticator(g)));
    }
    return out;
  }

  /** DCA's Converged: every active user a caught-up member of one epoch, nothing pending, the group exactly them, one safety number. */
  converged(): boolean {
    const act = this.active().map((u) => this.user(u));
    const first = act[0];
    if (first === undefined) return true;
    const same = act.every(
      (m) => m.welcomed && m.cursor === this.log.length && m.epoch === first.epoch && m.by === first.by &&
        m.pendingAdds.length === 0 && m.pendingRemoves.length === 0 && m.adding === null,
    );
    if (!same) return false;
    const uids = act.map((m) => m.uid).sort((a, b) => a - b);
    if ([...mls.membersOf(first.group!)].sort((a, b) => a - b).join() !== uids.join()) return false;
    return new Set(this.safetyNumbers().values()).size === 1;
  }

  /** The UIDs that believe they are the DC (R6). */
  dcs(): Uid[] {
    return this.active().filter((u) => this.believes(u));
  }

  /** The members u ranks before itself (for tests of the order of DCs). */
  ahead(uid: Uid): Uid[] {
    return [...this.user(uid).ahead].sort((a, b) => a - b);
  }

  epoch(uid: Uid): number {
    return this.user(uid).epoch;
  }
}
