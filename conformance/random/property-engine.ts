// Model-based random testing of the steppable room (impl/room.ts) with fast-check's
// fc.commands: random sequences of the model's actions — Join, Leave(u), Read(u),
// a DC step, and Quiesce (everyone catches up and the DC drains its work) — run on
// a room with real MLS by default. A dead room's revive (R15) is one of the DC steps. After every single room step the model's
// properties (conformance/random/invariants.ts) are checked on the mapped state, and the
// step properties across the step; after Quiesce the room must have converged:
// nothing pending, everyone welcomed, one epoch, one safety number, and an
// application message from one member decrypts at every other. Every run is
// recorded as an ITF trace (conformance/validate/run-recorder.ts) so that a failure can be
// written to traces/counterexamples/fuzz-<seed>.itf.json and replayed with
// `npm run replay`.
//
// Commands carry selectors, not UIDs: `Read(#k)` reads for the k-th (mod n) active
// user with unread entries, so every generated sequence stays runnable and
// shrinks to a runnable one. A command whose selector has no candidate is skipped
// (its check() is false), as fast-check's model runs do.

import fc from "fast-check";
import { join } from "node:path";
import * as mls from "../../impl/mls.ts";
import { Room } from "../../impl/room.ts";
import { believes, readEffect } from "../../impl/rules.ts";
import { safetyNumber } from "../../impl/safety-number.ts";
import type { Uid, Variant } from "../../impl/types.ts";
import { writeItf, type ItfTrace } from "../../scripts/tlc/formats/itf.ts";
import { checkInvariants, checkStep, formatViolations, modelOf, type Violation } from "./invariants.ts";
import { Active, Deserted, Quiescent, view } from "../model/state-view.ts";
import { RunRecorder } from "../validate/run-recorder.ts";
import type { ModelState } from "../model/refinement.ts";
import { formatParams, mlsProblems, type StepParams } from "../replay/replay-trace.ts";

/** Rooms of up to this many users at a time. */
export const DEFAULT_USERS = 8;
/** Commands per run at most; fc.commands generates up to this many (`size: "max"`). */
export const DEFAULT_MAX_COMMANDS = 150;
export const COUNTEREXAMPLE_DIR = "traces/counterexamples";

export interface HarnessOptions {
  variant?: Variant;
  /** Real MLS (default) or the algorithm alone. */
  mls?: boolean;
  /** Room size: a user arrives only while fewer than this many are active (default 8). */
  users?: number;
  /** How many users ever arrive: UIDs 1..arrivals, the model's constant Users (default 2 × users). */
  arrivals?: number;
  /**
   * Known bugs outside the algorithm (KNOWN_BUGS) that end a run quietly instead of
   * failing it: the run stops at the step that shows the bug (the room has left the
   * model there, so nothing after it means anything) and is counted as cut short.
   */
  tolerate?: readonly KnownBug[];
}

/** A bug of a dependency, recognised by the violation it causes. */
export interface KnownBug {
  id: string;
  description: string;
  /** Does this violation (at the step where it first shows) come from the bug? */
  matches(v: Violation): boolean;
}

/**
 * None at present. ts-mls 1.6.4 refused valid Welcomes (its unmerged_leaves check was
 * stricter than RFC 9420 section 7.9.2); patches/ts-mls+1.6.4.patch corrects it.
 */
export const KNOWN_BUGS: readonly KnownBug[] = [];

/**
 * A quick campaign that makes a known-bad switch fail the property (no MLS): small
 * rooms suffice, except for WelcomeWithoutRemoves, which needs a member to leave
 * before a joiner arrives and the DC to die after adding it, and KeepStaleRemoves,
 * which needs a joiner that saw a member leave to enter a revived group (R15) —
 * bigger rooms and more runs find them. Used by the end-of-verify summary and the
 * trace-validation tests.
 */
export function teethCampaign(variant: Variant): CampaignOptions & { seed: number } {
  return variant === "WelcomeWithoutRemoves" || variant === "KeepStaleRemoves"
    ? { variant, mls: false, numRuns: 200, seed: 1, users: 8, arrivals: 16, maxCommands: 40 }
    : { variant, mls: false, numRuns: 50, seed: 11, users: 4, arrivals: 5, maxCommands: 40 };
}

