// Drawing a counterexample page loads no MLS (issue 12): the viewer's page
// generation (scripts/lib/view/load.ts + page.ts) runs in a fresh Node process
// whose module loader records every module it loads (a loader hook registered
// with node:module's register), and neither ts-mls nor impl/mls is among them.
// Teeth: the same probe on the replay (conformance/replay/replay-trace.ts), which
// does run MLS, must record ts-mls, or the probe would prove nothing. The static
// rule is in .dependency-cruiser.cjs (viewer-never-loads-mls); this is the run.
// Budget: two node processes with ts-node, about 5 s.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const TRACE = join(ROOT, "traces/counterexamples/Mutant_NoSkipOwnAdd.itf.json");
const dir = mkdtempSync(join(tmpdir(), "viewer-mls-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The loader hook: every URL loaded, one a line, into the file it is given.
const HOOKS = join(dir, "record-loads.mjs");
writeFileSync(
  HOOKS,
  `import { appendFileSync } from "node:fs";
let out;
export function initialize(data) { out = data.out; }
export async function load(url, context, next) { appendFileSync(out, url + "\\n"); return next(url, context); }
`,
);

/** Runs `code` (an ES module) in a fresh node with ts-node and the recording hook; returns its output and the URLs it loaded. */
function probe(name: string, code: string): { status: number | null; stdout: string; stderr: string; loaded: string[] } {
  const out = join(dir, `${name}.loads`);
  writeFileSync(out, "");
  const register = join(dir, `${name}-register.mjs`);
  writeFileSync(register, `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(HOOKS).href)}, { data: { out: ${JSON.stringify(out)} } });\n`);
  const r = spawnSync(process.execPath, ["--import", "./scripts/register-ts-node.mjs", "--import", pathToFileURL(register).href, "--input-type=module", "-e", code], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, loaded: readFileSync(out, "utf8").split("\n").filter(Boolean) };
}

const url = (path: string) => JSON.stringify(pathToFileURL(join(ROOT, path)).href);
const isMls = (u: string) => /\/node_modules\/ts-mls\//.test(u) || /\/impl\/mls(\.ts$|\/)/.test(u);

describe("the viewer's page generation", () => {
  it("draws a counterexample page without loading ts-mls or impl/mls", () => {
    const r = probe(
      "viewer",
      `const { loadTrace } = await import(${url("scripts/lib/view/load.ts")});
const { renderPage } = await import(${url("scripts/lib/view/page.ts")});
const page = renderPage(await loadTrace(${JSON.stringify(TRACE)}));
process.stdout.write(String(page.length) + (page.includes("<svg") ? " svg" : ""));`,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\d{4,} svg$/); // a page was drawn
    // The probe saw the viewer's own modules (it records what is loaded) ...
    expect(r.loaded.some((u) => u.endsWith("/scripts/lib/view/chart.ts"))).toBe(true);
    expect(r.loaded.some((u) => u.endsWith("/conformance/model/vocabulary.ts"))).toBe(true);
    // ... and nothing of MLS.
    expect(r.loaded.filter(isMls)).toEqual([]);
  }, 60_000);

  it("the probe has teeth: the replay, which runs MLS, is seen loading ts-mls", () => {
    const r = probe("replay", `await import(${url("conformance/replay/replay-trace.ts")}); process.stdout.write("loaded");`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe("loaded");
    expect(r.loaded.filter(isMls).some((u) => u.includes("/node_modules/ts-mls/"))).toBe(true);
  }, 60_000);
});
