// The network client: a connection to the delivery service plus one client core
// (impl/client/core.ts), the very member code the in-process room runs. It reads
// the room's log in order, acts as DC when it believes it is, saves its state after
// every step (a ClientStore: a file on Node, impl/client/state-file.ts) and resumes
// from it after a crash, sends and receives application messages, records its model
// steps for TLC (a StepSink: impl/client/step-record.ts), and emits the events a UI
// needs. It touches no file itself, so a browser page runs it too (impl/web/). With
// `batch: true` its core runs the batched rules (spec/batching.md section 4); a room's
// clients must all use the same setting.
//
// One pump runs everything that touches the member (reads, DC steps, messages) one
// at a time: MLS handles are single-use (impl/mls.ts), and the model's steps of one
// member are sequential. A DC step is recorded and saved before its entry is sent;
// until the DS acknowledges it (the "outbox"), the client reads nothing, so after a
// crash or a lost connection it can tell from the log whether its entry landed and
// sends it again only if not (spec/network.md).

import * as mls from "../mls.ts";
import { epochMedia, type EpochMedia } from "../media/mls-keys.ts";
import { safetyNumber } from "../safety-number.ts";
import type { LogEntry, MemberState, Uid, Variant } from "../types.ts";
import type { BatchRank } from "../rules.ts";
import { MemberCore, type CoreOptions, type DcAction } from "./core.ts";
import type { DsLink, Joined, LinkHandlers } from "./link.ts";
import type { ClientFile, ClientStore } from "./state-file.ts";
import type { RecordedStep } from "./step-record.ts";

export type ClientEvent =
  | { type: "connected"; uid: Uid; resumed: boolean; cursor: number; head: number }
  | { type: "disconnected"; why: string }
  | { type: "membership"; members: Uid[] }
  | { type: "epoch"; epoch: number; safetyNumber: string }
  | { type: "message"; from: Uid; text: string }
  | { type: "refused"; logIndex: number; reason: string; detail: string }
  /** `targets`: a batched step's whole list (batch: true), `target` its first. */
  | { type: "dc-step"; action: DcAction; target: Uid; targets?: Uid[]; logIndex: number }
  /** R15: the room was dead; this client created a new group (after reading `logLength` entries). */
  | { type: "revived"; uid: Uid; logLength: number }
  /**
   * R16: the room refused this user — a DC skipped it before it was welcomed (its KeyPackage
   * reached the DC garbled, spec/welcome-auth.md section 5). The client leaves and stops; to
   * come back the user joins as a new user. `message` says so, naming the DC and log index.
   */
  | { type: "refused-by-room"; by: Uid; logIndex: number; message: string }
  | { type: "left"; reason: "self" | "fenced" | "announced" | "refused" }
  | { type: "error"; where: string; message: string };

/** Where a client records its model steps (StepRecorder in impl/client/step-record.ts on Node). */
export interface StepSink {
  truncate(steps: number): void;
  append(step: RecordedStep): void;
}

export interface ClientOptions {
  room: string;
  /** Opens a connection to the DS that reports to `handlers`. */
  connect: (handlers: LinkHandlers) => Promise<DsLink>;
  /** The client's storage; without one, the client keeps nothing across a crash (a browser page). */
  store?: ClientStore;
  /** The step recording for TLC validation. */
  recorder?: StepSink;
  /** Known-bad switches, for tests only (spec/dca.md section 7). */
  variant?: Variant;
  /** The published rule, for tests only: trust a Welcome entry's removes unchecked (CoreOptions). */
  trustWelcomeRemoves?: boolean;
  /**
   * The room's batch setting (spec/batching.md section 4): the batched rules of
   * tla/DCA_Batch.tla. Every client of a room must use the same (default false).
   */
  batch?: boolean;
  /** Known-bad tie-breaks of batch-mates (CoreOptions.batchRank, the model's BatchRank), for tests only. */
  batchRank?: BatchRank;
  /** What refusing a `joined` does (CoreOptions.refusalRule): "Skip" (default, R16); "Silent" is known-bad, for tests only. */
  refusalRule?: "Skip" | "Silent";
  /** Reconnect backoff (ms): first delay and cap. */
  backoff?: { first: number; max: number };
}