/** What the runs did, summed over runs. */
export class CampaignStats {
  runs = 0;
  steps = 0;
  /** A DC change: a user other than the last DC comes to believe it is the DC. */
  dcChanges = 0;
  maxDcChangesInRun = 0;
  /** dcChangeRuns[k]: runs with k DC changes. */
  readonly dcChangeRuns: number[] = [];
  maxStepsInRun = 0;
  quiesces = 0;
  /** Quiesce ended with a live group (and its convergence was checked). */
  converged = 0;
  /** Quiesce found the room deserted (everyone who arrived has left): nothing to converge. */
  deadGroups = 0;
  appMessages = 0;
  rejectedReads = 0;
  /** R16 skips made between the joiner's Welcome and its Add (the others come before its Welcome). */
  midAddSkips = 0;
  /** Runs cut short by a tolerated known bug, by bug id. */
  readonly cutShort = new Map<string, number>();
  readonly actions = new Map<string, number>();

  add(h: RoomHarness): void {
    if (h.halted) this.cutShort.set(h.halted.id, (this.cutShort.get(h.halted.id) ?? 0) + 1);
    this.runs++;
    this.steps += h.steps;
    this.dcChanges += h.dcChanges;
    this.maxDcChangesInRun = Math.max(this.maxDcChangesInRun, h.dcChanges);
    for (let k = this.dcChangeRuns.length; k <= h.dcChanges; k++) this.dcChangeRuns.push(0);
    this.dcChangeRuns[h.dcChanges]!++;
    this.maxStepsInRun = Math.max(this.maxStepsInRun, h.steps);
    this.quiesces += h.quiesces;
    this.converged += h.converged;
    this.deadGroups += h.deadGroups;
    this.appMessages += h.appMessages;
    this.rejectedReads += h.rejectedReads;
    this.midAddSkips += h.midAddSkips;
    for (const [a, n] of h.actions) this.actions.set(a, (this.actions.get(a) ?? 0) + n);
  }
}

/** A run broke a property: what broke, at which recorded step. */
export class RunFailure extends Error {
  override readonly name = "RunFailure";
  constructor(
    readonly violations: Violation[],
    /** Index of the ITF state where it shows (the state after the failing step). */
    readonly stateIndex: number,
    readonly step: string,
  ) {
    super(`at step ${stateIndex} (${step}):\n${formatViolations(violations)}`);
  }
  get property(): string {
    return this.violations[0]?.property ?? "?";
  }
}

export interface DcChoice {
  action: "DcWelcome" | "DcAdd" | "DcRemove" | "DcSkip" | "DcAddFirst" | "DcLateWelcome" | "Revive";
  u: Uid;
  target?: Uid;
}

const DC_STEP = /^(DcWelcome|DcAdd|DcRemove|DcSkip|DcAddFirst|DcLateWelcome|Revive)\((\d+)(?: → (\d+))?\)$/;

/** A room under test, its recorder, and the checks run after each of its steps. */
export class RoomHarness implements Harness {
  readonly recorder: RunRecorder;
  readonly variant: Variant;
  /** Room size (active users at most). */
  readonly users: number;
  /** The model's Users: UIDs 1..arrivals. */
  readonly arrivals: number;
  private current: ModelState;
  private lastDc: Uid | undefined;
  steps = 0;
  dcChanges = 0;
  quiesces = 0;
  converged = 0;
  deadGroups = 0;
  appMessages = 0;
  rejectedReads = 0;
  midAddSkips = 0;
  readonly actions = new Map<string, number>();
  /** Set when a tolerated known bug ended the run: every command is then skipped. */
  halted: KnownBug | undefined;
  private readonly tolerate: readonly KnownBug[];

  private constructor(
    readonly room: Room,
    users: number,
    arrivals: number,
    tolerate: readonly KnownBug[],
  ) {
    this.variant = room.variant;
    this.users = users;
    this.arrivals = arrivals;
    this.tolerate = tolerate;
    this.recorder = new RunRecorder(room, arrivals);
    this.current = modelOf(room, arrivals);
    this.lastDc = this.believedDc();
  }

  static async create(opts: HarnessOptions = {}): Promise<RoomHarness> {
    const users = opts.users ?? DEFAULT_USERS;
    const arrivals = opts.arrivals ?? 2 * users;
    if (!Number.isInteger(users) || users < 1) throw new Error(`users must be a positive integer, got ${users}`);
    if (!Number.isInteger(arrivals) || arrivals < 1) throw new Error(`arrivals must be a positive integer, got ${arrivals}`);
    const room = await Room.create({ variant: opts.variant ?? "Correct", mls: opts.mls ?? true });
    return new RoomHarness(room, users, arrivals, opts.tolerate ?? []);
  }

