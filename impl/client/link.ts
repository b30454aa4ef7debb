// What the client needs from its connection to the delivery service, whatever the
// wire format: join a room (a new user, or a returning one with its UID and
// cursor), receive entries in log order with their index, append an entry and learn
// where it landed, broadcast and receive application messages, and hear that it is
// fenced or that the server refused something. impl/client/ds-link.ts implements it
// over impl/ds/protocol.ts.

import type { LogEntry, Uid } from "../types.ts";

export interface LinkHandlers {
  /** The entry at `index` of the room's log; called in index order, from the cursor asked for. */
  entry(index: number, entry: LogEntry): void;
  /** An application message relayed by the DS (opaque bytes, here an MLS PrivateMessage). */
  broadcast(from: Uid | null, data: Uint8Array): void;
  /** The DS announced this user as left: it refuses its appends from now on. */
  fenced(reason: string): void;
  /** The DS refused a request (names why); the connection goes on. */
  refused(reason: string): void;
  /** The connection ended (server gone, network, heartbeat). */
  closed(why: string): void;
}

export interface Joined {
  uid: Uid;
  /** The log length when the DS answered: a resumed client has caught up when it has read this far. */
  head: number;
  /** For a new user: where its own `joined` entry is (it reads from the next one); null for the creator (UID 1, no entry). */
  joinedAt: number | null;
  /**
   * For a new user: the users present when its `joined` was appended (arrived and not
   * announced as left), in increasing order; empty for the creator and for a resume (R2, R15).
   */
  present: Uid[];
}

export interface DsLink {
  /**
   * A new user: the DS assigns a UID, the client makes its KeyPackage for it
   * (`keyPackageFor`; null for the room's creator, UID 1), and the DS appends its
   * `joined` entry. Entries then arrive from after that entry.
   */
  joinNew(room: string, keyPackageFor: (uid: Uid) => Promise<Uint8Array | null>): Promise<Joined>;
  /** A returning user: entries arrive from `cursor` on. */
  resume(room: string, uid: Uid, cursor: number): Promise<Joined>;
  /** Appends a DC's entry; resolves with its log index. */
  append(entry: LogEntry, id: string): Promise<number>;
  broadcast(data: Uint8Array): void;
  /** Tells the DS this user leaves (it appends `left`). */
  leave(): void;
  close(): void;
}
