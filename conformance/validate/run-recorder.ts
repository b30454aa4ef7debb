// Records an implementation run as a trace of the model's variables (through the
// refinement mapping), in ITF: the same form as the model's traces, so TLC can
// check it (trace validation) and `npm run replay` can replay it.

import type { Room } from "../../impl/room.ts";
import type { ItfMeta, ItfState, ItfTrace } from "../../scripts/tlc/formats/itf.ts";
import { modelHash } from "../generate/model-source-hash.ts";
import { toModel } from "../model/refinement.ts";
import { snapshot, type StepParams } from "../replay/replay-trace.ts";
import { DCA_VARS } from "../model/vocabulary.ts";

export class RunRecorder {
  private readonly states: ItfState[] = [];

  /** Starts recording `room` (in its current state, normally just created); UIDs 1..users. */
  constructor(
    private readonly room: Room,
    private readonly users: number,
  ) {
    this.push("Init", {});
  }

  /** Call after each step taken on the room, naming the model action and its parameters. */
  record(action: string, params: StepParams): void {
    this.push(action, params);
  }

  private push(action: string, params: StepParams): void {
    this.states.push({ "#meta": { index: this.states.length, action, params }, ...toModel(snapshot(this.room, this.users)) });
  }

  get length(): number {
    return this.states.length;
  }

  toItf(meta: ItfMeta = {}): ItfTrace {
    return {
      "#meta": {
        format: "ITF",
        "format-description": "https://apalache-mc.org/docs/adr/015adr-trace.html",
        description: "A run of the implementation, mapped to the model's variables (conformance/model/refinement.ts)",
        source: "impl",
        variant: this.room.variant,
        users: this.users,
        modelHash: modelHash(),
        ...meta,
      },
      vars: [...DCA_VARS],
      states: this.states.map((s) => structuredClone(s)),
    };
  }
}