  // --- views ---------------------------------------------------------------

  get model(): ModelState {
    return this.current;
  }

  activeUids(): Uid[] {
    return this.room.uids().filter((u) => this.room.state(u).status === "active");
  }

  nextUid(): Uid {
    return this.room.nextUid;
  }

  isActive(u: Uid): boolean {
    return this.room.state(u).status === "active";
  }

  hasUnread(u: Uid): boolean {
    const s = this.room.state(u);
    return s.status === "active" && s.cursor < this.room.log.length;
  }

  /** The members of the group's latest epoch (the model's ground truth DCA!group). */
  groupMembers(): Uid[] {
    return view(this.current).group.members;
  }

  /** The newest active user the group has not added (the DC may be welcoming it), if any. */
  newestJoiner(): Uid | undefined {
    const members = this.groupMembers();
    return this.activeUids().filter((u) => !members.includes(u)).at(-1);
  }

  /** The user that believes it is the DC (the lowest, should several). */
  believedDc(): Uid | undefined {
    return this.room.uids().find((u) => believes(this.room.state(u), this.variant));
  }

  /** The DC steps the room would take now (Room.enabledDcSteps), parsed. */
  dcChoices(): DcChoice[] {
    return this.room.enabledDcSteps().map((text) => {
      const m = DC_STEP.exec(text);
      if (!m) throw new Error(`cannot parse the enabled DC step ${JSON.stringify(text)}`);
      return { action: m[1] as DcChoice["action"], u: Number(m[2]), ...(m[3] !== undefined ? { target: Number(m[3]) } : {}) };
    });
  }

  // --- steps: each one is recorded and checked ----------------------------

  async join(): Promise<void> {
    const u = this.room.nextUid;
    await this.step("Join", { u }, () => this.room.join());
  }

  async leave(u: Uid): Promise<void> {
    await this.step("Leave", { u }, () => this.room.leave(u));
  }

  async read(u: Uid): Promise<void> {
    await this.step("Read", { u }, async () => {
      const state = this.room.state(u);
      const entry = this.room.log[state.cursor];
      const effect = entry ? readEffect(state, entry, this.variant) : undefined;
      const outcome = await this.room.read(u);
      if (outcome.kind !== "rejected") return [];
      this.rejectedReads++;
      // The model leaves a member unchanged only for a Commit of another epoch or a
      // repeated Welcome; refusing anything else means MLS disagrees with the rules.
      if (effect === "reject-commit" || effect === "ignore-welcome") return [];
      return [{ property: "ReadAccepted", kind: "check", details: [`user ${u} refused log[${outcome.logIndex + 1}] the model would take (${effect}): ${outcome.error.message}`] }];
    });
  }

  async dcStep(c: DcChoice): Promise<void> {
    const params: StepParams = c.target === undefined ? { u: c.u } : { u: c.u, target: c.target };
    await this.step(c.action, params, async () => {
      switch (c.action) {
        case "DcWelcome":
          return this.room.dcWelcome(c.u, c.target);
        case "DcAdd":
          return this.room.dcAdd(c.u);
        case "DcRemove":
          return this.room.dcRemove(c.u);
        case "DcSkip":
          if (this.room.state(c.u).adding !== 0) this.midAddSkips++;
          return this.room.dcSkip(c.u);
        case "DcAddFirst":
          return this.room.dcAddFirst(c.u);
        case "DcLateWelcome":
          return this.room.dcLateWelcome(c.u);
        case "Revive":
          return this.room.revive(c.u);
      }
    });
  }

