// What the correspondence map (scripts/lib/correspondence.ts, npm run map) is made
// from: the spec, the model, the code and tests read from the repository, and the
// steps the conformance replay exercised (without MLS: about a second).

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { replayAll, traceFiles } from "../../conformance/replay/replay-all.ts";
import { buildMap, renderMarkdown, type CorrespondenceMap, type MapInputs, type SourceFile } from "./correspondence.ts";

export const MAP_FILE = "docs/correspondence.md";
export const SPEC_FILE = "spec/dca.md";
export const TLA_FILE = "tla/DCA.tla";
/** Modules that extend the model whose definitions annotations may name (DCA_Inputs: definitions only; DCA_Zombie: blind spot 2, spec/zombie.md; DCA_Batch: batched adds, spec/batching.md; DCA_Refusals: a forging DS, spec/welcome-auth.md section 5). */
export const EXTRA_TLA_FILES = ["tla/DCA_Inputs.tla", "tla/DCA_Zombie.tla", "tla/DCA_Batch.tla", "tla/DCA_Refusals.tla"];
// impl/ at its top level only (as before the layout change); conformance/ with its
// subfolders (model/, replay/, random/, generate/, validate/).
const CODE_DIRS: { dir: string; recursive: boolean }[] = [
  { dir: "impl", recursive: false },
  { dir: "conformance", recursive: true },
];
const TEST_DIR = "test";
// Tests that name actions or properties without testing them: the map's own test,
// and the trace viewer's, which draws every action but checks only the drawing.
const NOT_A_TEST_OF_THE_MODEL = new Set(["test/correspondence.test.ts", "test/view.test.ts", "test/view.browser.test.ts"]);

function sources(root: string, dir: string, recursive = false): SourceFile[] {
  return (readdirSync(join(root, dir), { recursive }) as string[])
    .map((n) => n.split("\\").join("/"))
    .filter((n) => n.endsWith(".ts"))
    .sort()
    .map((n) => `${dir}/${n}`)
    .filter((p) => !NOT_A_TEST_OF_THE_MODEL.has(p))
    .map((path) => ({ path, text: readFileSync(join(root, path), "utf8") }));
}

/** Reads the repository and replays the model traces (without MLS: about a second). */
export async function loadInputs(root = "."): Promise<MapInputs> {
  const { actions, failures } = await replayAll(traceFiles(join(root, "traces/model")), { mls: false });
  if (failures.length) throw new Error(`the model traces do not replay: ${failures[0]!.message}`);
  return {
    specPath: SPEC_FILE,
    spec: readFileSync(join(root, SPEC_FILE), "utf8"),
    tlaPath: TLA_FILE,
    tla: readFileSync(join(root, TLA_FILE), "utf8"),
    extraModules: EXTRA_TLA_FILES.map((path) => ({ path, text: readFileSync(join(root, path), "utf8") })),
    code: CODE_DIRS.flatMap((d) => sources(root, d.dir, d.recursive)),
    tests: sources(root, TEST_DIR),
    steps: actions,
  };
}

export async function generate(root = "."): Promise<{ map: CorrespondenceMap; markdown: string }> {
  const inputs = await loadInputs(root);
  const map = buildMap(inputs);
  return { map, markdown: renderMarkdown(map, inputs) };
}
