// TLC's random walks (simulate.ts): a walk file read back as its states' texts, on a
// walk of the package's own tiny spec (fixtures/dot/Esc.tla), and the walk files
// found in TLC's order.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseSimulationFile, simulateArgs, walkFiles } from "../simulate.ts";

const dir = mkdtempSync(join(tmpdir(), "tlc-simulate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("TLC's -simulate walk files", () => {
  it("parseSimulationFile reads TLC's -simulate trace files (captured: fixtures/dot/esc.simulate)", () => {
    const text = readFileSync(new URL("fixtures/dot/esc.simulate", import.meta.url), "utf8");
    expect(parseSimulationFile(text)).toEqual([
      '/\\ n = 0\n/\\ r = [seq |-> <<>>, set |-> {}]\n/\\ s = "a\\"b\\\\c"',
      '/\\ n = 1\n/\\ r = [seq |-> <<0>>, set |-> {0}]\n/\\ s = "a\\"b\\\\c\\n"',
      '/\\ n = 2\n/\\ r = [seq |-> <<0, 1>>, set |-> {0, 1}]\n/\\ s = "a\\"b\\\\c\\n\\n"',
    ]);
    expect(() => parseSimulationFile("---- MODULE x ----\n====", "x")).toThrow('x: no "STATE_<n> ==" definition');
    expect(() => parseSimulationFile("STATE_1 ==\nx = 1\nSTATE_3 ==\nx = 2\n", "y")).toThrow("y: STATE_3 where STATE_2 was expected");
  });

  it("walkFiles lists walk_<worker>_<n> by worker, then n (not as text sorts them)", async () => {
    for (const f of ["walk_0_10", "walk_1_0", "walk_0_2", "walk.txt", "other_0_1"]) writeFileSync(join(dir, f), "");
    expect(await walkFiles(dir)).toEqual(["walk_0_2", "walk_0_10", "walk_1_0"]);
  });

  it("simulateArgs asks TLC for the walks into that folder", () => {
    expect(simulateArgs({ dir: "/w", walks: 5, depth: 40, seed: 7 })).toEqual(["-simulate", "file=/w/walk,num=5", "-depth", "40", "-seed", "7"]);
  });
});