  /**
   * One model action on the room, then: record it, map the room to the model,
   * check the step properties across the step and the invariants after it, and
   * (MLS on) that MLS epochs and safety numbers agree with the model's epochs.
   */
  private async step(
    action: string,
    params: StepParams,
    perform: () => Promise<Violation[] | unknown> | Violation[] | unknown,
  ): Promise<void> {
    const before = this.current;
    const violations: Violation[] = [];
    try {
      const found = await perform();
      if (Array.isArray(found)) violations.push(...(found as Violation[]));
    } catch (e) {
      const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      violations.push({ property: "StepTaken", kind: "check", details: [`the room refused ${action}${formatParams(params)}, a step it offered: ${why}`] });
    }
    this.recorder.record(action, params);
    this.steps++;
    this.actions.set(action, (this.actions.get(action) ?? 0) + 1);
    const after = modelOf(this.room, this.arrivals);
    this.current = after;
    violations.push(...checkStep(before, after, this.variant), ...checkInvariants(after, this.variant));
    const mlsBad = mlsProblems(this.room);
    if (mlsBad.length) violations.push({ property: "MlsAgreement", kind: "check", details: mlsBad });
    const dc = this.believedDc();
    if (dc !== undefined && dc !== this.lastDc) {
      if (this.lastDc !== undefined) this.dcChanges++;
      this.lastDc = dc;
    }
    if (!violations.length) return;
    const known = this.tolerate.find((bug) => violations.some((v) => bug.matches(v)));
    if (known) {
      this.halted = known;
      return;
    }
    throw new RunFailure(violations, this.recorder.length - 1, `${action}${formatParams(params)}`);
  }

  /**
   * Everyone active catches up and the DC drains its work, until nothing is left;
   * then the room must have converged (unless everyone has left: a dead room with live
   * users revives, R15). `senderPick` chooses the member that sends the application message.
   * @spec DCA!EventuallyConverged DCA!JoinerEventuallyWelcomed — on a finite run: once the DS is silent and everyone has drained its work, every active joiner is a member and the room has converged, or the room is deserted.
   */
  async quiesce(senderPick: number, maxRounds = 10_000): Promise<void> {
    this.quiesces++;
    for (let round = 0; ; round++) {
      if (round >= maxRounds) {
        throw new RunFailure([{ property: "QuiesceEnds", kind: "check", details: [`still busy after ${maxRounds} rounds`] }], this.recorder.length - 1, "Quiesce");
      }
      let progressed = false;
      for (const u of this.activeUids()) {
        while (this.hasUnread(u) && !this.halted) {
          await this.read(u);
          progressed = true;
        }
      }
      const dc = this.halted ? undefined : this.dcChoices()[0];
      if (dc) {
        await this.dcStep(dc);
        progressed = true;
      }
      if (this.halted) return;
      if (!progressed) break;
    }
    // The run claims quiescence here: replay and TLC's trace validation check the claim
    // against the correct model (a DC that silently ignores work is caught this way).
    this.recorder.record("Quiesced", {});
    if (Deserted(this.current)) {
      this.deadGroups++;
      return;
    }
    const problems = [...this.convergence(), ...(await this.mlsConvergence(senderPick))];
    if (problems.length) throw new RunFailure(problems, this.recorder.length - 1, "Quiesce");
    this.converged++;
  }

  /** @spec DCA!Converged — what a quiet, live room must look like (the model's state). */
  private convergence(): Violation[] {
    const s = view(this.current);
    const details = Quiescent(this.current, this.variant).map((d) => `not quiescent: ${d}`);
    for (const u of Active(s)) {
      const who = `user ${u.uid}`;
      if (!u.welcomed) details.push(`${who} joined but is not a member${u.tentative ? ` (tentative Welcome from ${u.tentative.sender})` : ""}`);
      else if (u.epoch !== s.group.epoch || u.by !== s.group.by) {
        details.push(`${who} is in epoch ${u.epoch} by ${u.by}, the group in epoch ${s.group.epoch} by ${s.group.by}`);
      }
      if (u.pendingAdds.length) details.push(`${who} still has pending adds ${u.pendingAdds.join(", ")}`);
      if (u.pendingRemoves.length) details.push(`${who} still has pending removes ${u.pendingRemoves.join(", ")}`);
      if (u.adding) details.push(`${who} is still adding ${u.adding}`);
    }
    const active = Active(s).map((u) => u.uid).join(",");
    if (s.group.members.join(",") !== active) details.push(`the group is {${s.group.members.join(", ")}}, the active users are {${active}}`);
    return details.length ? [{ property: "Converged", kind: "check", details }] : [];
  }

