// Two boundaries of the delivery service: it never parses MLS (no file of impl/ds/
// imports ts-mls, or anything of the project but impl/types.ts: spec/delivery-service.md),
// and a returning client naming a UID the room never handed out is refused by name,
// with the room's log untouched.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDs, type RunningDs } from "../impl/ds/server.ts";
import { MemoryStorage } from "../impl/ds/storage-memory.ts";
import { observeLog, RawClient } from "./ds-harness.ts";

describe("impl/ds imports", () => {
  it("no ts-mls, and nothing of the project but impl/types.ts", () => {
    const files = readdirSync("impl/ds").filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) {
      const text = readFileSync(join("impl/ds", f), "utf8");
      const specs = [...text.matchAll(/^\s*(?:import|export)\b[^;]*?from\s+"([^"]+)"/gm)].map((m) => m[1]!);
      expect(specs.filter((s) => s === "ts-mls" || s.startsWith("ts-mls/")), f).toEqual([]);
      expect(specs.filter((s) => s.startsWith("..")), f).toEqual(specs.filter((s) => s === "../types.ts"));
    }
  });
});

describe("a resume naming a UID the room never gave", () => {
  let ds: RunningDs;
  const storage = new MemoryStorage();
  beforeAll(async () => {
    ds = await startDs({ storage, heartbeatMs: 60000, graceMs: 60000 });
  });
  afterAll(async () => {
    await ds.close();
    await storage.close();
  });

  it("is refused as unknown-user, and the log stays as it was", async () => {
    const a = await RawClient.open(ds.url);
    await a.join("unknown-uid");
    const b = await RawClient.open(ds.url);
    await b.join("unknown-uid", "S1BL"); // UID 2, log: joined 2
    const before = await observeLog(ds.url, "unknown-uid");
    const c = await RawClient.open(ds.url);
    c.send({ t: "hello", room: "unknown-uid", uid: 7, cursor: 0 });
    expect(await c.kind("error")).toMatchObject({ code: "unknown-user", reason: expect.stringMatching(/no user 7/) });
    expect(await observeLog(ds.url, "unknown-uid")).toEqual(before);
    for (const x of [a, b, c]) x.close();
  });
});
