// The model of a delivery service that forges a Welcome's `removes` (tla/DCA_ForgedWelcome.tla,
// spec/welcome-auth.md). With the list trusted, TLC finds two members that believe they are
// the DC (tla/Gap_ForgedRemoves.cfg must fail with AtMostOneBelievesDc); with the joiner
// refusing a list that differs from the one its committer signed, every MC_ci property holds
// (tla/MC_forged_auth.cfg, 3 users). The two configurations differ in WelcomeRule alone, so
// the passing one has teeth; and forgeries do happen under it (NoWelcomeRefused fails).
// Also pinned: a DS that can only EMPTY the list breaks no safety property (the joiner ranks
// more members before itself, not fewer) but stalls the group (QuiescentNoPendings).
// Budget: under 60 s on one worker (five small 3-user runs; 47 s measured on the shared 2-core machine).
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTlc } from "../scripts/tlc/run.ts";
import { skipWithoutTlc, testJar } from "./local-tlc.ts";

const OUT = join("build", "test-forged-welcome");
const run = (config: string, out: string, spec = "tla/MC_forged_auth.tla") =>
  runTlc({ spec, config, jar: testJar(), workers: 1, quiet: true, outDir: join(OUT, out) });

/** A configuration of the module's own, written for one check. */
async function adHoc(name: string, lines: string[]): Promise<string> {
  const file = join(OUT, `${name}.cfg`);
  await writeFile(file, `SPECIFICATION FSpec\nCONSTANTS\n  Users = 3\n  Variant = "Correct"\n${lines.join("\n")}\n`);
  return file;
}

describe.skipIf(skipWithoutTlc)("a DS forging a Welcome's removes list (TLC)", () => {
  beforeAll(() => mkdir(OUT, { recursive: true }));
  afterAll(() => rm(OUT, { recursive: true, force: true }));

  it("the two configurations differ only in the rule under test", async () => {
    const strip = (t: string) => t.replace(/\\\*.*$/gm, "").replace(/WelcomeRule = "\w+"/, "").trim();
    const gap = await readFile("tla/Gap_ForgedRemoves.cfg", "utf8");
    const auth = await readFile("tla/MC_forged_auth.cfg", "utf8");
    expect(gap).toContain('WelcomeRule = "Trusted"');
    expect(auth).toContain('WelcomeRule = "Authenticated"');
    expect(strip(gap)).toBe(strip(auth));
  });

  it("trusted: a forged list naming the live DC makes a second DC (Gap_ForgedRemoves fails, 7 states)", async () => {
    const r = await run("tla/Gap_ForgedRemoves.cfg", "gap", "tla/Gap_ForgedRemoves.tla");
    expect(r.outcome).toEqual({ kind: "invariant", name: "AtMostOneBelievesDc" });
    expect(r.errorTrace).toHaveLength(7);
  }, 60_000);

  it("authenticated: every MC_ci property holds (MC_forged_auth passes)", async () => {
    const r = await run("tla/MC_forged_auth.cfg", "auth");
    expect(r.outcome).toEqual({ kind: "ok" });
    expect(r.distinctStates).toBeGreaterThan(5_000);
  }, 60_000);

  it("authenticated: the DS does forge, and joiners do refuse (NoWelcomeRefused fails)", async () => {
    const cfg = await adHoc("refused", ['  WelcomeRule = "Authenticated"', "INVARIANTS", "  NoWelcomeRefused"]);
    expect((await run(cfg, "refused")).outcome).toEqual({ kind: "invariant", name: "NoWelcomeRefused" });
  }, 60_000);

  it("trusted, a DS that can only empty the list: no second DC, no fork, but a stalled group", async () => {
    const emptied = ['  WelcomeRule = "Trusted"', "  ForgeableLists <- EmptiedList"];
    const safe = await adHoc("emptied-safe", [...emptied, "INVARIANTS", "  TypeOK", "  AtMostOneBelievesDc", "  NoFork", "  ViewMatchesGroup", "PROPERTIES", "  CommitsFromBelievedDc", "  NoDoubleCommit"]);
    const safeRun = await run(safe, "emptied-safe");
    expect(safeRun.outcome).toEqual({ kind: "ok" });
    const stuck = await adHoc("emptied-stuck", [...emptied, "INVARIANTS", "  QuiescentNoPendings"]);
    expect((await run(stuck, "emptied-stuck")).outcome).toEqual({ kind: "invariant", name: "QuiescentNoPendings" });
  }, 90_000);
});
