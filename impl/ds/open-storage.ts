// A storage backend from its command-line name: memory, sqlite:FILE, redis:URL.

import { MemoryStorage } from "./storage-memory.ts";
import { SqliteStorage } from "./storage-sqlite.ts";
import type { Storage } from "./storage.ts";

export async function openStorage(spec: string): Promise<Storage> {
  if (spec === "memory") return new MemoryStorage();
  if (spec.startsWith("sqlite:") && spec.length > 7) return new SqliteStorage(spec.slice(7));
  if (spec.startsWith("redis:")) {
    const { RedisStorage } = await import("./storage-redis.ts");
    // Both "redis:redis://host:port" and plain "redis://host:port".
    return RedisStorage.connect(spec.startsWith("redis:redis") ? spec.slice(6) : spec);
  }
  throw new Error("expected memory, sqlite:FILE or redis:URL");
}
