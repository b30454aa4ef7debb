// Storage in Redis (ioredis): one stream per room (`dca:<room>:log`, entry i has
// stream ID 0-(i+1)), next to a hash (next UID), a set (users who left) and a hash
// ((uid, append id) -> index). Each decision is one Lua script, which Redis runs
// atomically: several DS processes on one Redis see one order and never hand out
// a UID twice. Durability is Redis's own (AOF/RDB as configured), not this file's.

import { Redis } from "ioredis";
import type { Uid } from "../types.ts";
import type { ClientEntry, WireEntry } from "./protocol.ts";
import type { AppendResult, Indexed, Storage } from "./storage.ts";

const PUSH = `
local head = redis.call('XLEN', KEYS[2])
redis.call('XADD', KEYS[2], '0-' .. (head + 1), 'e', ARGV[#ARGV])
`;
const ADMIT = `
local nxt = tonumber(redis.call('HGET', KEYS[1], 'next') or '1')
if tonumber(ARGV[1]) ~= nxt then return -2 end
redis.call('HSET', KEYS[1], 'next', nxt + 1)
if nxt == 1 then return -1 end
${PUSH}
return head`;
const APPEND = `
local had = redis.call('HGET', KEYS[3], ARGV[2])
if had then return {tonumber(had), 1} end
if redis.call('SISMEMBER', KEYS[4], ARGV[1]) == 1 then return {-1, 0} end
${PUSH}
redis.call('HSET', KEYS[3], ARGV[2], head)
return {head, 0}`;
const LEAVE = `
if redis.call('SADD', KEYS[3], ARGV[1]) == 0 then return -1 end
${PUSH}
return head`;

const keys = (room: string) => ({ meta: `dca:${room}:meta`, log: `dca:${room}:log`, appended: `dca:${room}:appended`, left: `dca:${room}:left` });

export class RedisStorage implements Storage {
  /** Other processes append too: the server polls for entries it did not write. */
  readonly shared = true;
  private constructor(private readonly redis: Redis) {}

  static async connect(url: string): Promise<RedisStorage> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    redis.on("error", () => {}); // reported by the failing command instead
    await redis.connect();
    return new RedisStorage(redis);
  }

  async nextUid(room: string): Promise<Uid> {
    return Number((await this.redis.hget(keys(room).meta, "next")) ?? 1);
  }
  async admit(room: string, uid: Uid, keyPackage?: string) {
    const k = keys(room);
    const body = JSON.stringify(keyPackage === undefined ? { type: "joined", uid } : { type: "joined", uid, keyPackage });
    const r = Number(await this.redis.eval(ADMIT, 2, k.meta, k.log, uid, body));
    return r === -2 ? null : { joinedAt: r === -1 ? null : r };
  }
  async append(room: string, uid: Uid, id: string, entry: ClientEntry): Promise<AppendResult> {
    const k = keys(room);
    const [index, existing] = (await this.redis.eval(APPEND, 4, k.meta, k.log, k.appended, k.left, uid, `${uid}/${id}`, JSON.stringify(entry))) as [number, number];
    return index === -1 ? "fenced" : { index, existing: existing === 1 };
  }
  async appendedAt(room: string, uid: Uid, id: string) {
    const had = await this.redis.hget(keys(room).appended, `${uid}/${id}`);
    return had === null ? null : Number(had);
  }
  async leave(room: string, uid: Uid) {
    const k = keys(room);
    const r = Number(await this.redis.eval(LEAVE, 3, k.meta, k.log, k.left, uid, JSON.stringify({ type: "left", uid })));
    return r === -1 ? null : r;
  }
  async hasLeft(room: string, uid: Uid) {
    return (await this.redis.sismember(keys(room).left, String(uid))) === 1;
  }
  async read(room: string, from: number): Promise<Indexed[]> {
    const rows = await this.redis.xrange(keys(room).log, `0-${from + 1}`, "+");
    return rows.map(([id, fields]) => ({ index: Number(id.split("-")[1]) - 1, entry: JSON.parse(fields[1]!) as WireEntry }));
  }
  async head(room: string) {
    return this.redis.xlen(keys(room).log);
  }
  async close() {
    this.redis.disconnect();
  }
}
