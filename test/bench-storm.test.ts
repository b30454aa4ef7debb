// npm run bench:storm at a tiny size (scripts/bench-storm.ts, scripts/lib/storm-net.ts,
// scripts/lib/step-plot.ts): on the in-process room it prints both columns with the Commits
// each way (a leave storm of 2 is 2 Commits one per Commit and 1 batched) and writes an SVG
// with both curves in each panel; over the network (a DS process, network clients) it
// converges both ways and prints the network table; it refuses bad usage with exit 2
// naming the option. Budget: 40 s (about 12 s measured here under load).
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = (args: string[]) =>
  promisify(execFile)("node", ["--import", "./scripts/register-ts-node.mjs", "scripts/bench-storm.ts", ...args]).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

describe("npm run bench:storm", () => {
  it("prints both ways side by side and draws both curves", async () => {
    const dir = await mkdtemp(join(tmpdir(), "storm-"));
    try {
      const svg = join(dir, "s.svg");
      const r = await run(["--joiners", "4", "--leavers", "2", "--window", "0", "--where", "room", "--svg", svg]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/one per Commit\s+batched\s+ratio/);
      expect(r.stdout).toMatch(/leave: Commits\s+2\s+1\s+2\.0×/);
      expect(r.stdout).toMatch(/join: Commits\s+4\s+\d\s/);
      const text = await readFile(svg, "utf8");
      expect(text.startsWith("<svg")).toBe(true);
      expect(text.match(/<path /g)).toHaveLength(4);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it("over the network: a DS process and network clients converge both ways, one Commit per joiner and per leaver unbatched", async () => {
    const dir = await mkdtemp(join(tmpdir(), "storm-net-"));
    try {
      const r = await run(["--joiners", "3", "--leavers", "1", "--window", "0", "--where", "net", "--svg", join(dir, "s.svg")]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/over the network: a DS process .* 5 network clients/);
      expect(r.stdout).toMatch(/join: Commits\s+3\s+[123]\s/);
      expect(r.stdout).toMatch(/leave: Commits\s+1\s+1\s+1\.0×/);
      expect(r.stdout).not.toMatch(/in-process room/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 40_000);

  it("refuses bad usage with exit 2, naming the option", async () => {
    const r = await run(["--joiners", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--joiners/);
    const w = await run(["--where", "moon"]);
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/--where: expected net, room or net,room, got "moon"/);
  }, 30_000);
});
