// Entries come from the delivery service, which is untrusted (spec/dca.md
// section 3): before any rule or MLS work, an entry must be one of the six kinds
// with every field of the right type, so the member machine only ever sees
// entries its rules are defined on. A batched entry's `targets` list is checked as the
// DS checks it (impl/types.ts targetsProblem: non-empty, integer UIDs, ascending, no
// repeats, its first the entry's `target`), and a batched Welcome must name every one
// of its targets among its members.

import { NO_UID, targetsProblem, type LogEntry, type Uid } from "../types.ts";

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
  const listProblem = targetsProblem(e!.target, e!.targets);
  if (listProblem !== null) throw new MalformedEntry("malformed-entry", `a ${type} entry with a malformed targets list: ${listProblem}`);
  if (type === "welcome") {
    if (!isUidList(e!.members)) bad("members");
    if (!isUidList(e!.removes)) bad("removes");
    const outside = ((e!.targets ?? []) as Uid[]).filter((t) => !(e!.members as Uid[]).includes(t));
    if (outside.length > 0) throw new MalformedEntry("malformed-entry", `a welcome entry whose targets ${outside.join(", ")} are not among its members`);
    bytes("welcome");
  } else {
    if (!(e!.parent === NO_UID || isUid(e!.parent))) bad("parent");
    bytes("commit");
  }
}
