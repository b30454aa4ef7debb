// The manifest of model checks (tla/models.json; schema in tla/README.md): every TLC
// configuration with its module, mode, users, expected result and last measured
// figures. The one list of them: npm run mutants, make check, make verify's summary
// and the README's figures read it or are checked against it.

import { readFileSync } from "node:fs";
import { join } from "node:path";

export const MANIFEST = "tla/models.json";
export const MODES = ["safety", "liveness", "simulate", "record", "must-fail"] as const;
export type Mode = (typeof MODES)[number];

export interface Violation {
  kind: "invariant" | "property";
  name: string;
}

export interface ModelCheck {
  /** File name in tla/, e.g. "MC_ci.cfg". */
  config: string;
  /** The module TLC checks, in tla/. */
  module: string;
  mode: Mode;
  users: number;
  /** "pass", or for must-fail the violation TLC must report. */
  expect: "pass" | Violation;
  /** The implementation's variant a must-fail configuration switches on (npm run mutants runs these). */
  variant?: string;
  /** Which rule of spec/dca.md (or which gap) it breaks. */
  breaks?: string;
  purpose?: string;
  /** Checked by make check (make test). */
  ci?: boolean;
  /** Run resumable (make check-full); make verify's summary reports it. */
  resumable?: boolean;
  /** Last measured figures (README "Figures"). */
  figures?: { distinct: number; generated?: number; depth: number; time: string };
}

export class ManifestError extends Error {}

/** Reads and checks the manifest; throws a ManifestError naming the entry and the field. */
export function readManifest(root = "."): ModelCheck[] {
  const file = join(root, MANIFEST);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new ManifestError(`${file}: ${(e as Error).message}`);
  }
  const models = (doc as { models?: unknown }).models;
  if (!Array.isArray(models)) throw new ManifestError(`${file}: expected {"models": [...]}`);
  return models.map((m: ModelCheck, i) => {
    const where = `${file}: models[${i}]${typeof m?.config === "string" ? ` (${m.config})` : ""}`;
    const bad = (what: string): never => {
      throw new ManifestError(`${where}: ${what}`);
    };
    if (typeof m !== "object" || m === null) bad("expected an object");
    if (typeof m.config !== "string" || !m.config.endsWith(".cfg")) bad("config: expected a file name ending in .cfg");
    if (typeof m.module !== "string" || !m.module.endsWith(".tla")) bad("module: expected a file name ending in .tla");
    if (!MODES.includes(m.mode)) bad(`mode: expected one of ${MODES.join(", ")}`);
    if (!Number.isInteger(m.users) || m.users < 1) bad("users: expected a positive integer");
    const mustFail = m.mode === "must-fail";
    const violation = typeof m.expect === "object" && m.expect !== null && ["invariant", "property"].includes(m.expect.kind) && typeof m.expect.name === "string";
    if (mustFail && !violation) bad('expect: a must-fail configuration names its violation {"kind": "invariant"|"property", "name": …}');
    if (!mustFail && m.expect !== "pass") bad('expect: expected "pass"');
    if (m.variant !== undefined && !mustFail) bad("variant: only a must-fail configuration switches a variant on");
    return m;
  });
}

/** The configurations npm run mutants runs: must-fail with an implementation variant, in manifest order. */
export function mutantChecks(root = "."): (ModelCheck & { variant: string; expect: Violation; breaks: string })[] {
  return readManifest(root).filter((m): m is ModelCheck & { variant: string; expect: Violation; breaks: string } => m.mode === "must-fail" && m.variant !== undefined);
}

// `node scripts/lib/models.ts --ci` prints the CI configurations' paths, one a line (for the Makefile).
if (process.argv[1]?.endsWith("models.ts") && process.argv[2] === "--ci") {
  process.stdout.write(readManifest().filter((m) => m.ci).map((m) => `tla/${m.config}\n`).join(""));
}