/** A failure the client cannot go on from (bad state file, DS refusing to let it in): names where and why. */
export class ClientError extends Error {
  override readonly name = "ClientError";
}

export class NetworkClient {
  private core: MemberCore | null = null;
  private ctx: mls.MlsContext | null = null;
  private link: DsLink | null = null;
  private readonly listeners: ((e: ClientEvent) => void)[] = [];
  private readonly recorder: StepSink | null;
  private file: ClientFile | null = null;
  /** Entries received but not yet read, by log index. */
  private readonly inbox = new Map<number, LogEntry>();
  private head = 0;
  private keyPackages: Record<string, Uint8Array> = {};
  private identity: mls.Member | null = null;
  private pumping = false;
  private pumpAgain = false;
  private stopped = false;
  private gone = false;
  private connected = false;
  /** Application messages of an epoch the member has not reached yet. */
  private early: { data: Uint8Array }[] = [];
  private lastEpoch = -1;
  private lastMembers = "";

  constructor(private readonly opts: ClientOptions) {
    this.recorder = opts.recorder ?? null;
  }

  on(listener: (e: ClientEvent) => void): void {
    this.listeners.push(listener);
  }

  private emit(e: ClientEvent): void {
    for (const l of this.listeners) l(e);
  }

  get uid(): Uid | null {
    return this.core?.uid ?? null;
  }

  get state(): MemberState | null {
    return this.core?.state ?? null;
  }

  get hasLeft(): boolean {
    return this.gone;
  }

  /** The member's epoch and safety number, if it is in the group. */
  get view(): { epoch: number; safetyNumber: string; members: Uid[] } | null {
    const g = this.core?.group;
    if (!g || !this.core?.state.welcomed) return null;
    return { epoch: mls.epochOf(g), safetyNumber: safetyNumber(mls.epochAuthenticator(g)), members: mls.membersOf(g) };
  }

  /**
   * The media secrets of the member's current epoch (RFC 9605 section 5.2 keying), if
   * it is in the group. Call it when the `epoch` event arrives: the group handle is
   * read at once, before the next step replaces it.
   */
  epochMedia(): Promise<EpochMedia> | null {
    const g = this.core?.group;
    if (!g || !this.ctx || !this.core?.state.welcomed) return null;
    return epochMedia(this.ctx, g);
  }

  /** Joins the room as a new user, or, if the state file exists, resumes as the user it saved. */
  async start(): Promise<void> {
    this.ctx = await mls.initMls();
    const store = this.opts.store;
    const saved = store?.load() ?? null;
    const f = store?.where;
    if (saved) {
      this.file = saved;
      if (this.file.room !== this.opts.room) throw new ClientError(`${f}: saved for room ${JSON.stringify(this.file.room)}, not ${JSON.stringify(this.opts.room)}`);
      this.keyPackages = this.file.keyPackages;
      this.identity = this.file.identity ? mls.decodeMember(this.file.identity) : null;
      this.core = MemberCore.restore(this.coreOptions(this.file.uid), this.file.member);
      this.recorder?.truncate(this.file.steps);
      this.stepsRecorded = this.file.steps;
      if (this.core.state.status !== "active") {
        this.gone = true;
        throw new ClientError(`${f}: user ${this.file.uid} has left room ${this.opts.room}; it may come back only as a new user (delete the state file)`);
      }
    } else {
      this.recorder?.truncate(0);
    }
    await this.connect();
  }

  private coreOptions(uid: Uid): CoreOptions {
    return {
      uid,
      variant: this.opts.variant ?? "Correct",
      ...(this.opts.trustWelcomeRemoves ? { trustWelcomeRemoves: true } : {}),
      ...(this.opts.refusalRule ? { refusalRule: this.opts.refusalRule } : {}),
      ctx: this.ctx,
      ...(this.identity ? { identity: this.identity } : {}),
      groupIdBase: `dca-room:${this.opts.room}`,
      ...(this.opts.batch ? { batch: true } : {}),
      ...(this.opts.batchRank ? { batchRank: this.opts.batchRank } : {}),
      keyPackageOf: (t) => {
        const kp = this.keyPackages[String(t)];
        if (!kp) throw new Error(`no KeyPackage for user ${t}`);
        return kp;
      },
    };
  }

