// Model-based random testing of the batched rules (impl/batch.ts, BatchRoom, real MLS):
// the fast-check commands of conformance/random/property-engine.ts (Join, Leave(u),
// Read(u), a DC step chosen among those the room offers, Quiesce) drive a BatchRoom
// through BatchHarness. After every room step the model's invariants and step properties
// (conformance/random/invariants.ts, which read batched entries' targets) are checked on
// the room mapped to the batched model (conformance/model/batch-refinement.ts), and MLS
// must agree with it (each member's epoch and membership, one safety number per epoch);
// after Quiesce the room must have converged (BatchRoom.converged: one epoch, nothing
// pending, the MLS group exactly the active users, one safety number) unless everyone has
// left. Every run is recorded (BatchRunRecorder) for TLC's trace validation and the
// batched replay.

import fc from "fast-check";
import { BatchRoom, type BatchRank } from "../../impl/batch.ts";
import type { Uid } from "../../impl/types.ts";
import type { ItfTrace } from "../../scripts/tlc/formats/itf.ts";
import type { ModelState } from "../model/refinement.ts";
import { Active, Believes, Deserted, view } from "../model/state-view.ts";
import { batchMlsProblems, batchModelOf, formatBatchParams, type BatchStepParams } from "../replay/batch-replay.ts";
import { BatchRunRecorder } from "../validate/batch-validate.ts";
import { checkInvariants, checkStep, type Violation } from "./invariants.ts";
import { harnessProperty, RunFailure, type DcChoice, type Harness, type KnownBug } from "./property-engine.ts";

export interface BatchHarnessOptions {
  /** Room size (default 4) and how many users ever arrive (default 2 × users). */
  users?: number;
  arrivals?: number;
  /** Known-bad tie-break (tests' teeth): tla/DCA_Batch.tla's BatchRank. */
  batchRank?: BatchRank;
  /** false: the known-bad rule before R16 (no skip). */
  skip?: boolean;
}

const DC_STEP = /^(DcWelcome|DcAdd|DcRemove|DcSkip|Revive)\((\d+)(?: → ([\d,]+))?\)$/;

export class BatchHarness implements Harness {
  readonly recorder: BatchRunRecorder;
  readonly halted: KnownBug | undefined = undefined;
  private current: ModelState;
  steps = 0;
  quiesces = 0;
  converged = 0;
  /** Steps whose Welcome, Add or Remove named two targets or more. */
  batched = 0;
  readonly actions = new Map<string, number>();

  private constructor(
    readonly room: BatchRoom,
    readonly users: number,
    readonly arrivals: number,
  ) {
    this.recorder = new BatchRunRecorder(room, arrivals);
    this.current = batchModelOf(room, arrivals);
  }

  static async create(opts: BatchHarnessOptions = {}): Promise<BatchHarness> {
    const users = opts.users ?? 4;
    return new BatchHarness(await BatchRoom.create({ batchRank: opts.batchRank ?? "Uid", skip: opts.skip ?? true }), users, opts.arrivals ?? 2 * users);
  }

  get model(): ModelState {
    return this.current;
  }

  nextUid(): Uid {
    return this.room.nextUid;
  }

  isActive(u: Uid): boolean {
    return this.room.view(u).status === "active";
  }

  activeUids(): Uid[] {
    return this.room.active();
  }

  hasUnread(u: Uid): boolean {
    return this.isActive(u) && this.room.view(u).cursor < this.room.log.length;
  }

  believedDc(): Uid | undefined {
    return view(this.current).st.find((s) => Believes(s, "Correct"))?.uid;
  }

  groupMembers(): Uid[] {
    return view(this.current).group.members;
  }

  /** The newest active user the group has not added, if any (Harness; R16). */
  newestJoiner(): Uid | undefined {
    const m = this.groupMembers();
    return this.activeUids().filter((u) => !m.includes(u)).at(-1);
  }

  /** The DC steps the room offers; a batch is the room's to choose, so a choice names no target. */
  dcChoices(): DcChoice[] {
    return this.room.enabledDcSteps().map((text) => {
      const m = DC_STEP.exec(text);
      if (!m) throw new Error(`cannot parse the enabled DC step ${JSON.stringify(text)}`);
      return { action: m[1] as DcChoice["action"], u: Number(m[2]) };
    });
  }

  async join(): Promise<void> {
    await this.step("Join", { u: this.room.nextUid }, () => this.room.arrive());
  }

  async leave(u: Uid): Promise<void> {
    await this.step("Leave", { u }, () => this.room.leave(u));
  }

  async read(u: Uid): Promise<void> {
    await this.step("Read", { u }, async () => {
      if (!(await this.room.read(u))) throw new Error(`member ${u} had nothing to read`);
    });
  }

  async dcStep(c: DcChoice): Promise<void> {
    const before = this.room.log.length;
    await this.step(c.action, { u: c.u }, async () => {
      switch (c.action) {
        case "DcWelcome":
          return this.room.dcWelcome(c.u);
        case "DcAdd":
          return this.room.dcAdd(c.u);
        case "DcRemove":
          return this.room.dcRemove(c.u);
        case "DcSkip":
          return this.room.dcSkip(c.u);
        case "Revive":
          return this.room.revive(c.u);
        default:
          throw new Error(`${c.action} is not a step of the batched rules`);
      }
    }, () => {
      // The targets the step's entry names (read off the log, as DCA_BatchRecord reads them).
      const e = this.room.log.length > before ? this.room.log.at(-1) : undefined;
      if (e?.type === "skipped") return { targets: [e.uid] };
      return e && "targets" in e ? { targets: [...e.targets] } : {};
    });
  }

