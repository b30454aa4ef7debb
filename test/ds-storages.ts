// Every storage backend of the delivery service (memory, SQLite, Redis), for a suite that
// runs once on each against a DS of its own (test/ds-storage.test.ts, test/ds-skip.test.ts, test/refusal-ds.test.ts):
// the guarantees must hold whatever stores the log. Redis is a redis-server of the test
// file's own (ds-harness.ts startRedis), SQLite a database file in a folder of its own,
// both gone after the file's tests.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { startDs, type RunningDs } from "../impl/ds/server.ts";
import { MemoryStorage } from "../impl/ds/storage-memory.ts";
import { RedisStorage } from "../impl/ds/storage-redis.ts";
import { SqliteStorage } from "../impl/ds/storage-sqlite.ts";
import type { Storage } from "../impl/ds/storage.ts";
import { startRedis } from "./ds-harness.ts";

/**
 * The backends by name, each opening a fresh storage, for describe.each. Call it at the top
 * of a test file: it adds that file's hooks starting Redis and removing the SQLite folder
 * (named after `folderPrefix`).
 */
export function storageBackends(folderPrefix: string): [name: string, open: () => Promise<Storage>][] {
  const dir = mkdtempSync(join(tmpdir(), folderPrefix));
  let redis: Awaited<ReturnType<typeof startRedis>>;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return [
    ["memory", async () => new MemoryStorage()],
    ["sqlite", async () => new SqliteStorage(join(dir, `${Math.random()}.db`))],
    ["redis", async () => RedisStorage.connect(redis.url)],
  ];
}

/**
 * A DS on a storage `open` gives, for the enclosing suite: started before its tests (heartbeat
 * and grace long enough never to interfere), closed with its storage after them. Its fields are
 * set once the suite starts: read them in tests, not while the suite is collected.
 */
export function dsForSuite(open: () => Promise<Storage>): { ds: RunningDs; storage: Storage } {
  const running = {} as { ds: RunningDs; storage: Storage };
  beforeAll(async () => {
    running.storage = await open();
    running.ds = await startDs({ storage: running.storage, heartbeatMs: 60000, graceMs: 60000 });
  });
  afterAll(async () => {
    await running.ds.close();
    await running.storage.close();
  });
  return running;
}
