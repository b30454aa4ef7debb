// Storage in one SQLite file (better-sqlite3). Every decision is one transaction,
// committed before the server answers, with synchronous=FULL: an acknowledged
// append survives kill -9 of the server (and a power cut, as far as fsync goes).

import Database from "better-sqlite3";
import type { Uid } from "../types.ts";
import type { ClientEntry, WireEntry } from "./protocol.ts";
import type { AppendResult, Indexed, Storage } from "./storage.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS rooms (room TEXT PRIMARY KEY, next_uid INTEGER NOT NULL, head INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS entries (room TEXT NOT NULL, idx INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (room, idx));
CREATE TABLE IF NOT EXISTS appended (room TEXT NOT NULL, uid INTEGER NOT NULL, id TEXT NOT NULL, idx INTEGER NOT NULL, PRIMARY KEY (room, uid, id));
CREATE TABLE IF NOT EXISTS lefts (room TEXT NOT NULL, uid INTEGER NOT NULL, PRIMARY KEY (room, uid));
`;

export class SqliteStorage implements Storage {
  private readonly db: Database.Database;
  private readonly tx: {
    admit: (room: string, uid: Uid, keyPackage?: string) => { joinedAt: number | null } | null;
    append: (room: string, uid: Uid, id: string, entry: ClientEntry) => AppendResult;
    leave: (room: string, uid: Uid) => number | null;
  };

  constructor(readonly file: string) {
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.exec(SCHEMA);
    const roomRow = this.db.prepare<[string], { next_uid: number; head: number }>("SELECT next_uid, head FROM rooms WHERE room = ?");
    const ensure = this.db.prepare("INSERT OR IGNORE INTO rooms (room, next_uid, head) VALUES (?, 1, 0)");
    const setRoom = this.db.prepare("UPDATE rooms SET next_uid = ?, head = ? WHERE room = ?");
    const insert = this.db.prepare("INSERT INTO entries (room, idx, body) VALUES (?, ?, ?)");
    const had = this.db.prepare<[string, number, string], { idx: number }>("SELECT idx FROM appended WHERE room = ? AND uid = ? AND id = ?");
    const mark = this.db.prepare("INSERT INTO appended (room, uid, id, idx) VALUES (?, ?, ?, ?)");
    const left = this.db.prepare<[string, number], { uid: number }>("SELECT uid FROM lefts WHERE room = ? AND uid = ?");
    const fence = this.db.prepare("INSERT INTO lefts (room, uid) VALUES (?, ?)");
    const row = (room: string) => {
      ensure.run(room);
      return roomRow.get(room)!;
    };
    const push = (room: string, entry: WireEntry, r: { next_uid: number; head: number }, nextUid = r.next_uid): number => {
      insert.run(room, r.head, JSON.stringify(entry));
      setRoom.run(nextUid, r.head + 1, room);
      return r.head;
    };
    this.tx = {
      admit: this.db.transaction((room: string, uid: Uid, keyPackage?: string) => {
        const r = row(room);
        if (uid !== r.next_uid) return null;
        if (uid === 1) {
          setRoom.run(2, r.head, room);
          return { joinedAt: null };
        }
        const e: WireEntry = keyPackage === undefined ? { type: "joined", uid } : { type: "joined", uid, keyPackage };
        return { joinedAt: push(room, e, r, uid + 1) };
      }),
      append: this.db.transaction((room: string, uid: Uid, id: string, entry: ClientEntry): AppendResult => {
        const h = had.get(room, uid, id);
        if (h) return { index: h.idx, existing: true };
        if (left.get(room, uid)) return "fenced";
        const index = push(room, entry, row(room));
        mark.run(room, uid, id, index);
        return { index, existing: false };
      }),
      leave: this.db.transaction((room: string, uid: Uid) => {
        if (left.get(room, uid)) return null;
        fence.run(room, uid);
        return push(room, { type: "left", uid }, row(room));
      }),
    };
    this.hasLeftQ = (room, uid) => left.get(room, uid) !== undefined;
    this.appendedQ = (room, uid, id) => had.get(room, uid, id)?.idx ?? null;
    this.rowQ = row;
    const readQ = this.db.prepare<[string, number], { idx: number; body: string }>("SELECT idx, body FROM entries WHERE room = ? AND idx >= ? ORDER BY idx");
    this.readQ = (room, from) => readQ.all(room, from).map((r) => ({ index: r.idx, entry: JSON.parse(r.body) as WireEntry }));
  }
  private readonly hasLeftQ: (room: string, uid: Uid) => boolean;
  private readonly appendedQ: (room: string, uid: Uid, id: string) => number | null;
  private readonly rowQ: (room: string) => { next_uid: number; head: number };
  private readonly readQ: (room: string, from: number) => Indexed[];

  async nextUid(room: string): Promise<Uid> {
    return this.rowQ(room).next_uid;
  }
  async admit(room: string, uid: Uid, keyPackage?: string) {
    return this.tx.admit(room, uid, keyPackage);
  }
  async append(room: string, uid: Uid, id: string, entry: ClientEntry) {
    return this.tx.append(room, uid, id, entry);
  }
  async appendedAt(room: string, uid: Uid, id: string) {
    return this.appendedQ(room, uid, id);
  }
  async leave(room: string, uid: Uid) {
    return this.tx.leave(room, uid);
  }
  async hasLeft(room: string, uid: Uid) {
    return this.hasLeftQ(room, uid);
  }
  async read(room: string, from: number) {
    return this.readQ(room, from);
  }
  async head(room: string) {
    return this.rowQ(room).head;
  }
  async close() {
    this.db.close();
  }
}

/** A room's whole log from a SQLite file, read-only (for validating a run after the server stopped). */
export function readSqliteLog(file: string, room: string): Indexed[] {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare<[string], { idx: number; body: string }>("SELECT idx, body FROM entries WHERE room = ? ORDER BY idx")
      .all(room)
      .map((r) => ({ index: r.idx, entry: JSON.parse(r.body) as WireEntry }));
  } finally {
    db.close();
  }
}
