// The command-line contract of npm run fuzz (scripts/fuzz.ts): bad usage is one
// line "fuzz: usage: …" and exit 2 before any run (a seed fast-check would fold
// into another, a --replay-path that would be ignored or cannot be parsed); an
// --out that cannot be written is refused before any run; and a failure is
// printed (property, seed, path, replayPath) before its trace is written, so a
// write that fails still leaves it on the screen, with exit 1: a property failed.

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = new URL("..", import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), "fuzz-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `npm run fuzz -- …args` (MLS off, a few runs); `started` is called with the
 * child's pid as soon as it is spawned, before it has read its arguments.
 */
function fuzz(args: string[], started?: (pid: number) => void): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--import", "./scripts/register-ts-node.mjs", "scripts/fuzz.ts", "--no-mls", ...args], { cwd: ROOT });
    if (started) started(child.pid!);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    child.on("error", fail);
    child.on("close", (status) => done({ status, stdout, stderr: stderr.trim() }));
  });
}

/** One line, no stack trace. */
const oneLine = (stderr: string) => {
  expect(stderr.split("\n")).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
};

/** A known-bad switch that fails at seed 1 within two runs (shrunk in well under a second). */
const FAILING = ["--runs", "50", "--seed", "1", "--variant", "NoSkipOwnAdd"];

describe("npm run fuzz: where the counterexample goes", () => {
  it("refuses an --out it cannot write before any run (exit 2), not after finding a failure", async () => {
    const file = join(tmp, "a-file");
    writeFileSync(file, "not a folder\n");
    const r = await fuzz([...FAILING, "--out", join(file, "below")]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toBe(`fuzz: error: cannot write ${join(file, "below", "fuzz-1.itf.json")}: ${file} is not a folder (--out)`);
    expect(r.stdout).toBe(""); // nothing ran
    expect(readFileSync(file, "utf8")).toBe("not a folder\n");
  }, 60_000);

  it("prints the failure before writing its trace; a write that fails says so and still exits 1", async () => {
    const out = join(tmp, "out-unwritable");
    mkdirSync(out);
    // The folder passes the check before the runs; the write fails only when it happens:
    // the trace is written to <file>.tmp-<pid> first (scripts/tlc/formats/itf.ts), and that is a folder.
    const r = await fuzz([...FAILING, "--out", out], (pid) => mkdirSync(join(out, `fuzz-1.itf.json.tmp-${pid}`)));
    expect(r.status, r.stderr).toBe(1); // a property did fail
    expect(r.stdout).toMatch(/^FAILED: variant NoSkipOwnAdd, seed 1$/m);
    expect(r.stdout).toMatch(/^Property failed after \d+ run\(s\)/m);
    expect(r.stdout).toMatch(/^Failure at step \d+/m);
    const printed = /^seed 1, path "([\d:]+)", replayPath "([A-Za-z0-9+/]*:[A-Za-z0-9+/]*)"$/m.exec(r.stdout);
    expect(printed, r.stdout).not.toBeNull();
    expect(r.stdout).toContain(`replay the fast-check run: npm run fuzz -- --seed 1 --path '${printed![1]}' --replay-path '${printed![2]}' --variant NoSkipOwnAdd --no-mls`);
    expect(r.stdout).not.toContain("The failing run"); // it was not written
    expect(r.stderr).toBe(`fuzz: error: cannot write ${join(out, "fuzz-1.itf.json")}: illegal operation on a directory (EISDIR)`);

    // The printed replay works, and a trace that can be written is named with how to replay it.
    const again = await fuzz(["--seed", "1", "--path", printed![1]!, "--replay-path", printed![2]!, "--variant", "NoSkipOwnAdd", "--out", join(tmp, "out-ok")]);
    expect(again.status, again.stderr).toBe(1);
    expect(again.stdout).toContain(`seed 1, path "${printed![1]}", replayPath "${printed![2]}"`);
    const file = join(tmp, "out-ok", "fuzz-1.itf.json");
    expect(again.stdout).toMatch(new RegExp(`^The failing run \\(\\d+ steps\\) is in ${file}\\nreplay the recorded run: +npm run replay -- ${file} --no-mls$`, "m"));
    expect(JSON.parse(readFileSync(file, "utf8")).states.length).toBeGreaterThan(1);
  }, 60_000);
});

describe("npm run fuzz: usage", () => {
  it("refuses a seed that fast-check would fold into another, or none (exit 2, before any run)", async () => {
    const results = await Promise.all(
      [["--seed", "99999999999999999999"], ["--seed", "4294967296"], ["--seed="], ["--seed=-2147483649"], ["--seed", "0x10"]].map(
        async (args) => ({ args, r: await fuzz(["--runs", "1", ...args]) }),
      ),
    );
    for (const { args, r } of results) {
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/^fuzz: usage: --seed expects an integer in -2147483648\.\.2147483647 \(fast-check's seeds are 32-bit\), got "/);
      oneLine(r.stderr);
      expect(r.stdout).toBe("");
    }
    // The end of the range runs with the very seed asked for.
    const end = await fuzz(["--runs", "1", "--seed=-2147483648"]);
    expect(end.status, end.stderr).toBe(0);
    expect(end.stdout).toMatch(/^OK: variant Correct, seed -2147483648$/m);
  }, 60_000);

  it("refuses --replay-path without --path, and names the malformed option", async () => {
    const cases: [string[], string | RegExp][] = [
      [["--seed", "1", "--replay-path", "BADC:V"], "fuzz: usage: --replay-path needs the --seed and the --path printed with it"],
      [
        ["--seed", "1", "--path", "1:2", "--replay-path", "x"],
        `fuzz: usage: --replay-path "x" is malformed: expected fc.commands' replayPath as printed with a failure (e.g. "BADC:V")`,
      ],
      [
        ["--seed", "1", "--path", "1:2", "--replay-path", "BADCOCEA:"], // a value per run length, six to a character: one is missing
        `fuzz: usage: --replay-path "BADCOCEA:" is malformed: expected fc.commands' replayPath as printed with a failure (e.g. "BADC:V")`,
      ],
      [
        ["--seed", "1", "--path", "one:2", "--replay-path", "BADC:V"],
        `fuzz: usage: --path "one:2" is malformed: expected fast-check's path as printed with a failure, numbers separated by ":" (e.g. "1:2:1")`,
      ],
      [["--variant", "Nope"], /^fuzz: usage: unknown variant Nope; known: Correct, /],
    ];
    const results = await Promise.all(cases.map(([args]) => fuzz(["--runs", "1", ...args])));
    for (const [k, [args, message]] of cases.entries()) {
      const r = results[k]!;
      expect(r.status, args.join(" ")).toBe(2);
      if (typeof message === "string") expect(r.stderr).toBe(message);
      else expect(r.stderr).toMatch(message);
      oneLine(r.stderr);
      expect(r.stdout).toBe("");
    }
  }, 60_000);

  it("a well-formed --replay-path that does not fit the run is bad usage, not a property failure", async () => {
    const r = await fuzz([...FAILING, "--path", "1:2:1:1:1", "--replay-path", "A:A", "--out", join(tmp, "out-mismatch")]);
    expect(r.status, r.stdout).toBe(2);
    expect(r.stderr).toMatch(/^fuzz: usage: --replay-path A:A does not fit the run at seed 1, path 1:2:1:1:1 \(fast-check: /);
    oneLine(r.stderr);
    expect(r.stdout).not.toMatch(/FAILED/);
  }, 60_000);
});