  private handlers(): LinkHandlers {
    return {
      entry: (index, entry) => {
        if (this.core && index < this.core.state.cursor) return; // already read (a resend after reconnect)
        this.inbox.set(index, entry);
        this.head = Math.max(this.head, index + 1);
        this.schedule();
      },
      broadcast: (_from, data) => {
        this.early.push({ data });
        this.schedule();
      },
      fenced: (reason) => this.becomeGone("fenced", reason),
      refused: (reason) => this.emit({ type: "error", where: "delivery service", message: reason }),
      closed: (why) => this.onClosed(why),
    };
  }

  private async connect(): Promise<void> {
    const backoff = this.opts.backoff ?? { first: 100, max: 2000 };
    let delay = backoff.first;
    for (;;) {
      if (this.stopped || this.gone) return;
      try {
        await this.connectOnce();
        return;
      } catch (e) {
        if (e instanceof ClientError) throw e;
        if (this.gone) return;
        this.emit({ type: "error", where: "connect", message: `${(e as Error).message}; retrying in ${delay} ms` });
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(backoff.max, delay * 2);
      }
    }
  }

  private async connectOnce(): Promise<void> {
    const link = await this.opts.connect(this.handlers());
    const resumed = this.core !== null;
    let joined: Joined;
    try {
      if (this.core) {
        joined = await link.resume(this.opts.room, this.core.uid, this.core.state.cursor);
      } else {
        joined = await link.joinNew(this.opts.room, async (uid) => {
          if (uid === 1) return null;
          this.identity = await mls.newMember(this.ctx!, uid);
          return this.identity.keyPackage;
        });
        if (joined.uid === 1) {
          const creator = await mls.newMember(this.ctx!, 1);
          const group = await mls.createGroup(this.ctx!, creator, `dca-room:${this.opts.room}`);
          this.core = MemberCore.start(this.coreOptions(1), 0, group);
        } else {
          if (joined.joinedAt === null) throw new ClientError(`the DS assigned UID ${joined.uid} without a joined entry`);
          this.core = MemberCore.start(this.coreOptions(joined.uid), joined.joinedAt + 1, undefined, joined.present);
        }
        this.save();
      }
    } catch (e) {
      link.close();
      throw e;
    }
    this.link = link;
    this.connected = true;
    this.head = Math.max(this.head, joined.head);
    this.emit({ type: "connected", uid: joined.uid, resumed, cursor: this.core.state.cursor, head: joined.head });
    this.viewChanged();
    this.schedule();
  }

  private onClosed(why: string): void {
    if (!this.connected) return;
    this.connected = false;
    this.link = null;
    if (this.stopped || this.gone) return;
    this.emit({ type: "disconnected", why });
    void this.connect().catch((e) => this.emit({ type: "error", where: "reconnect", message: (e as Error).message }));
  }

  // --- the pump ---------------------------------------------------------------

  private schedule(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void this.pump()
      .catch((e) => this.emit({ type: "error", where: `member ${this.uid ?? "?"}`, message: (e as Error).stack ?? String(e) }))
      .finally(() => {
        this.pumping = false;
        if (this.pumpAgain) {
          this.pumpAgain = false;
          this.schedule();
        }
      });
  }

  private async pump(): Promise<void> {
    for (;;) {
      this.pumpAgain = false;
      const core = this.core;
      if (!core || this.stopped || this.gone || !this.connected) return;
      const outbox = this.file?.outbox;
      if (outbox) {
        if (!(await this.settleOutbox())) return;
        continue;
      }
      const entry = this.inbox.get(core.state.cursor);
      if (entry) {
        this.inbox.delete(core.state.cursor);
        await this.readOne(entry);
        continue;
      }
      await this.openMessages();
      if (core.state.cursor < this.head) return; // wait for the rest of the log before acting as DC
      const step = core.nextDcStep(this.head);
      if (!step) return;
      if (step.action === "Revive") await this.revive();
      else await this.dcStep(step.action, step.target);
    }
  }

