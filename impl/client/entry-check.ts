// Entries come from the delivery service, which is untrusted (spec/dca.md
// section 3): before any rule or MLS work, an entry must be one of the six kinds
// with every field of the right type, so the member machine only ever sees
// entries its rules are defined on.

import { NO_UID, type LogEntry, type Uid } from "../types.ts";

/** A log entry that is not one of the six kinds, or has a field missing or of the wrong type. */
export class MalformedEntry extends Error {
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

/** Throws MalformedEntry unless `entry` is well-formed (with its MLS bytes when MLS is on). */
export function checkEntry(entry: LogEntry, withMls: boolean): void {
  const e = entry as unknown as Record<string, unknown> | null;
  const type = e?.type;
  if (typeof type !== "string" || !["joined", "left", "skipped", "welcome", "add", "remove"].includes(type)) {
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
  if (type === "skipped") {
    for (const field of ["uid", "sender"]) if (!isUid(e![field])) bad(field);
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

export const sameUids = (a: readonly Uid[], b: readonly Uid[]) =>
  a.length === b.length && [...a].sort((x, y) => x - y).every((x, i) => x === [...b].sort((p, q) => p - q)[i]);

/** The same UIDs in the same order (a Welcome's removes list is ordered, R7). */
export const sameList = (a: readonly Uid[], b: readonly Uid[]) => a.length === b.length && a.every((x, i) => x === b[i]);
