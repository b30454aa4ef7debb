// A delivery service that forges a field MLS or the member's own checks bind makes the
// reader refuse that entry, which is as if not received (spec/welcome-auth.md section 5,
// tla/DCA_Refusals.tla: any member may skip any entry). TLC: such refusals never make two
// members believe they are the DC (tla/MC_refusals.cfg passes, 3 users); they do leave a
// member behind (NoFork fails), which is the DS denying service — so the skips are real
// and the passing check has teeth. With R15 the silent refusal of a `joined` splits the room
// (Gap_RefusalSplit fails); R16's skip closes it (MC_refusals_skip passes), and without the
// joiner learning from its own `skipped` it is open again. And where the DS garbles only
// KeyPackages, no DC is ever left with a non-member to remove (RemovesAreMembers, which MLS
// needs): only because a skipped user's `left` ends only the ranking (LeftOfSkipped) and the DS
// neither announces a skipped user's departure nor counts it present (RJoin, RGoSilently);
// without either it fails. Budget: under 100 s on one worker (eight 3-user runs; 97 s measured
// for the first five with a 6-user TLC run on the same 2 cores, 27 s on a quiet machine).
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTlc } from "../scripts/tlc/run.ts";
import { skipWithoutTlc, testJar } from "./local-tlc.ts";

const OUT = join("build", "test-refusals");
const run = (config: string, out: string) =>
  runTlc({ spec: "tla/MC_refusals.tla", config, jar: testJar(), workers: 1, quiet: true, outDir: join(OUT, out) });

describe.skipIf(skipWithoutTlc)("a DS whose forgeries make members refuse entries (TLC)", () => {
  beforeAll(() => mkdir(OUT, { recursive: true }));
  afterAll(() => rm(OUT, { recursive: true, force: true }));

  it("refusals never make two members believe they are the DC (MC_refusals passes)", async () => {
    const r = await run("tla/MC_refusals.cfg", "pass");
    expect(r.outcome).toEqual({ kind: "ok" });
    expect(r.distinctStates).toBeGreaterThan(10_000);
  }, 60_000);

  // @spec DCA!Revive R15 — with silent refusals (RefusalRule "Silent"); the check above runs the rules before R15 (Variant = "NoRevive").
  it("with R15, a DC made to refuse a `joined` lets the skipped user revive apart: two DCs of two groups (Gap_RefusalSplit fails)", async () => {
    expect(await readFile("tla/MC_refusals.cfg", "utf8")).toContain('Variant = "NoRevive"');
    const r = await run("tla/Gap_RefusalSplit.cfg", "split");
    expect(r.outcome).toEqual({ kind: "invariant", name: "AtMostOneBelievesDc" });
  }, 60_000);

  it("but a member that refused a Commit stays behind (NoFork fails): the refusals do happen", async () => {
    const cfg = join(OUT, "nofork.cfg");
    await writeFile(cfg, 'SPECIFICATION RSpec\nCONSTANTS\n  Users = 3\n  Variant = "Correct"\n  RefusalRule = "Silent"\nINVARIANTS\n  NoFork\n');
    expect((await run(cfg, "nofork")).outcome).toEqual({ kind: "invariant", name: "NoFork" });
  }, 60_000);

  // @spec DCA!DcSkip R16 R15
  it("R16's skip closes it: the refuser skips the joiner, which reads its `skipped` and never revives (MC_refusals_skip passes)", async () => {
    const cfg = await readFile("tla/MC_refusals_skip.cfg", "utf8");
    expect(cfg).toContain('RefusalRule = "Skip"');
    const r = await run("tla/MC_refusals_skip.cfg", "skip");
    expect(r.outcome).toEqual({ kind: "ok" });
    expect(r.distinctStates).toBeGreaterThan(20_000);
  }, 60_000);

  it("without the joiner learning from its own `skipped`, the split is back", async () => {
    const dir = join(OUT, "deaf");
    await mkdir(dir, { recursive: true });
    for (const f of ["DCA.tla", "DCA_Inputs.tla", "MC_refusals.tla", "MC_refusals_skip.cfg"]) await copyFile(join("tla", f), join(dir, f));
    const text = await readFile("tla/DCA_Refusals.tla", "utf8");
    const own = '/\\ NextEntry(u).type = "skipped" /\\ NextEntry(u).uid = u';
    expect(text).toContain(own);
    await writeFile(join(dir, "DCA_Refusals.tla"), text.replace(own, "/\\ FALSE"));
    const r = await runTlc({ spec: join(dir, "MC_refusals.tla"), config: join(dir, "MC_refusals_skip.cfg"), jar: testJar(), workers: 1, quiet: true, outDir: join(OUT, "deaf-out") });
    expect(r.outcome).toEqual({ kind: "invariant", name: "AtMostOneBelievesDc" });
  }, 60_000);

  /** MC_refusals_skip plus RemovesAreMembers, with only `joined` entries refused (a DS garbling KeyPackages), the module edited by `edits`. */
  async function keyPackagesOnly(name: string, edits: [string, string][]) {
    const dir = join(OUT, name);
    await mkdir(dir, { recursive: true });
    for (const f of ["DCA.tla", "DCA_Inputs.tla", "MC_refusals.tla"]) await copyFile(join("tla", f), join(dir, f));
    const cfg = await readFile("tla/MC_refusals_skip.cfg", "utf8");
    expect(cfg).toContain("  AtMostOneBelievesDc\n");
    await writeFile(join(dir, "MC.cfg"), cfg.replace("  AtMostOneBelievesDc\n", "  AtMostOneBelievesDc\n  RemovesAreMembers\n"));
    let text = await readFile("tla/DCA_Refusals.tla", "utf8");
    const refuse = 'Refuse(u) ==\n    /\\ st[u].status = "active"\n    /\\ HasNext(u)\n';
    for (const [from, to] of [[refuse, refuse.replace("HasNext(u)", 'HasNext(u) /\\ NextEntry(u).type = "joined"')], ...edits] as [string, string][]) {
      expect(text).toContain(from);
      text = text.replace(from, to);
    }
    await writeFile(join(dir, "DCA_Refusals.tla"), text);
    return runTlc({ spec: join(dir, "MC_refusals.tla"), config: join(dir, "MC.cfg"), jar: testJar(), workers: 1, quiet: true, outDir: join(dir, "out") });
  }

  // @spec DCA_Refusals!LeftOfSkipped DCA_Refusals!RGoSilently R16
  it("a DS garbling KeyPackages never leaves a DC a non-member to remove; without LeftOfSkipped, or with the skipped user announced and present, it does", async () => {
    const ok = await keyPackagesOnly("kp", []);
    expect(ok.outcome).toEqual({ kind: "ok" });
    expect(ok.distinctStates).toBeGreaterThan(5_000);
    const deaf = await keyPackagesOnly("kp-no-left-of-skipped", [["IF LeftOfSkipped(u) THEN", "IF FALSE THEN"]]);
    expect(deaf.outcome).toEqual({ kind: "invariant", name: "RemovesAreMembers" });
    const announced = await keyPackagesOnly("kp-announced", [
      ["IF u \\in skippedUsers THEN RGoSilently(u) ELSE Leave(u)", "Leave(u)"],
      ['IF RefusalRule = "Skip" THEN RJoin ELSE Join', "Join"],
    ]);
    expect(announced.outcome).toEqual({ kind: "invariant", name: "RemovesAreMembers" });
  }, 90_000);
});