  /**
   * MLS after Quiesce: every member in the group's epoch with one safety number,
   * and an application message from one of them decrypts at every other.
   *
   * The room has no API for application messages, and the facade retires the
   * handle it is given (encrypt and decrypt advance the secret tree), so the
   * message is sent and received on independent copies of the members' groups
   * (encodeGroup/decodeGroup): the room's own handles stay live and unchanged.
   */
  private async mlsConvergence(senderPick: number): Promise<Violation[]> {
    const ctx = this.room.ctx;
    if (!ctx) return [];
    const g = view(this.current).group;
    const details: string[] = [];
    const numbers = new Map<Uid, string>();
    const groups = new Map<Uid, mls.MlsGroup>();
    for (const u of this.activeUids()) {
      const group = this.room.group(u);
      if (!group) {
        details.push(`user ${u} has no MLS group`);
        continue;
      }
      groups.set(u, group);
      numbers.set(u, safetyNumber(mls.epochAuthenticator(group)));
      if (mls.epochOf(group) !== g.epoch) details.push(`user ${u}: MLS epoch ${mls.epochOf(group)}, the group's is ${g.epoch}`);
      const members = mls.membersOf(group).join(",");
      if (members !== g.members.join(",")) details.push(`user ${u}: MLS members {${members}}, the group's are {${g.members.join(", ")}}`);
    }
    if (new Set(numbers.values()).size > 1) {
      details.push(`safety numbers differ: ${[...numbers].map(([u, n]) => `${u} shows ${n}`).join("; ")}`);
    }
    const uids = [...groups.keys()];
    const sender = uids[senderPick % Math.max(uids.length, 1)];
    if (sender !== undefined && uids.length > 1) {
      const copy = (group: mls.MlsGroup) => mls.decodeGroup(ctx, mls.encodeGroup(group));
      const text = `from ${sender} in epoch ${g.epoch}, step ${this.steps}`;
      const plaintext = new TextEncoder().encode(text);
      try {
        const { message } = await mls.encrypt(ctx, copy(groups.get(sender)!), plaintext);
        for (const u of uids) {
          if (u === sender) continue;
          try {
            const got = await mls.decrypt(ctx, copy(groups.get(u)!), message);
            const gotText = new TextDecoder().decode(got.plaintext);
            if (gotText !== text || got.senderUid !== sender) {
              details.push(`user ${u} decrypted ${JSON.stringify(gotText)} from ${got.senderUid}, sent ${JSON.stringify(text)} from ${sender}`);
            }
          } catch (e) {
            details.push(`user ${u} cannot decrypt ${sender}'s message: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
        this.appMessages++;
      } catch (e) {
        details.push(`user ${sender} cannot encrypt: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return details.length ? [{ property: "MlsConverged", kind: "check", details }] : [];
  }

  /** The run so far as an ITF trace; with a failure, its violations in #meta. */
  toItf(failure?: unknown, meta: Record<string, unknown> = {}): ItfTrace {
    const mlsOn = this.room.ctx !== null;
    const base: Record<string, unknown> = {
      description: `A random run of the implementation (fast-check, conformance/random/property-engine.ts), variant ${this.variant}, MLS ${mlsOn ? "on" : "off"}`,
      mls: mlsOn,
      ...meta,
    };
    if (failure instanceof RunFailure) {
      base.violation = { kind: failure.violations[0]!.kind, name: failure.property };
      base.violations = failure.violations;
      base.failedAt = { index: failure.stateIndex, step: failure.step };
    } else if (failure !== undefined) {
      base.violation = { kind: "check", name: "Exception" };
      base.error = failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure);
    }
    return this.recorder.toItf(base);
  }
}

// --- The commands -----------------------------------------------------------

/**
 * What the commands drive: a room under test with its checks after every step.
 * RoomHarness (impl/room.ts) is one; conformance/random/batch-engine.ts drives
 * impl/batch.ts (the batched rules) with the same commands.
 */
export interface Harness {
  readonly halted: KnownBug | undefined;
  /** Room size (active users at most) and the model's Users (UIDs 1..arrivals). */
  readonly users: number;
  readonly arrivals: number;
  /** The UID the next arrival gets. */
  nextUid(): Uid;
  isActive(u: Uid): boolean;
  activeUids(): Uid[];
  hasUnread(u: Uid): boolean;
  believedDc(): Uid | undefined;
  groupMembers(): Uid[];
  /** The newest active user the group has not added (R16: the one a Leave(joiner) takes), if any. */
  newestJoiner(): Uid | undefined;
  dcChoices(): DcChoice[];
  join(): Promise<void>;
  leave(u: Uid): Promise<void>;
  read(u: Uid): Promise<void>;
  dcStep(c: DcChoice): Promise<void>;
  quiesce(senderPick: number): Promise<void>;
}

/** fast-check's model: the harness itself (check() reads the room's state, never changes it). */
export interface RoomModel {
  h: Harness;
}
export type RoomCommand = fc.AsyncCommand<RoomModel, Harness>;

/** Selectors are taken modulo the number of candidates; 840 = lcm(1..8) keeps the pick uniform. */
const pick = fc.nat({ max: 839 });
const nth = <T>(xs: readonly T[], k: number): T => xs[k % xs.length]!;

class JoinCommand implements RoomCommand {
  check(m: Readonly<RoomModel>): boolean {
    return !m.h.halted && m.h.nextUid() <= m.h.arrivals && m.h.activeUids().length < m.h.users;
  }
  async run(_m: RoomModel, h: Harness): Promise<void> {
    await h.join();
  }
  toString(): string {
    return "Join";
  }
}

/**
 * A user leaves or crashes (the same step): the k-th active user, or "dc": the
 * believed DC, taken only while another active user is in the group to take over
 * (so that DC changes are frequent and do not mostly kill the group), or "joiner":
 * the newest user not yet added (before its Welcome, or between its Welcome and its
 * Add), which the DC then skips (R16).
 */
class LeaveCommand implements RoomCommand {
  constructor(readonly who: "dc" | "joiner" | number) {}
  check(m: Readonly<RoomModel>): boolean {
    if (m.h.halted) return false;
    if (this.who === "joiner") return m.h.newestJoiner() !== undefined;
    if (this.who !== "dc") return m.h.activeUids().length > 0;
    const dc = m.h.believedDc();
    return dc !== undefined && m.h.groupMembers().some((u) => u !== dc && m.h.isActive(u));
  }
  async run(_m: RoomModel, h: Harness): Promise<void> {
    await h.leave(this.who === "dc" ? h.believedDc()! : this.who === "joiner" ? h.newestJoiner()! : nth(h.activeUids(), this.who));
  }
  toString(): string {
    return `Leave(${typeof this.who === "number" ? `#${this.who}` : this.who})`;
  }
}

/** A user arrives and leaves at once, before anyone has read its arrival (R16: the DC skips it). */
class JoinLeaveCommand implements RoomCommand {
  check(m: Readonly<RoomModel>): boolean {
    return new JoinCommand().check(m);
  }
  async run(_m: RoomModel, h: Harness): Promise<void> {
    await h.join();
    await h.leave(h.nextUid() - 1);
  }
  toString(): string {
    return "JoinLeave";
  }
}

/** The k-th active user with unread entries reads one. */
class ReadCommand implements RoomCommand {
  constructor(readonly k: number) {}
  private readers(h: Harness): Uid[] {
    return h.activeUids().filter((u) => h.hasUnread(u));
  }
  check(m: Readonly<RoomModel>): boolean {
    return !m.h.halted && this.readers(m.h).length > 0;
  }
  async run(_m: RoomModel, h: Harness): Promise<void> {
    await h.read(nth(this.readers(h), this.k));
  }
  toString(): string {
    return `Read(#${this.k})`;
  }
}

/** The k-th of the DC steps the room offers (Room.enabledDcSteps). */
class DcStepCommand implements RoomCommand {
  constructor(readonly k: number) {}
  check(m: Readonly<RoomModel>): boolean {
    return !m.h.halted && m.h.dcChoices().length > 0;
  }
  async run(_m: RoomModel, h: Harness): Promise<void> {
    await h.dcStep(nth(h.dcChoices(), this.k));
  }
  toString(): string {
    return `DcStep(#${this.k})`;
  }
}

/** Everyone catches up and the DC drains its work; then convergence is checked. */
class QuiesceCommand implements RoomCommand {
  constructor(readonly sender: number) {}
  check(m: Readonly<RoomModel>): boolean {
    return !m.h.halted;
  }
  async run(_m: RoomModel, h: Harness): Promise<void> {
    await h.quiesce(this.sender);
  }
  toString(): string {
    return `Quiesce(#${this.sender})`;
  }
}

/**
 * Command weights, tuned (mls off, 300 runs of up to 150 commands) for runs of
 * ~170 steps with ~2.3 DC changes on average (up to 10), and a live group at
 * three quarters of the Quiesce commands. A joiner leaving before it is added
 * (R16) comes from JoinLeave and from Leave(joiner), often enough that most
 * runs skip someone, before its Welcome and between its Welcome and its Add.
 */
const W = { join: 6, joinLeave: 1, leave: 5, leaveDc: 4, leaveJoiner: 1, leaveAny: 1, read: 10, dc: 8, quiesce: 2 };
/** The command mix. Reads dominate (every entry is read by every member); half the leaves are the DC's. */
export function roomCommandArbitrary(): fc.Arbitrary<RoomCommand> {
  return fc.oneof(
    { arbitrary: fc.constant<RoomCommand>(new JoinCommand()), weight: W.join },
    { arbitrary: fc.constant<RoomCommand>(new JoinLeaveCommand()), weight: W.joinLeave },
    {
      arbitrary: fc
        .oneof(
          { arbitrary: fc.constant<"dc">("dc"), weight: W.leaveDc },
          { arbitrary: fc.constant<"joiner">("joiner"), weight: W.leaveJoiner },
          { arbitrary: pick, weight: W.leaveAny },
        )
        .map((w): RoomCommand => new LeaveCommand(w)),
      weight: W.leave,
    },
    { arbitrary: pick.map((k): RoomCommand => new ReadCommand(k)), weight: W.read },
    { arbitrary: pick.map((k): RoomCommand => new DcStepCommand(k)), weight: W.dc },
    { arbitrary: pick.map((k): RoomCommand => new QuiesceCommand(k)), weight: W.quiesce },
  );
}

// --- Running the property ------------------------------------------------------

export interface CampaignOptions extends HarnessOptions {
  numRuns: number;
  seed?: number;
  /** fast-check's counterexample path, to replay a failure (with `seed` and `replayPath`). */
  path?: string;
  /** fc.commands' replayPath, printed with a failure. */
  replayPath?: string;
  /** Commands per run at most (default DEFAULT_MAX_COMMANDS); fc.commands generates up to this many (`size: "max"`). */
  maxCommands?: number;
  /** Called after each run (before the first failure: generation runs; after it: shrink runs). */
  onRun?: (stats: CampaignStats, shrinking: boolean) => void;
  /** Stop at the first failure without shrinking. */
  endOnFailure?: boolean;
}

export interface CampaignResult {
  failed: boolean;
  seed: number;
  numRuns: number;
  numShrinks: number;
  /** Runs before the first failure (and that failure). */
  stats: CampaignStats;
  ms: number;
  options: CampaignOptions;
  /** On failure: fast-check's path, fc.commands' replayPath, the shrunk commands, the error. */
  path?: string;
  replayPath?: string;
  commands?: string;
  error?: unknown;
  /** On failure: the shrunk failing run as an ITF trace. */
  trace?: ItfTrace;
}

/** The property: a random command sequence runs on a fresh room without breaking anything. */
export function roomProperty(opts: CampaignOptions, onRunDone: (h: RoomHarness, error: unknown) => void) {
  return harnessProperty(() => RoomHarness.create(opts), opts, onRunDone);
}

/** The same property for any harness (`create` makes a fresh one per run). */
export function harnessProperty<H extends Harness>(
  create: () => Promise<H>,
  opts: Pick<CampaignOptions, "maxCommands" | "replayPath">,
  onRunDone: (h: H, error: unknown) => void,
) {
  const constraints = { maxCommands: opts.maxCommands ?? DEFAULT_MAX_COMMANDS, size: "max" as const, ...(opts.replayPath ? { replayPath: opts.replayPath } : {}) };
  return fc.asyncProperty(fc.commands([roomCommandArbitrary()], constraints), async (cmds) => {
    const h = await create();
    let error: unknown;
    try {
      await fc.asyncModelRun(() => ({ model: { h }, real: h }), cmds);
    } catch (e) {
      error = e;
      throw e;
    } finally {
      onRunDone(h, error);
    }
  });
}

/** Runs the property `numRuns` times (fc.check), shrinks a failure and returns what is needed to replay it. */
export async function runCampaign(opts: CampaignOptions): Promise<CampaignResult> {
  const stats = new CampaignStats();
  let shrinking = false;
  let lastFailure: { h: RoomHarness; error: unknown } | undefined;
  const prop = roomProperty(opts, (h, error) => {
    if (!shrinking) stats.add(h);
    if (error !== undefined) {
      lastFailure = { h, error };
      shrinking = true;
    }
    opts.onRun?.(stats, shrinking);
  });
  const started = performance.now();
  const details = await fc.check(prop, {
    numRuns: opts.numRuns,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.path !== undefined ? { path: opts.path } : {}),
    ...(opts.endOnFailure ? { endOnFailure: true } : {}),
  });
  const result: CampaignResult = {
    failed: details.failed,
    seed: details.seed,
    numRuns: details.numRuns,
    numShrinks: details.numShrinks,
    stats,
    ms: performance.now() - started,
    options: opts,
  };
  if (!details.failed) return result;
  // fast-check's counterexample is the last failing run (shrinking moves only to failing values).
  const shown = String(details.counterexample?.[0] ?? "");
  result.path = details.counterexamplePath ?? undefined;
  result.replayPath = /replayPath="([^"]*)"/.exec(shown)?.[1] ?? opts.replayPath;
  result.commands = shown.replace(/\s*\/\*replayPath=.*\*\/$/, "");
  result.error = details.errorInstance ?? lastFailure?.error;
  if (lastFailure) {
    result.trace = lastFailure.h.toItf(lastFailure.error, {
      fuzz: {
        seed: result.seed,
        path: result.path,
        replayPath: result.replayPath,
        commands: result.commands,
        users: lastFailure.h.users,
        arrivals: lastFailure.h.arrivals,
        maxCommands: opts.maxCommands ?? DEFAULT_MAX_COMMANDS,
      },
      generatedBy: "conformance/random/property-engine.ts (npm run fuzz, test/property.test.ts)",
    });
  }
  return result;
}

export const counterexampleFile = (seed: number, dir = COUNTEREXAMPLE_DIR): string => join(dir, `fuzz-${seed}.itf.json`);

/** Writes a failed campaign's run to traces/counterexamples/fuzz-<seed>.itf.json; returns the file. */
export async function writeCounterexample(result: CampaignResult, dir = COUNTEREXAMPLE_DIR): Promise<string> {
  if (!result.trace) throw new Error("the campaign has no failing run to write");
  const file = counterexampleFile(result.seed, dir);
  await writeItf(file, result.trace);
  return file;
}

/** The commands that reproduce a failure: the recorded run, and the fast-check search. */
/** How to replay the failing run recorded in `file` (an ITF trace). */
export function recordedReplay(result: CampaignResult, file: string): string {
  return `replay the recorded run:   npm run replay -- ${file}${result.options.mls === false ? " --no-mls" : ""}`;
}

export function replayInstructions(result: CampaignResult, file?: string): string[] {
  const o = result.options;
  const flags = [
    ...(o.variant && o.variant !== "Correct" ? [`--variant ${o.variant}`] : []),
    ...(o.users !== undefined && o.users !== DEFAULT_USERS ? [`--users ${o.users}`] : []),
    ...(o.arrivals !== undefined ? [`--arrivals ${o.arrivals}`] : []),
    ...(o.mls === false ? ["--no-mls"] : []),
    ...(o.mls !== false && !o.tolerate?.length ? ["--strict"] : []),
    ...(o.maxCommands !== undefined && o.maxCommands !== DEFAULT_MAX_COMMANDS ? [`--max-commands ${o.maxCommands}`] : []),
  ];
  return [
    `seed ${result.seed}, path "${result.path}", replayPath "${result.replayPath}"`,
    ...(file ? [recordedReplay(result, file)] : []),
    `replay the fast-check run: npm run fuzz -- --seed ${result.seed} --path '${result.path}' --replay-path '${result.replayPath}'${flags.length ? ` ${flags.join(" ")}` : ""}`,
    `  (in code: fc.assert(prop, { seed: ${result.seed}, path: "${result.path}" }) with fc.commands(arbs, { replayPath: "${result.replayPath}" }))`,
  ];
}

/** A human-readable account of a failed campaign. */
export function describeFailure(result: CampaignResult, file?: string): string {
  const error = result.error;
  const what = error instanceof RunFailure ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return [
    `Property failed after ${result.numRuns} run(s), shrunk ${result.numShrinks} time(s); variant ${result.options.variant ?? "Correct"}, MLS ${result.options.mls === false ? "off" : "on"}, rooms of up to ${result.options.users ?? DEFAULT_USERS} users.`,
    `Commands: ${result.commands}`,
    `Failure ${what}`,
    ...replayInstructions(result, file),
  ].join("\n");
}
