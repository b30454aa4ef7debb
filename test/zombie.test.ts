// Blind spot 2 (spec/zombie.md): a live user announced as left. Under today's rules a
// "zombie" DC's Welcomes and Commits, appended after its own `left`, fork the group
// (tla/Gap_Zombie.cfg must fail with ZNoFork: NoFork for the users not announced as left); with the DS fencing announced users
// (tla/MC_zombie.cfg, run by make check-candidates: about a minute, and the refinement
// below covers the users still counted) every MC_ci property holds at 3 users. The two
// configurations differ in ZombieRule alone, so the passing one has teeth: the same check
// fails without the fence. The fence is checked as a refinement (tla/MC_fence_refines.cfg,
// which make check runs: the fenced model refines DCA when an announced user is Gone);
// here its teeth: without the fence the refinement fails at the zombie's first append
// (tla/Gap_ZombieRefines.cfg), and without fairness the mapped behaviour breaks DCA's
// FairSpec (tla/MC_fence_liveness.cfg passes with it). Budget: about 20 s on one worker
// (Gap_Zombie's 3-user run is most of it; the refinement's must-fail runs take 1-5 s).
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTlc } from "../scripts/tlc/run.ts";
import { skipWithoutTlc, testJar } from "./local-tlc.ts";

const OUT = join("build", "test-zombie");

describe.skipIf(skipWithoutTlc)("blind spot 2: a user announced as left while alive (TLC)", () => {
  beforeAll(() => mkdir(OUT, { recursive: true }));
  afterAll(() => rm(OUT, { recursive: true, force: true }));

  it("the two configurations differ only in the rule under test", async () => {
    const strip = (t: string) => t.replace(/\\\*.*$/gm, "").replace(/ZombieRule = "\w+"/, "").replace(/\s*NoZombieAppend/, "").trim();
    const gap = await readFile("tla/Gap_Zombie.cfg", "utf8");
    const fenced = await readFile("tla/MC_zombie.cfg", "utf8");
    expect(gap).toContain('ZombieRule = "None"');
    expect(fenced).toContain('ZombieRule = "Fence"');
    expect(strip(gap)).toBe(strip(fenced));
  });

  it("the refinement check and its must-fail twin differ only in the rule under test", async () => {
    const strip = (t: string) => t.replace(/\\\*.*$/gm, "").replace(/ZombieRule = "\w+"/, "").trim();
    const gap = await readFile("tla/Gap_ZombieRefines.cfg", "utf8");
    const fenced = await readFile("tla/MC_fence_refines.cfg", "utf8");
    expect(gap).toContain('ZombieRule = "None"');
    expect(fenced).toContain('ZombieRule = "Fence"');
    expect(fenced).toMatch(/PROPERTIES\s+RefinesDCA\s*$/);
    expect(strip(gap)).toBe(strip(fenced));
  });

  it("without the fence the model does not refine DCA: the zombie's first append is a step DCA cannot take", async () => {
    const run = await runTlc({ spec: "tla/MC_fence_refines.tla", config: "tla/Gap_ZombieRefines.cfg", jar: testJar(), workers: 1, quiet: true, outDir: join(OUT, "refines") });
    // TLC names no action property it finds violated; the config checks RefinesDCA alone.
    expect(run.outcome.kind).toBe("property");
    const steps = run.errorTrace ?? [];
    // The violating step: user 1, announced as left, appends a Welcome after its own `left`.
    expect(steps.map((s) => s.action)).toEqual(["Initial predicate", "ZJoin", "Announce", "ZRead", "ZDc"]);
    const last = steps[steps.length - 1]!.stateText;
    expect(last).toMatch(/announced = \{1\}/);
    expect(last).toMatch(/type \|-> "welcome"[^\]]*sender \|-> 1/);
  }, 60_000);

  it("fairness carries over only with the users' own fairness: without it the mapped behaviour breaks DCA's FairSpec", async () => {
    // tla/MC_fence_liveness.cfg (make check) passes under ZFairSpec; under ZSpec alone a user may stop reading for ever.
    const cfg = join(OUT, "unfair.cfg");
    await writeFile(cfg, 'SPECIFICATION ZSpec\nCONSTANTS\n  Users = 2\n  Variant = "Correct"\n  ZombieRule = "Fence"\nPROPERTIES\n  RefinesFairDCA\n');
    const run = await runTlc({ spec: "tla/MC_fence_liveness.tla", config: cfg, jar: testJar(), workers: 1, quiet: true, outDir: join(OUT, "unfair") });
    expect(run.outcome.kind).toBe("property");
    expect(run.stuttering).toBe(true);
  }, 60_000);

  it("today's rules: a zombie DC forks a live member (Gap_Zombie fails with ZNoFork)", async () => {
    const run = await runTlc({ spec: "tla/Gap_Zombie.tla", config: "tla/Gap_Zombie.cfg", jar: testJar(), workers: 1, quiet: true, outDir: join(OUT, "gap") });
    expect(run.outcome).toEqual({ kind: "invariant", name: "ZNoFork" });
  }, 120_000);

  it("today's rules let a zombie append (NoZombieAppend tells the case apart)", async () => {
    const cfg = join(OUT, "append.cfg");
    await writeFile(cfg, 'SPECIFICATION ZSpec\nCONSTANTS\n  Users = 3\n  Variant = "Correct"\n  ZombieRule = "None"\nPROPERTIES\n  NoZombieAppend\n');
    const run = await runTlc({ spec: "tla/MC_zombie.tla", config: cfg, jar: testJar(), workers: 1, quiet: true, outDir: join(OUT, "append") });
    expect(run.outcome).toEqual({ kind: "property", name: "NoZombieAppend" });
  }, 60_000);
});
