// The one interface the delivery service keeps its rooms behind. Each operation
// that decides something (a UID taken, an entry appended, a user fenced) is atomic
// in the backend, so the server holds no state a restart would need: the logs, the
// next UID, who has left, and which (uid, append id) pairs already landed.

import type { Uid } from "../types.ts";
import type { ClientEntry, WireEntry } from "./protocol.ts";

export interface Indexed {
  index: number;
  entry: WireEntry;
}

export type AppendResult = { index: number; existing: boolean } | "fenced";

export interface Storage {
  /** The UID the room's next user gets (1 for a new room: the creator). */
  nextUid(room: string): Promise<Uid>;
  /**
   * Takes `uid` if it is still the room's next UID, and appends its `joined`
   * (none for UID 1, the creator: model Init). null when the UID was taken meanwhile.
   */
  admit(room: string, uid: Uid, keyPackage?: string): Promise<{ joinedAt: number | null } | null>;
  /** Appends unless `uid` has left; an (uid, id) pair already appended answers its index (idempotent). */
  append(room: string, uid: Uid, id: string, entry: ClientEntry): Promise<AppendResult>;
  /** The index an (uid, id) append landed at, or null if none has (so a retried append is answered before it is checked). */
  appendedAt(room: string, uid: Uid, id: string): Promise<number | null>;
  /** Appends `left` and fences `uid`; null if it had already left. */
  leave(room: string, uid: Uid): Promise<number | null>;
  hasLeft(room: string, uid: Uid): Promise<boolean>;
  /** Entries from index `from` on, in order. */
  read(room: string, from: number): Promise<Indexed[]>;
  head(room: string): Promise<number>;
  close(): Promise<void>;
  /** True when other processes append to the same rooms (the server then polls for their entries). */
  readonly shared?: boolean;
}
