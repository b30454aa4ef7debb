// Storage in the server's memory: nothing survives the process. For tests and demos.

import type { Uid } from "../types.ts";
import type { ClientEntry, WireEntry } from "./protocol.ts";
import type { AppendResult, Indexed, Storage } from "./storage.ts";

interface Room {
  log: WireEntry[];
  nextUid: Uid;
  left: Set<Uid>;
  appended: Map<string, number>;
}

export class MemoryStorage implements Storage {
  private readonly rooms = new Map<string, Room>();

  private room(name: string): Room {
    let r = this.rooms.get(name);
    if (!r) this.rooms.set(name, (r = { log: [], nextUid: 1, left: new Set(), appended: new Map() }));
    return r;
  }

  async nextUid(room: string): Promise<Uid> {
    return this.room(room).nextUid;
  }

  async admit(room: string, uid: Uid, keyPackage?: string): Promise<{ joinedAt: number | null } | null> {
    const r = this.room(room);
    if (uid !== r.nextUid) return null;
    r.nextUid++;
    if (uid === 1) return { joinedAt: null };
    r.log.push(keyPackage === undefined ? { type: "joined", uid } : { type: "joined", uid, keyPackage });
    return { joinedAt: r.log.length - 1 };
  }

  async append(room: string, uid: Uid, id: string, entry: ClientEntry): Promise<AppendResult> {
    const r = this.room(room);
    const key = `${uid}/${id}`;
    const had = r.appended.get(key);
    if (had !== undefined) return { index: had, existing: true };
    if (r.left.has(uid)) return "fenced";
    r.log.push(entry);
    r.appended.set(key, r.log.length - 1);
    return { index: r.log.length - 1, existing: false };
  }

  async appendedAt(room: string, uid: Uid, id: string): Promise<number | null> {
    return this.room(room).appended.get(`${uid}/${id}`) ?? null;
  }

  async leave(room: string, uid: Uid): Promise<number | null> {
    const r = this.room(room);
    if (r.left.has(uid)) return null;
    r.left.add(uid);
    r.log.push({ type: "left", uid });
    return r.log.length - 1;
  }

  async hasLeft(room: string, uid: Uid): Promise<boolean> {
    return this.room(room).left.has(uid);
  }

  async read(room: string, from: number): Promise<Indexed[]> {
    return this.room(room).log.slice(from).map((entry, i) => ({ index: from + i, entry }));
  }

  async head(room: string): Promise<number> {
    return this.room(room).log.length;
  }

  async close(): Promise<void> {}
}
