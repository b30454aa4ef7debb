// An in-memory delivery service for the client's unit tests (test/client-*.test.ts):
// one room's log, UIDs from 1, entries relayed in order to every connection from its
// cursor, appends refused after a user's `left` (fenced). It speaks the client's
// DsLink interface directly (no socket), so the client's own logic — reading,
// DC steps, the outbox after a crash, leaving — is tested apart from the network.
// The real server is impl/ds/ (the chaos test runs the client against it).

import type { DsLink, LinkHandlers } from "../impl/client/link.ts";
import type { LogEntry, Uid } from "../impl/types.ts";

interface Conn {
  uid: Uid | null;
  cursor: number;
  handlers: LinkHandlers;
  open: boolean;
}

export class MemoryDs {
  readonly log: LogEntry[] = [];
  private nextUid = 1;
  private readonly conns = new Set<Conn>();
  private readonly fenced = new Set<Uid>();
  /** Drop (do not append) the next append from this user, as a connection lost mid-send. */
  loseNextAppendOf: Uid | null = null;

  connect = async (handlers: LinkHandlers): Promise<DsLink> => {
    const conn: Conn = { uid: null, cursor: 0, handlers, open: true };
    this.conns.add(conn);
    const start = (from: number) => {
      conn.cursor = from;
      setImmediate(() => this.flush(conn));
    };
    return {
      joinNew: async (_room, keyPackageFor) => {
        const uid = this.nextUid++;
        conn.uid = uid;
        const kp = await keyPackageFor(uid);
        let joinedAt: number | null = null;
        // Who is present (R2, R15): every earlier user not announced as left.
        const present = Array.from({ length: uid - 1 }, (_, i) => i + 1).filter((v) => !this.fenced.has(v));
        if (uid !== 1) {
          joinedAt = this.push(kp ? { type: "joined", uid, keyPackage: kp } : { type: "joined", uid });
        }
        start(joinedAt === null ? 0 : joinedAt + 1);
        return { uid, head: this.log.length, joinedAt, present: uid === 1 ? [] : present };
      },
      resume: async (_room, uid, cursor) => {
        conn.uid = uid;
        if (this.fenced.has(uid)) setImmediate(() => handlers.fenced(`user ${uid} was announced as left`));
        start(cursor);
        return { uid, head: this.log.length, joinedAt: null, present: [] };
      },
      append: async (entry) => {
        if (!conn.open) throw new Error("connection closed");
        if (conn.uid !== null && this.fenced.has(conn.uid)) {
          setImmediate(() => handlers.fenced("appends refused after left"));
          throw new Error(`user ${conn.uid} is fenced`);
        }
        if (this.loseNextAppendOf === conn.uid) {
          this.loseNextAppendOf = null;
          this.close(conn, "lost mid-append");
          throw new Error("connection lost");
        }
        return this.push(structuredClone(entry));
      },
      broadcast: (data) => {
        for (const c of this.conns) if (c !== conn && c.open) setImmediate(() => c.handlers.broadcast(conn.uid, data.slice()));
      },
      leave: () => {
        if (conn.uid !== null) this.announceLeft(conn.uid);
      },
      close: () => this.close(conn, "closed by client"),
    };
  };

  /** The DS appends `left` for `uid` (its client left or is presumed dead) and fences it. */
  announceLeft(uid: Uid): void {
    if (this.fenced.has(uid)) return;
    this.fenced.add(uid);
    this.push({ type: "left", uid });
  }

  /** Every connection drops (a DS restart); clients reconnect. */
  dropAll(): void {
    for (const c of [...this.conns]) this.close(c, "server restarting");
  }

  private close(conn: Conn, why: string): void {
    if (!conn.open) return;
    conn.open = false;
    this.conns.delete(conn);
    setImmediate(() => conn.handlers.closed(why));
  }

  private push(entry: LogEntry): number {
    this.log.push(entry);
    for (const c of this.conns) setImmediate(() => this.flush(c));
    return this.log.length - 1;
  }

  private flush(conn: Conn): void {
    while (conn.open && conn.cursor < this.log.length) {
      const i = conn.cursor++;
      conn.handlers.entry(i, structuredClone(this.log[i]!));
    }
  }
}
