// Resumable TLC runs as this repository uses them (scripts/tlc/resumable.ts; the
// driver's own tests: scripts/tlc/test/resumable.test.ts): the run key follows this
// model's modules, the run folder is under this project's cache folder, and
// npm run tlc --resumable on real TLC. The real stop-and-resume takes minutes (TLC
// checkpoints at most once a minute), so it is proven by `make resume-drill`
// (scripts/resume-drill.ts) instead.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { moduleClosure, readLedger, runDir, runsRoot } from "../scripts/tlc/resumable.ts";
import { resolveTlc } from "../scripts/tlc/resolve.ts";
import { readItf } from "../scripts/tlc/formats/itf.ts";

const ROOT = new URL("..", import.meta.url).pathname;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tlc-resumable-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("runKey and run folders in this repository", () => {
  it("follows EXTENDS and INSTANCE to the project's own modules, not into comments", () => {
    expect(moduleClosure("tla/DCA.tla")).toEqual(["DCA.tla"]);
    expect(moduleClosure("tla/DCA_Record.tla")).toEqual(["DCA.tla", "DCA_Record.tla"]);
    // DCA_Validate's header comment mentions a module that EXTENDS it; only real clauses count.
    expect(moduleClosure("tla/DCA_Validate.tla")).toEqual(["DCA.tla", "DCA_Validate.tla"]);
  });

  it("names the run folder after the config, under the user's cache", () => {
    expect(runsRoot({ XDG_CACHE_HOME: "/c" }, "/h")).toBe("/c/dca-verified/runs");
    expect(runsRoot({}, "/h")).toBe("/h/.cache/dca-verified/runs");
    expect(runDir("/r", "tla/MC_full.cfg", "0123")).toBe("/r/MC_full-0123");
  });
});

describe("a resumable run that finds a violation (real TLC)", () => {
  it("exits 1 and leaves TLC's counterexample as an ITF trace in the run folder, with the result in the ledger", async () => {
    const jar = await resolveTlc({ log: () => {} });
    const cache = join(dir, "cache");
    // A small fixture spec (not DCA: the correspondence map must not count this as a test of the model).
    const tlcCli = (...extra: string[]) =>
      spawnSync(
        process.execPath,
        ["--import", "./scripts/register-ts-node.mjs", "scripts/tlc.ts", "scripts/tlc/test/fixtures/tlc/specs/Inv.cfg", "--spec", "scripts/tlc/test/fixtures/tlc/specs/Inv.tla", ...extra],
        { cwd: ROOT, encoding: "utf8", env: { ...process.env, XDG_CACHE_HOME: cache, TLA2TOOLS_JAR: jar.jar } },
      );
    const before = tlcCli("--resumable", "--status");
    expect(before.status, before.stderr).toBe(0);
    expect(before.stdout).toMatch(/^No resumable run of scripts\/tlc\/test\/fixtures\/tlc\/specs\/Inv\.cfg for this model and TLC jar yet/);
    expect(existsSync(join(cache, "dca-verified", "runs"))).toBe(false); // a status runs and makes nothing
    const r = tlcCli("--resumable", "--workers", "1", "--quiet");
    expect(r.status, r.stderr).toBe(1);
    const after = tlcCli("--resumable", "--status");
    expect(after.status, after.stderr).toBe(0);
    expect(after.stdout).toMatch(/\nResult: +VIOLATION: invariant Safe violated; 8 distinct states, depth 4/);
    const misuse = tlcCli("--status");
    expect(misuse.status).toBe(2);
    expect(misuse.stderr).toMatch(/^tlc: usage: --status needs --resumable/);
    const [folder] = readdirSync(join(cache, "dca-verified", "runs"));
    const run = join(cache, "dca-verified", "runs", folder!);
    expect(r.stdout).toContain(`Trace:      written to ${join(run, "counterexample.itf.json")}`);
    const trace = await readItf(join(run, "counterexample.itf.json"));
    expect(trace["#meta"]?.outcome).toBe("invariant Safe violated");
    expect(trace["#meta"]?.violation).toEqual({ kind: "invariant", name: "Safe" }); // what replay and the viewer mark
    expect(trace.states).toHaveLength(4); // one worker: the shortest counterexample
    expect(readLedger(run)?.final).toMatchObject({ ok: false, exitCode: 1, outcome: "invariant Safe violated" });
    expect(existsSync(join(run, "meta"))).toBe(false); // checkpoint files go once there is a result
  }, 60_000);
});

describe("npm run tlc --trace-out (real TLC)", () => {
  it("names the violated liveness property TLC leaves unnamed, when the config checks only that one", () => {
    const out = join(dir, "live.itf.json");
    const r = spawnSync(
      process.execPath,
      ["--import", "./scripts/register-ts-node.mjs", "scripts/tlc.ts", "scripts/tlc/test/fixtures/tlc/specs/Live.cfg", "--workers", "1", "--quiet", "--out", join(dir, "tlc"), "--trace-out", out],
      { cwd: ROOT, encoding: "utf8" },
    );
    expect(r.status, r.stderr).toBe(1);
    const meta = JSON.parse(readFileSync(out, "utf8"))["#meta"];
    expect(meta.violation).toEqual({ kind: "property", name: "Reach5" });
    expect(meta.variant).toBeUndefined(); // the config selects none
  }, 60_000);
});