  private async readOne(entry: LogEntry): Promise<void> {
    const core = this.core!;
    if (entry.type === "left" && entry.uid === core.uid) {
      this.becomeGone("announced", `log entry ${core.state.cursor}`);
      return;
    }
    const outcome = await core.read(entry);
    if (entry.type === "joined" && entry.keyPackage && outcome.kind === "read") this.keyPackages[String(entry.uid)] = entry.keyPackage;
    this.record({ uid: core.uid, action: "Read", logIndex: outcome.logIndex, state: core.state });
    this.save();
    if (outcome.kind === "rejected") {
      this.emit({ type: "refused", logIndex: outcome.logIndex, reason: outcome.error.reason, detail: outcome.error.message });
    }
    this.viewChanged();
    const refused = core.refusedByRoom;
    if (refused) {
      this.emit({ type: "refused-by-room", ...refused });
      this.link?.leave();
      this.becomeGone("refused", refused.message);
    }
  }

  /** @spec DCA!Revive R15 — the room is dead: a new MLS group, this client its DC; nothing to append. */
  private async revive(): Promise<void> {
    const core = this.core!;
    await core.revive(this.head);
    this.record({ uid: core.uid, action: "Revive", logIndex: this.head, state: core.state });
    this.save();
    this.emit({ type: "revived", uid: core.uid, logLength: this.head });
    this.viewChanged();
  }

  private async dcStep(action: Exclude<DcAction, "Revive">, target: Uid): Promise<void> {
    const core = this.core!;
    const entry = await core.takeDcStep(action, target);
    const file = this.file!;
    file.appends += 1;
    file.outbox = { id: `${core.uid}:${file.appends}`, entry, action, target };
    this.record({ uid: core.uid, action, target, logIndex: -1, state: core.state });
    this.save();
    this.viewChanged();
  }

  /**
   * The entry of the DC step taken last is not acknowledged: once the client has
   * all entries up to the head, it looks for it there; if the DS has it, done,
   * else it sends it (again). Returns false to wait for more entries.
   */
  private async settleOutbox(): Promise<boolean> {
    const core = this.core!;
    const out = this.file!.outbox!;
    if (!this.link) return false;
    for (let i = core.state.cursor; i < this.head; i++) if (!this.inbox.has(i)) return false;
    for (let i = core.state.cursor; i < this.head; i++) {
      if (sameEntry(this.inbox.get(i)!, out.entry)) return this.outboxLanded(i);
    }
    try {
      const index = await this.link.append(out.entry, out.id);
      return this.outboxLanded(index);
    } catch (e) {
      if (this.gone) return false;
      this.emit({ type: "error", where: `append of ${out.action}`, message: (e as Error).message });
      return false;
    }
  }

  private outboxLanded(index: number): boolean {
    const out = this.file!.outbox!;
    this.file!.outbox = null;
    this.save();
    const e = out.entry;
    const targets = (e.type === "welcome" || e.type === "add" || e.type === "remove") && e.targets ? { targets: [...e.targets] } : {};
    this.emit({ type: "dc-step", action: out.action as DcAction, target: out.target ?? 0, ...targets, logIndex: index });
    return true;
  }

  // --- application messages -----------------------------------------------------

  /** Sends an application message to the room (MLS-encrypted in the current epoch). */
  async send(text: string): Promise<void> {
    await this.serially(async () => {
      if (!this.core || !this.link) throw new ClientError("not connected");
      const { message } = await this.core.encrypt(new TextEncoder().encode(text));
      this.save();
      this.link.broadcast(message);
    });
  }

  /** Runs `work` when the pump is idle (MLS handles are single-use). */
  private async serially<T>(work: () => Promise<T>): Promise<T> {
    while (this.pumping) await new Promise((r) => setTimeout(r, 5));
    this.pumping = true;
    try {
      return await work();
    } finally {
      this.pumping = false;
      if (this.pumpAgain) {
        this.pumpAgain = false;
        this.schedule();
      }
    }
  }

