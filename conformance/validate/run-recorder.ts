// Records an implementation run as a trace of the model's variables (through the
// refinement mapping), in ITF: the same form as the model's traces, so TLC can
// check it (trace validation) and `npm run replay` can replay it. ModelRunRecorder
// is the recording itself, for any room and mapping; RunRecorder records impl/room.ts,
// through the batched mapping when the room runs batch: true (its trace is then of the
// batched model, with `#meta.batch`, and `npm run validate` checks it against
// tla/DCA_BatchValidate.tla); the batched rules' BatchRunRecorder, in batch-validate.ts,
// records impl/batch.ts.

import type { Room } from "../../impl/room.ts";
import type { ItfMeta, ItfState, ItfTrace } from "../../scripts/tlc/formats/itf.ts";
import type { ItfValue } from "../../scripts/tlc/formats/tla-values.ts";
import { modelHash } from "../generate/model-source-hash.ts";
import { toBatchModel } from "../model/batch-refinement.ts";
import { toModel, type ModelState } from "../model/refinement.ts";
import type { BatchStepParams } from "../replay/batch-replay.ts";
import { coreBatchSnapshot } from "../replay/core-batch-replay.ts";
import { snapshot, type StepParams } from "../replay/replay-trace.ts";
import { DCA_VARS } from "../model/vocabulary.ts";

/** A run recorded state by state: the room mapped to the model (`modelNow`) after each step, with the step's action and parameters. */
export class ModelRunRecorder<P> {
  private readonly states: ItfState[] = [];

  /**
   * Starts recording (the room in its current state, normally just created). `itfParams` writes a
   * step's parameters as the trace has them; `header` says what the trace is, in its #meta.
   */
  constructor(
    private readonly modelNow: () => ModelState,
    private readonly itfParams: (params: P) => unknown,
    private readonly header: () => ItfMeta,
  ) {
    this.push("Init", {} as P);
  }

  /** Call after each step taken on the room, naming the model action and its parameters. */
  record(action: string, params: P): void {
    this.push(action, params);
  }

  private push(action: string, params: P): void {
    this.states.push({ "#meta": { index: this.states.length, action, params: this.itfParams(params) }, ...this.modelNow() });
  }

  get length(): number {
    return this.states.length;
  }

  toItf(meta: ItfMeta = {}): ItfTrace {
    return {
      "#meta": {
        format: "ITF",
        "format-description": "https://apalache-mc.org/docs/adr/015adr-trace.html",
        ...this.header(),
        ...meta,
      },
      vars: [...DCA_VARS],
      states: this.states.map((s) => structuredClone(s)),
    };
  }
}

/** A step's parameters as a trace of the batched model has them: the acting user, and its targets as a set. */
export function batchItfParams(params: BatchStepParams): Record<string, ItfValue> {
  const p: Record<string, ItfValue> = {};
  if (params.u !== undefined) p.u = params.u;
  if (params.targets !== undefined) p.targets = { "#set": [...params.targets].sort((a, b) => a - b) };
  return p;
}

/** Records a Room run; UIDs 1..users. A room with batch: true is recorded as a run of the batched model (its DC steps labelled by user; the log says the targets). */
export class RunRecorder extends ModelRunRecorder<StepParams> {
  constructor(room: Room, users: number) {
    const batched = room.batched;
    super(
      batched ? () => toBatchModel({ ...coreBatchSnapshot(room), users }) : () => toModel(snapshot(room, users)),
      batched ? (params) => batchItfParams(params.u === undefined ? {} : { u: params.u }) : (params) => params,
      () => ({
        description: batched
          ? "A run of the implementation with batch: true, mapped to the batched model's variables (conformance/model/batch-refinement.ts)"
          : "A run of the implementation, mapped to the model's variables (conformance/model/refinement.ts)",
        source: "impl",
        variant: room.variant,
        users,
        ...(batched ? { batch: true } : { modelHash: modelHash() }),
      }),
    );
  }
}
