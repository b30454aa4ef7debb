// Read-only views of a group (allowed on retired handles too).
// One part of the MLS facade; impl/mls.ts re-exports its public names (see its header).

import { leafUids } from "./credentials.ts";
import { groupRecord, type MlsGroup } from "./handles.ts";

/** The group's epoch number. */
export function epochOf(group: MlsGroup): number {
  return Number(groupRecord(group).state.groupContext.epoch);
}

/** A copy of the epoch's 32-byte epoch authenticator (input of the safety number). */
export function epochAuthenticator(group: MlsGroup): Uint8Array {
  return groupRecord(group).state.keySchedule.epochAuthenticator.slice();
}

/** The members' UIDs, ascending. */
export function membersOf(group: MlsGroup): number[] {
  return [...leafUids(groupRecord(group).state.ratchetTree, "membersOf").values()].sort((a, b) => a - b);
}

/** This member's UID. */
export function myUid(group: MlsGroup): number {
  return groupRecord(group).uid;
}
