// The command-line contract of `npm run tlc` (scripts/tlc.ts): bad usage ends in one
// line `tlc: usage: …` and exit 2 before anything runs; a config must be a .cfg file;
// options that only a resumable run (or only a run) uses are refused elsewhere; TLC's
// -continue gives the first counterexample only, and says how many TLC printed; a
// resumable run already checked says where its counterexample is, or that it is not.
// The runs of TLC use the tiny fixture specs in scripts/tlc/test/fixtures/tlc/specs/ (seconds each).

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, rmdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readItf } from "../scripts/tlc/formats/itf.ts";
import { resolveTlc } from "../scripts/tlc/resolve.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const SPECS = "scripts/tlc/test/fixtures/tlc/specs";
const tmp = mkdtempSync(join(tmpdir(), "tlc-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Never the user's cache; TLA2TOOLS_JAR is added for the tests that run TLC.
let env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: join(tmp, "cache") };

function tlc(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "./scripts/register-ts-node.mjs", "scripts/tlc.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.trim() };
}

/** Refused as bad usage: exit 2, one line, nothing run. */
function refused(args: string[], message: string | RegExp) {
  const r = tlc(...args);
  expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(2);
  expect(r.stderr.split("\n"), args.join(" ")).toHaveLength(1);
  if (typeof message === "string") expect(r.stderr, args.join(" ")).toBe(`tlc: usage: ${message}`);
  else expect(r.stderr, args.join(" ")).toMatch(message);
  expect(r.stdout).toBe("");
}

describe("npm run tlc: the config and the spec", () => {
  it("refuses a folder given as the config or as --spec, naming it (not a bare EISDIR)", () => {
    const folderCfg = join(tmp, "folder.cfg");
    const folderTla = join(tmp, "folder.tla");
    mkdirSync(folderCfg, { recursive: true });
    mkdirSync(folderTla, { recursive: true });
    refused([folderCfg], `config is not a file: ${folderCfg}`);
    refused([tmp], `config is not a file: ${tmp}`);
    refused([`${SPECS}/Ok.cfg`, "--spec", folderTla], `spec is not a file: ${folderTla}`);
  }, 60_000);

  it("says the argument must be a .cfg model config when given a .tla module", () => {
    refused(["tla/DCA.tla"], "tla/DCA.tla is a TLA+ module, not a model config: the argument must be a .cfg (the module is found beside the .cfg, or named with --spec)");
    refused([`${SPECS}/Missing.tla`], /^tlc: usage: scripts\/tlc\/test\/fixtures\/tlc\/specs\/Missing\.tla is a TLA\+ module, not a model config/);
    refused([`${SPECS}/../README.md`], `the argument must be a .cfg model config (TLC reads no other): ${SPECS}/../README.md`);
    refused([`${SPECS}/Ok.cfg`, "--spec", `${SPECS}/Inv.cfg`], `--spec must be a .tla module: ${SPECS}/Inv.cfg`);
    refused([`${SPECS}/Nope.cfg`], `config not found: ${SPECS}/Nope.cfg`);
    refused([`${SPECS}/BadCfg.cfg`], `spec not found: ${SPECS}/DCA.tla (the default for ${SPECS}/BadCfg.cfg; pass --spec)`);
  }, 60_000);
});

describe("npm run tlc: options that do not apply are refused, whatever their value", () => {
  const cfg = `${SPECS}/Ok.cfg`;

  it("--checkpoint-minutes, --fresh and --status need --resumable (an empty value too)", () => {
    refused([cfg, "--checkpoint-minutes", ""], "--checkpoint-minutes needs --resumable: only a resumable run writes checkpoints");
    refused([cfg, "--checkpoint-minutes", "5"], "--checkpoint-minutes needs --resumable: only a resumable run writes checkpoints");
    refused([cfg, "--fresh"], "--fresh needs --resumable: only a resumable run keeps a checkpoint and a result to discard");
    refused([cfg, "--status"], "--status needs --resumable: only resumable runs keep a record to report");
    refused([cfg, "--resumable", "--checkpoint-minutes", ""], "--checkpoint-minutes must be a positive integer");
  }, 60_000);

  it("--status refuses the options it would ignore", () => {
    refused([cfg, "--resumable", "--status", "--workers", "1"], "--status only reports and runs nothing: --workers would be ignored (drop it)");
    refused([cfg, "--resumable", "--status", "--fresh"], "--status only reports and runs nothing: --fresh would be ignored (drop it)");
    refused(
      [cfg, "--resumable", "--status", "--out", "x", "--trace-out", "y.itf.json", "--checkpoint-minutes", ""],
      "--status only reports and runs nothing: --out, --trace-out, --checkpoint-minutes would be ignored (drop them)",
    );
  }, 60_000);

  it("--which takes no config (nor other options or TLC arguments)", () => {
    refused([cfg, "--which"], `--which only resolves TLC and checks nothing; it takes no config, options or TLC arguments (got ${cfg})`);
    refused(["--which", "--workers", "2", "--", "-deadlock"], "--which only resolves TLC and checks nothing; it takes no config, options or TLC arguments (got --workers -- -deadlock)");
  }, 60_000);

  it("an empty --out, --trace-out or --spec is refused, not taken for the default", () => {
    refused([cfg, "--out", ""], "--out needs a value, not an empty string");
    refused([cfg, "--trace-out", ""], "--trace-out needs a value, not an empty string");
    refused([cfg, "--resumable", "--trace-out", ""], "--resumable keeps its output in its run folder; --out and --trace-out do not apply");
  }, 60_000);

  it("--resumable refuses TLC's -continue: one result, one counterexample.itf.json per run", () => {
    refused(
      [`${SPECS}/Continue.cfg`, "--resumable", "--", "-continue"],
      "--resumable does not take TLC's -continue: a resumable run records one result and one counterexample.itf.json (run without --resumable to see every counterexample)",
    );
    refused([`${SPECS}/Continue.cfg`, "--resumable", "--status", "--", "-deadlock", "-continue"], /^tlc: usage: --resumable does not take TLC's -continue/);
  }, 60_000);

  it("--help says so", () => {
    const help = tlc("--help").stdout;
    expect(help).toMatch(/not with TLC's -continue/);
    expect(help).toMatch(/takes no config, options or TLC args/);
    expect(help).toMatch(/runs nothing, so it takes none of\s+--out, --trace-out, --workers, --checkpoint-minutes, --fresh/);
  }, 30_000);
});

describe("npm run tlc with real TLC (fixture specs)", () => {
  let cache: string;
  beforeAll(async () => {
    const jar = await resolveTlc({ log: () => {} });
    cache = join(tmp, "cache");
    env = { ...env, TLA2TOOLS_JAR: jar.jar };
  }, 120_000);

  it("with -continue, --trace-out writes the first counterexample only and the summary counts them", async () => {
    const out = join(tmp, "continue.itf.json");
    const r = tlc(`${SPECS}/Continue.cfg`, "--workers", "1", "--quiet", "--out", join(tmp, "continue"), "--trace-out", out, "--", "-continue");
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/\nOutcome: +VIOLATION: invariant Low violated\n/);
    expect(r.stdout).toMatch(/\nTrace: +3 states \(the first of 2 counterexamples\)\n/);
    expect(r.stdout).toContain(`Trace:      written to ${out} (the first of 2 counterexamples)`);
    const trace = await readItf(out);
    expect(trace.states.map((s) => s.x)).toEqual([0, 1, 2]); // not 0,1,2,0,1,2,3
  }, 60_000);

  it("a resumable run already checked names its counterexample.itf.json, or says it is missing", async () => {
    const cfg = `${SPECS}/Inv.cfg`;
    const first = tlc(cfg, "--resumable", "--workers", "1", "--quiet");
    expect(first.status, first.stderr).toBe(1);
    const [folder] = readdirSync(join(cache, "dca-verified", "runs"));
    const run = join(cache, "dca-verified", "runs", folder!);
    const file = join(run, "counterexample.itf.json");
    expect(first.stdout).toContain(`Trace:      written to ${file}`);

    const again = tlc(cfg, "--resumable");
    expect(again.status, again.stderr).toBe(1);
    expect(again.stdout).toMatch(/^Already checked: /);
    expect(again.stdout).toContain(`\nTrace:      ${file}\n`);
    const status = tlc(cfg, "--resumable", "--status");
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toContain(`\nTrace:      ${file}\n`);

    // Writing failed when the run finished: here a folder is in the way.
    rmSync(run, { recursive: true, force: true });
    mkdirSync(join(file, "in-the-way"), { recursive: true });
    const failed = tlc(cfg, "--resumable", "--workers", "1", "--quiet");
    expect(failed.status).toBe(2);
    expect(failed.stderr).toMatch(new RegExp(`^tlc: error: cannot write ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: `, "m"));
    rmdirSync(join(file, "in-the-way"));
    const missing = tlc(cfg, "--resumable");
    expect(missing.status, missing.stderr).toBe(1);
    expect(missing.stdout).toMatch(/^Already checked: /);
    expect(missing.stdout).toContain(
      `\nTrace:      not written: there is no file ${file} (writing it failed when the run finished, or it was removed since); TLC's trace is in ${join(run, "segment-1.out")} (--fresh checks again)\n`,
    );
    expect(missing.stdout).not.toContain(`\nTrace:      ${file}\n`);
    expect(existsSync(join(run, "segment-1.out"))).toBe(true);

    // A violation without a trace (a false ASSUME) is not reported as a missing file.
    expect(tlc(`${SPECS}/Assume.cfg`, "--resumable", "--quiet").status).toBe(1);
    const assume = tlc(`${SPECS}/Assume.cfg`, "--resumable");
    expect(assume.status, assume.stderr).toBe(1);
    expect(assume.stdout).toMatch(/\nResult: +VIOLATION: assumption /);
    expect(assume.stdout).toContain("\nTrace:      none: TLC printed no counterexample for this result\n");
  }, 120_000);
});