  private async step(action: string, params: BatchStepParams, perform: () => unknown, more: () => BatchStepParams = () => ({})): Promise<void> {
    const before = this.current;
    const violations: Violation[] = [];
    try {
      await perform();
    } catch (e) {
      violations.push({ property: "StepTaken", kind: "check", details: [`the room refused ${action}${formatBatchParams(params)}, a step it offered: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`] });
    }
    const taken = { ...params, ...more() };
    if ((taken.targets?.length ?? 0) > 1) this.batched++;
    this.recorder.record(action, taken);
    this.steps++;
    this.actions.set(action, (this.actions.get(action) ?? 0) + 1);
    const after = batchModelOf(this.room, this.arrivals);
    this.current = after;
    violations.push(...checkStep(before, after, "Correct"), ...checkInvariants(after, "Correct"));
    const mlsBad = batchMlsProblems(this.room);
    if (mlsBad.length) violations.push({ property: "MlsAgreement", kind: "check", details: mlsBad });
    if (violations.length) throw new RunFailure(violations, this.recorder.length - 1, `${action}${formatBatchParams(taken)}`);
  }

  async quiesce(_senderPick: number, maxRounds = 1_000): Promise<void> {
    this.quiesces++;
    for (let round = 0; ; round++) {
      if (round >= maxRounds) throw new RunFailure([{ property: "QuiesceEnds", kind: "check", details: [`still busy after ${maxRounds} rounds`] }], this.recorder.length - 1, "Quiesce");
      let progressed = false;
      for (const u of this.activeUids()) {
        while (this.hasUnread(u)) {
          await this.read(u);
          progressed = true;
        }
      }
      const dc = this.dcChoices()[0];
      if (dc) {
        await this.dcStep(dc);
        progressed = true;
      }
      if (!progressed) break;
    }
    this.recorder.record("Quiesced", {});
    if (Deserted(this.current)) return;
    if (!this.room.converged()) {
      const s = view(this.current);
      const details = [`not converged: active ${Active(s).map((u) => `${u.uid} (epoch ${u.epoch} by ${u.by}${u.welcomed ? "" : ", not welcomed"})`).join(", ")}; group epoch ${s.group.epoch} by ${s.group.by}, members {${s.group.members.join(", ")}}`];
      throw new RunFailure([{ property: "Converged", kind: "check", details }], this.recorder.length - 1, "Quiesce");
    }
    this.converged++;
  }

  toItf(failure?: unknown): ItfTrace {
    return this.recorder.toItf(failure instanceof RunFailure ? { violation: { kind: failure.violations[0]!.kind, name: failure.property }, violations: failure.violations, failedAt: { index: failure.stateIndex, step: failure.step } } : {});
  }
}

export interface BatchCampaignOptions extends BatchHarnessOptions {
  numRuns: number;
  seed: number;
  maxCommands?: number;
  /** Shrink a failure (default true); false stops at the first failing run as it ran. */
  shrink?: boolean;
  /** Called after every run with its harness (its recorder holds the run). */
  onRun?: (h: BatchHarness, error: unknown) => void;
}

export interface BatchCampaignResult {
  failed: boolean;
  numRuns: number;
  /** Summed over the runs before the first failure. */
  steps: number;
  batched: number;
  quiesces: number;
  converged: number;
  /** Steps taken per action. */
  actions: Map<string, number>;
  error?: unknown;
  /** The shrunk failing run, recorded. */
  trace?: ItfTrace;
  ms: number;
}

/** fast-check campaign of BatchHarness runs (the commands of property-engine.ts). */
export async function runBatchCampaign(opts: BatchCampaignOptions): Promise<BatchCampaignResult> {
  const result: BatchCampaignResult = { failed: false, numRuns: 0, steps: 0, batched: 0, quiesces: 0, converged: 0, actions: new Map(), ms: 0 };
  let failing: { h: BatchHarness; error: unknown } | undefined;
  const prop = harnessProperty(() => BatchHarness.create(opts), { maxCommands: opts.maxCommands ?? 40 }, (h, error) => {
    opts.onRun?.(h, error);
    if (error !== undefined) failing = { h, error };
    if (failing !== undefined && error === undefined) return;
    if (failing === undefined || failing.h === h) {
      if (!result.failed) {
        result.numRuns++;
        result.steps += h.steps;
        result.batched += h.batched;
        result.quiesces += h.quiesces;
        result.converged += h.converged;
        for (const [a, n] of h.actions) result.actions.set(a, (result.actions.get(a) ?? 0) + n);
      }
      if (error !== undefined) result.failed = true;
    }
  });
  const started = performance.now();
  const details = await fc.check(prop, { numRuns: opts.numRuns, seed: opts.seed, ...(opts.shrink === false ? { endOnFailure: true } : {}) });
  result.ms = performance.now() - started;
  result.failed = details.failed;
  if (details.failed && failing) {
    result.error = details.errorInstance ?? failing.error;
    result.trace = failing.h.toItf(failing.error);
  }
  return result;
}
