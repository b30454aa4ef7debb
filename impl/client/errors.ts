// The two ways a member's step can fail: the step is not enabled in its current
// state (the model would not take it either), or a log entry it read was refused
// (R9). Shared by the in-process room and the network client.

import type { Uid } from "../types.ts";

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
