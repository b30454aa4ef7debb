// A storage backend from its command-line name: memory, sqlite:FILE, redis:URL.

import { MemoryStorage } from "./storage-memory.ts";
import { SqliteStorage } from "./storage-sqlite.ts";
import type { Storage } from "./storage.ts";

export async function openStorage(spec: string): Promise<Storage> {
  if (spec === "memory") return new MemoryStorage();
  if (spec.startsWith("sqlite:") && spec.length > 7) return new SqliteStorage(spec.slice(7));
  if (spec.startsWith("redis:")) {
    const { RedisStorage } = await import("./storage-redis.ts");
    return RedisStorage.connect(spec);
  }
  throw new Error("expected memory, sqlite:FILE or redis:URL");
}
