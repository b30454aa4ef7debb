// The manifest of model checks (tla/models.json, scripts/lib/models.ts) is the one
// list of them: every configuration in tla/ is in it with the module that exists, the
// users its config sets and, for a must-fail one, a violation the config checks;
// npm run mutants runs exactly its must-fail entries with a variant; the README's
// figures are the manifest's. A manifest with a bad entry is refused by name.

import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ManifestError, mutantChecks, readManifest } from "../scripts/lib/models.ts";
import { configSection } from "../scripts/tlc/config.ts";

const models = readManifest();
const byConfig = new Map(models.map((m) => [m.config, m]));

describe("tla/models.json", () => {
  it("lists every configuration in tla/ once, each with a module that exists", () => {
    const configs = readdirSync("tla").filter((f) => f.endsWith(".cfg")).sort();
    expect([...byConfig.keys()].sort()).toEqual(configs);
    expect(byConfig.size).toBe(models.length);
    const modules = new Set(readdirSync("tla").filter((f) => f.endsWith(".tla")));
    for (const m of models) expect(modules.has(m.module), `${m.config}: ${m.module}`).toBe(true);
  });

  it("says the users each config sets, and a violation each must-fail config checks", () => {
    for (const m of models) {
      const text = readFileSync(join("tla", m.config), "utf8");
      expect(text.match(/^\s*Users\s*=\s*(\d+)/m)?.[1], m.config).toBe(String(m.users));
      if (typeof m.expect === "object") {
        const checked = [...configSection(text, "INVARIANTS"), ...configSection(text, "PROPERTIES")];
        expect(checked, m.config).toContain(m.expect.name);
      }
    }
  });

  it("is what npm run mutants runs (scripts/mutants.ts lists no configuration of its own)", () => {
    const expected = models.filter((m) => m.mode === "must-fail" && m.variant).map((m) => m.config);
    expect(mutantChecks().map((m) => m.config)).toEqual(expected);
    expect(expected.length).toBeGreaterThanOrEqual(9);
    // scripts/mutants.ts runs main() when imported, so it is read, not imported.
    const source = readFileSync("scripts/mutants.ts", "utf8");
    expect(source).toMatch(/= mutantChecks\(\)\.map\(/);
    expect(source).not.toMatch(/"\w+_\w+\.cfg"/);
  });

  it("has the README's figures", () => {
    const readme = readFileSync("README.md", "utf8");
    const section = readme.slice(readme.indexOf("\n## Figures"));
    const withFigures = models.filter((m) => m.figures);
    expect(withFigures.length).toBeGreaterThanOrEqual(4);
    for (const m of withFigures) {
      const row = section.split("\n").find((l) => l.startsWith(`| \`tla/${m.config}\``));
      expect(row, `README Figures: no row for tla/${m.config}`).toBeDefined();
      const cells = row!.split("|").map((c) => c.replace(/[²³¹]/g, "").trim());
      const f = m.figures!;
      expect(cells[2], m.config).toBe(String(m.users));
      expect(cells[4], m.config).toBe(f.distinct.toLocaleString("en-US"));
      expect(cells[5], m.config).toBe(f.generated === undefined ? "—" : f.generated.toLocaleString("en-US"));
      expect(cells[6], m.config).toBe(String(f.depth));
      expect(cells[7], m.config).toBe(f.time);
    }
  });

  it("refuses an entry with a missing or wrong field, naming it", () => {
    const dir = mkdtempSync(join(tmpdir(), "models-"));
    try {
      mkdirSync(join(dir, "tla"));
      const write = (models: unknown) => writeFileSync(join(dir, "tla/models.json"), JSON.stringify({ models }));
      const ok = { config: "A.cfg", module: "A.tla", mode: "safety", users: 3, expect: "pass" };
      write([ok]);
      expect(readManifest(dir)).toHaveLength(1);
      const cases: [object, RegExp][] = [
        [{ ...ok, mode: "fast" }, /models\[0\] \(A\.cfg\): mode: expected one of/],
        [{ ...ok, mode: "must-fail" }, /models\[0\] \(A\.cfg\): expect: a must-fail configuration names its violation/],
        [{ ...ok, users: 0 }, /users: expected a positive integer/],
        [{ ...ok, module: "A" }, /module: expected a file name ending in \.tla/],
        [{ ...ok, variant: "IgnoreRemoves" }, /variant: only a must-fail configuration/],
      ];
      for (const [entry, message] of cases) {
        write([ok, entry]);
        expect(() => readManifest(dir)).toThrow(ManifestError);
        expect(() => readManifest(dir)).toThrow(new RegExp(message.source.replace("models\\[0\\]", "models\\[1\\]")));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
