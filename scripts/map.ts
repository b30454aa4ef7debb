// npm run map [-- --check]
//
// Writes docs/correspondence.md, the auditor's correspondence map: each requirement
// of spec/dca.md, each action of tla/DCA.tla's Next and each property of the spec's
// section 4, linked to its TLA+ definition, the implementation's `@spec` annotations,
// the tests, and (for actions) the steps the conformance replay exercised.
// With --check it writes nothing and exits 1 if the committed file is stale.
// Exit status: 0 written / up to date, 1 stale (--check), 2 an annotation names
// something the model or the spec does not define.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { replayAll, traceFiles } from "../conformance/replay/replay-all.ts";
import { buildMap, renderMarkdown, type CorrespondenceMap, type MapInputs, type SourceFile } from "./lib/correspondence.ts";

export const MAP_FILE = "docs/correspondence.md";
export const SPEC_FILE = "spec/dca.md";
export const TLA_FILE = "tla/DCA.tla";
/** Modules that extend the model with definitions only (no variable, no step). */
export const EXTRA_TLA_FILES = ["tla/DCA_Inputs.tla"];
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

const HELP = `Usage: npm run map [-- --check]

Writes ${MAP_FILE}, the auditor's correspondence map: every requirement, TLA+ action
and property, its definition, the code annotated with it (@spec), the tests that
name it, and the steps the conformance replay exercised.

Options:
  --check      write nothing; fail if the committed file is not what would be written
  -h, --help   this help

Exit status: 0 written / up to date, 1 stale (--check), 2 bad usage, or an annotation
that names something the model or the spec does not define.`;

async function main(argv: string[]): Promise<number> {
  let check: boolean;
  try {
    // Strict: a mistyped --check must not quietly rewrite the file and pass.
    const { values } = parseArgs({ args: argv, options: { check: { type: "boolean" }, help: { type: "boolean", short: "h" } } });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    check = values.check ?? false;
  } catch (e) {
    console.error(`map: usage: ${(e as Error).message}`);
    return 2;
  }
  const { map, markdown } = await generate();
  if (map.unknown.length || map.undefinedProperties.length) {
    for (const u of map.unknown) console.error(u);
    for (const p of map.undefinedProperties) console.error(`${SPEC_FILE}: property ${p} is not defined in ${[TLA_FILE, ...EXTRA_TLA_FILES].join(" or ")}`);
    return 2;
  }
  if (check) {
    const committed = existsSync(MAP_FILE) ? readFileSync(MAP_FILE, "utf8") : "";
    if (committed !== markdown) {
      console.error(`${MAP_FILE} is stale: run npm run map`);
      return 1;
    }
    console.log(`${MAP_FILE} is up to date (${map.rows.length} rows)`);
    return 0;
  }
  mkdirSync(dirname(MAP_FILE), { recursive: true });
  writeFileSync(MAP_FILE, markdown);
  console.log(`wrote ${MAP_FILE} (${map.rows.length} rows)`);
  return 0;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) process.exitCode = await main(process.argv.slice(2));
