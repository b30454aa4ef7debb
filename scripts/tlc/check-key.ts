// The key of a model check: a hash of everything that decides the state space and
// its encoding (the spec and the project modules it EXTENDS or INSTANCEs, the
// config, the TLC jar, extra TLC arguments). A resumable run is keyed by it
// (tlc-resumable.ts), and every TLC result records it (tlc-run.ts), so a result or a
// checkpoint of another text of the model is never taken for this one's.

import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/**
 * The spec and the modules next to it that it EXTENDS or INSTANCEs, transitively
 * (standard modules come from the jar, which the key covers). Sorted file names.
 */
export function moduleClosure(spec: string): string[] {
  const dir = dirname(spec);
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || !existsSync(join(dir, file))) return;
    seen.add(file);
    const text = readFileSync(join(dir, file), "utf8").replace(/\(\*[\s\S]*?\*\)/g, "").replace(/\\\*.*$/gm, "");
    for (const m of text.matchAll(/\bEXTENDS\s+(\w+(?:\s*,\s*\w+)*)/g)) {
      for (const name of m[1]!.split(",")) if (name.trim()) visit(`${name.trim()}.tla`);
    }
    for (const m of text.matchAll(/\bINSTANCE\s+(\w+)/g)) visit(`${m[1]}.tla`);
  };
  visit(basename(spec));
  return [...seen].sort();
}

/**
 * Is a recorded TLC result (result.json, see tlc-run.ts) of the model as it is now?
 * Not if the spec, a module it uses, the config or the jar changed since, or the
 * run had extra TLC arguments (a plain check has none), or its files are gone.
 */
export function resultIsCurrent(r: { modelKey?: unknown; spec: string; config: string; tlc: { sha256: string } }): boolean {
  try {
    return r.modelKey === runKey({ spec: r.spec, config: r.config, jarSha256: r.tlc.sha256, extraArgs: [] });
  } catch {
    return false;
  }
}

/** Everything that decides the state space and its fingerprints. */
export function runKey(opts: { spec: string; config: string; jarSha256: string; extraArgs: string[] }): string {
  const h = createHash("sha256");
  const dir = dirname(opts.spec);
  for (const f of moduleClosure(opts.spec)) {
    h.update(`module ${f}\0`).update(readFileSync(join(dir, f))).update("\0");
  }
  h.update(`spec ${basename(opts.spec)}\0config\0`).update(readFileSync(opts.config)).update("\0");
  h.update(`jar ${opts.jarSha256}\0args ${JSON.stringify(opts.extraArgs)}`);
  return h.digest("hex").slice(0, 16);
}
