// The swarm of TLC random walks past the exhaustive bound (npm run simulate): a short
// campaign of the correct model at 8-10 users takes every action without a violation,
// and the campaign has teeth: a known-bad variant is caught, and its counterexample is
// a trace the implementation replays step by step.
import { spawnSync } from "node:child_process";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CORRECT_ACTIONS, drawSeed, runSeed } from "../scripts/lib/swarm.ts";
import { skipWithoutTlc, testJar } from "./local-tlc.ts";

const OUT = join("build", "test-simulate");

describe("drawSeed", () => {
  it("draws users within the range and a leave cap below the users, the same for the same seed", () => {
    for (let seed = 1; seed < 200; seed++) {
      const s = drawSeed(seed, 8, 10);
      expect(s.users).toBeGreaterThanOrEqual(8);
      expect(s.users).toBeLessThanOrEqual(10);
      expect(s.maxGone).toBeGreaterThanOrEqual(0);
      expect(s.maxGone).toBeLessThan(s.users);
      expect(drawSeed(seed, 8, 10)).toEqual(s);
    }
    const caps = new Set(Array.from({ length: 50 }, (_, i) => drawSeed(i + 1, 8, 10).maxGone));
    expect(caps.size).toBeGreaterThan(3); // a swarm, not one configuration
  });
});

describe.skipIf(skipWithoutTlc)("a swarm campaign (TLC -simulate)", () => {
  afterAll(() => rm(OUT, { recursive: true, force: true }));
  const o = (variant = "Correct") => ({ jar: testJar(), walks: 5, depth: 300, variant, outRoot: join(OUT, variant) });

  it("walks the correct model at 8-10 users through every action without a violation", async () => {
    const total: Record<string, number> = {};
    for (let seed = 1; seed <= 4; seed++) {
      const r = await runSeed(drawSeed(seed, 8, 10), o());
      expect(r.violation).toBeNull();
      expect(r.walks).toBe(5);
      for (const [k, v] of Object.entries(r.actions)) total[k] = (total[k] ?? 0) + v;
    }
    for (const a of CORRECT_ACTIONS) expect(total[a], `${a} never taken`).toBeGreaterThan(0);
  }, 120_000);

  it("catches a known-bad variant and writes a counterexample the implementation replays", async () => {
    const r = await runSeed(drawSeed(1, 8, 10), o("WelcomeOutOfOrder"));
    expect(r.violation).not.toBeNull();
    const replay = spawnSync(process.execPath, ["--import", "./scripts/register-ts-node.mjs", "scripts/replay.ts", r.violation!.itf], { encoding: "utf8" });
    expect(replay.stdout).toMatch(/followed all \d+ steps/);
    expect(replay.stdout).toMatch(/violated here/);
  }, 120_000);
});
