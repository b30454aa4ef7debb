// The layers (.dependency-cruiser.cjs): every import in impl/, conformance/ and
// scripts/ points down. The check runs on the real tree, and on a small tree built
// here with one upward or sideways import per rule, which it must refuse by name
// (proof that it has teeth). About 10 s of CPU each: dependency-cruiser parses
// every file.

import { execFile } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const DEPCRUISE = join(ROOT, "node_modules/.bin/depcruise");
const CONFIG = join(ROOT, ".dependency-cruiser.cjs");

/** The report without terminal colours (CI=true turns them on). */
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");

async function cruise(cwd: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(DEPCRUISE, ["impl", "conformance", "scripts", "--config", CONFIG, "--output-type", "err"], { cwd });
    return { code: 0, out: plain(stdout + stderr) };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === "number" ? err.code : -1, out: plain(`${err.stdout ?? ""}${err.stderr ?? ""}`) };
  }
}

// One file per layer, each importing only what its layer may, plus one bad import per rule.
const GOOD: Record<string, string> = {
  "impl/types.ts": "export const T = 1;\n",
  "impl/mls.ts": "export const M = 1;\n",
  "impl/room.ts": 'import { M } from "./mls.ts";\nexport const R = M;\n',
  "scripts/tlc/formats/itf.ts": "export const I = 1;\n",
  "scripts/tlc/run.ts": 'import { I } from "./formats/itf.ts";\nexport const RUN = I;\n',
  "scripts/cli/cli.ts": "export const C = 1;\n",
  "conformance/model/vocabulary.ts": 'import { T } from "../../impl/types.ts";\nimport { I } from "../../scripts/tlc/formats/itf.ts";\nexport const V = T + I;\n',
  "conformance/replay/replay-trace.ts": 'import { R } from "../../impl/room.ts";\nimport { V } from "../model/vocabulary.ts";\nexport const P = R + V;\n',
  "conformance/generate/trace-select.ts": 'import { V } from "../model/vocabulary.ts";\nexport const G = V;\n',
  "conformance/validate/trace-validate.ts": 'import { P } from "../replay/replay-trace.ts";\nimport { RUN } from "../../scripts/tlc/run.ts";\nexport const VA = P + RUN;\n',
  "scripts/lib/view/chart.ts": 'import { V } from "../../../conformance/model/vocabulary.ts";\nexport const CH = V;\n',
  "scripts/view.ts": 'import { CH } from "./lib/view/chart.ts";\nimport { C } from "./cli/cli.ts";\nexport const VIEW = CH + C;\n',
};

// rule name -> [file, text]: each adds one import the layers forbid.
const BAD: Record<string, [string, string]> = {
  "impl-stands-alone": ["impl/up.ts", 'import { V } from "../conformance/model/vocabulary.ts";\nexport const U = V;\n'],
  "tlc-package-stands-alone": ["scripts/tlc/up.ts", 'import { T } from "../../impl/types.ts";\nexport const U = T;\n'],
  "cli-helper-stands-alone": ["scripts/cli/up.ts", 'import { V } from "../../conformance/model/vocabulary.ts";\nexport const U = V;\n'],
  "vocabulary-is-pure": ["conformance/model/up.ts", 'import { R } from "../../impl/room.ts";\nexport const U = R;\n'],
  "replay-beside-generate": ["conformance/replay/across.ts", 'import { G } from "../generate/trace-select.ts";\nexport const U = G;\n'],
  "libraries-below-commands": ["conformance/validate/up.ts", 'import { VIEW } from "../../scripts/view.ts";\nexport const U = VIEW;\n'],
  "viewer-never-loads-mls": ["scripts/lib/view/up.ts", 'import { P } from "../../../conformance/replay/replay-trace.ts";\nexport const U = P;\n'],
};

const dirs: string[] = [];
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "layers-"));
  dirs.push(dir);
  copyFileSync(join(ROOT, "tsconfig.json"), join(dir, "tsconfig.json"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("import layers", () => {
  it("hold in this repository", async () => {
    const { code, out } = await cruise(ROOT);
    expect(out).toContain("no dependency violations found");
    expect(code).toBe(0);
  }, 60_000);

  it("hold in a small tree that keeps to them", async () => {
    const { code, out } = await cruise(tree(GOOD));
    expect(out).toContain("no dependency violations found");
    expect(code).toBe(0);
  }, 60_000);

  it("fail, naming the rule, for every import that points up or across", async () => {
    const bad = Object.fromEntries(Object.values(BAD));
    const { code, out } = await cruise(tree({ ...GOOD, ...bad }));
    expect(code).not.toBe(0);
    for (const [rule, [file]] of Object.entries(BAD)) expect(out, rule).toMatch(new RegExp(`error ${rule}: ${file.replace(/\./g, "\\.")}`));
  }, 60_000);
});
