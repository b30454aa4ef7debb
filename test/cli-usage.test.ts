// The command-line contract of npm run conformance, bench and map: bad usage and
// unreadable input end in one line and exit 2 (never a stack trace, never read as
// "a trace diverged" or "up to date"), and --help says how to use them.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = new URL("..", import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), "cli-usage-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(script: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "./scripts/register-ts-node.mjs", `scripts/${script}.ts`, ...args], { cwd: ROOT, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.trim() };
}

/** One line, no stack trace. */
const oneLine = (stderr: string) => {
  expect(stderr.split("\n")).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
};

describe("npm run conformance", () => {
  it("refuses an unreadable trace with its path and why (exit 2, not 'diverged')", () => {
    const truncated = join(tmp, "truncated.itf.json");
    writeFileSync(truncated, '{"vars": [');
    const r = run("conformance", "--no-mls", truncated);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`conformance: error: ${truncated}: not valid JSON (Unexpected end of JSON input)`);
    const missing = run("conformance", "--no-mls", join(tmp, "missing.itf.json"));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^conformance: error: .*missing\.itf\.json: cannot read \(ENOENT\)$/);
  });

  it("refuses an unknown option, and has --help", () => {
    const r = run("conformance", "--nope");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^conformance: usage: Unknown option '--nope'/);
    oneLine(r.stderr);
    const help = run("conformance", "--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run conformance/);
  });

  it("replays chosen traces without demanding that they cover every action", () => {
    const r = run("conformance", "--no-mls", "traces/model/cover-Join-u2.itf.json");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Never replayed: /); // shown, not failed
    expect(r.stdout).toMatch(/1 passed, 0 failed/);
  });
});

describe("npm run bench", () => {
  it("refuses bad usage before measuring anything, and has --help", () => {
    for (const args of [["--rounds", "x"], ["--rounds", "0"], ["--nope"]]) {
      const r = run("bench", ...args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/^bench: usage: /);
      oneLine(r.stderr);
    }
    expect(run("bench", "--help").stdout).toMatch(/^Usage: npm run bench/);
  });
});

describe("npm run map", () => {
  it("a mistyped --check is refused, and writes nothing", () => {
    const before = statSync(join(ROOT, "docs/correspondence.md")).mtimeMs;
    const r = run("map", "--chek");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^map: usage: Unknown option '--chek'/);
    expect(statSync(join(ROOT, "docs/correspondence.md")).mtimeMs).toBe(before);
    expect(run("map", "--help").stdout).toMatch(/^Usage: npm run map \[-- --check\]/);
  });
});
