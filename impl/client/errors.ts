// The ways a member's step can fail: the step is not enabled in its current
// state (the model would not take it either), a log entry it read was refused
// (R9), or the DS's answer to its arrival was refused. Shared by the in-process
// room and the network client.

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

/**
 * The DS's answer to a new user's arrival cannot be right (R2, R15): its list of the users
 * present is not a list of earlier UIDs in increasing order. The user does not start on it
 * (it would rank the wrong users and could revive a live room).
 */
export class BadPresentList extends Error {
  override readonly name = "BadPresentList";
  constructor(
    readonly uid: Uid,
    detail: string,
  ) {
    super(`the DS's "ready" answer for new user ${uid}: field present: ${detail}`);
  }
}

/** @spec DCA!Join R2 R15 — the present list a new user `uid` was given, checked: earlier UIDs, increasing, no repeats. */
export function checkPresent(uid: Uid, present: unknown): Uid[] {
  if (!Array.isArray(present)) throw new BadPresentList(uid, `expected an array of UIDs, got ${JSON.stringify(present)}`);
  present.forEach((v: unknown, i) => {
    if (!Number.isSafeInteger(v) || (v as number) < 1 || (v as number) >= uid) {
      throw new BadPresentList(uid, `entry ${i} is ${JSON.stringify(v)}, not a UID of an earlier user (1..${uid - 1})`);
    }
    if (i > 0 && (v as number) <= (present[i - 1] as number)) {
      throw new BadPresentList(uid, `entry ${i} (${String(v)}) does not follow ${String(present[i - 1])}: UIDs must increase, each once`);
    }
  });
  return present as Uid[];
}