  /** Decrypts the messages of the member's epoch; keeps those of a later epoch; drops those it can never read. */
  private async openMessages(): Promise<void> {
    const core = this.core!;
    const g = core.group;
    if (!g || !core.state.welcomed || this.early.length === 0) return;
    const keep: { data: Uint8Array }[] = [];
    for (const m of this.early) {
      try {
        const { sender, plaintext } = await core.decrypt(m.data);
        this.save();
        if (sender !== core.uid) this.emit({ type: "message", from: sender, text: new TextDecoder().decode(plaintext) });
      } catch (e) {
        const reason = e instanceof mls.MlsInputError ? e.reason : "invalid";
        if (reason === "wrong-epoch" && keep.length < 100) keep.push(m);
        else if (reason !== "wrong-epoch") this.emit({ type: "refused", logIndex: -1, reason: `message-${reason}`, detail: (e as Error).message });
      }
    }
    this.early = keep;
  }

  // --- leaving ---------------------------------------------------------------------

  /** The user leaves: the DS appends `left`; the client stops acting. */
  leave(): void {
    if (this.gone) return;
    this.link?.leave();
    this.becomeGone("self", "asked to leave");
  }

  private becomeGone(reason: "self" | "fenced" | "announced" | "refused", _detail: string): void {
    if (this.gone) return;
    this.gone = true; // the pump takes no further step
    // The member leaves once a step in progress is done (it is one of the model's steps before the Leave).
    void this.serially(async () => {
      if (this.core?.active) {
        this.core.leave();
        this.save();
      }
      this.emit({ type: "left", reason });
      this.link?.close();
    });
  }

  /** Stops without leaving (what a crash looks like to the DS, but orderly; tests and the demo use it). */
  stop(): void {
    this.stopped = true;
    this.link?.close();
  }

  // --- storage ----------------------------------------------------------------------

  private save(): void {
    const core = this.core!;
    const prev = this.file;
    const steps = this.stepsRecorded;
    // Without a store nothing survives a crash: the member (its MLS groups, encoded, a few
    // milliseconds a read at 50 members) and the identity are encoded for the store only;
    // without one, `member` is the first one saved and never read (restore needs a store).
    const stored = this.opts.store !== undefined;
    this.file = {
      format: "dca-client/1",
      room: this.opts.room,
      uid: core.uid,
      identity: stored && this.identity && !core.state.welcomed ? mls.encodeMember(this.identity) : null,
      member: stored || !prev ? core.save() : prev.member,
      keyPackages: this.keyPackages,
      outbox: prev?.outbox ?? null,
      steps,
      appends: prev?.appends ?? 0,
    };
    this.opts.store?.save(this.file);
  }

  private stepsRecorded = 0;

  private record(step: RecordedStep): void {
    this.stepsRecorded = (this.file?.steps ?? 0) + 1;
    this.recorder?.append(step);
  }

  private viewChanged(): void {
    const v = this.view;
    if (!v) return;
    const members = v.members.join(",");
    if (members !== this.lastMembers) {
      this.lastMembers = members;
      this.emit({ type: "membership", members: v.members });
    }
    if (v.epoch !== this.lastEpoch) {
      this.lastEpoch = v.epoch;
      this.emit({ type: "epoch", epoch: v.epoch, safetyNumber: v.safetyNumber });
    }
  }
}

const sameBytes = (a?: Uint8Array, b?: Uint8Array) => (!a && !b) || (!!a && !!b && a.length === b.length && a.every((x, i) => x === b[i]));

/** The same entry: its kind, fields and MLS bytes (how a client finds its own append on the log). */
export function sameEntry(a: LogEntry, b: LogEntry): boolean {
  if (a.type !== b.type) return false;
  if (a.type === "joined" || a.type === "left") return a.uid === (b as typeof a).uid;
  if (a.type === "skipped") return a.uid === (b as typeof a).uid && a.sender === (b as typeof a).sender;
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  return (
    x.target === y.target && x.epoch === y.epoch && x.sender === y.sender &&
    String(x.targets ?? "") === String(y.targets ?? "") &&
    sameBytes(x.commit as Uint8Array | undefined, y.commit as Uint8Array | undefined) &&
    sameBytes(x.welcome as Uint8Array | undefined, y.welcome as Uint8Array | undefined)
  );
}
