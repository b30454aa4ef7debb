// The media property checked by TLC (tla/Media.tla, spec/media.md): with the keys of
// the last two epochs kept, nobody reads a frame of an epoch it was not in and no
// frame is lost within the window (tla/MC_media.cfg passes); with no past-epoch keys,
// as published, a frame sent just before a Commit is lost (the known-bad
// configuration must fail with NoLossWithinWindow).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runTlc } from "../scripts/tlc/run.ts";
import { skipWithoutTlc, testJar } from "./local-tlc.ts";

const run = (config: string) =>
  runTlc({ spec: "tla/Media.tla", config: `tla/${config}`, jar: testJar(), workers: 2, quiet: true, outDir: join("build", "test-media-model", config) });

describe.skipIf(skipWithoutTlc)("the media model (TLC)", () => {
  it("keeps every frame within the window and shows none outside its epoch (MC_media)", async () => {
    const r = await run("MC_media.cfg");
    expect(r.outcome).toEqual({ kind: "ok" });
    expect(r.distinctStates).toBeGreaterThan(10_000);
  }, 180_000);

  it("loses a frame across a Commit without past-epoch keys (the published design)", async () => {
    const r = await run("MediaMutant_NoPastEpochKeys.cfg");
    expect(r.outcome).toEqual({ kind: "invariant", name: "NoLossWithinWindow" });
  }, 60_000);
});
