// npm run map [-- --check]
//
// Writes docs/correspondence.md, the auditor's correspondence map: each requirement
// of spec/dca.md, each action of tla/DCA.tla's Next and each property of the spec's
// section 4, linked to its TLA+ definition, the implementation's `@spec` annotations,
// the tests, and (for actions) the steps the conformance replay exercised.
// With --check it writes nothing and exits 1 if the committed file is stale.
// Exit status: 0 written / up to date, 1 stale (--check), 2 an annotation names
// something the model or the spec does not define.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { command } from "./cli/command.ts";
import { EXTRA_TLA_FILES, generate, MAP_FILE, SPEC_FILE, TLA_FILE } from "./lib/map-inputs.ts";

const HELP = `Usage: npm run map [-- --check]

Writes ${MAP_FILE}, the auditor's correspondence map: every requirement, TLA+ action
and property, its definition, the code annotated with it (@spec), the tests that
name it, and the steps the conformance replay exercised.

Options:
  --check      write nothing; fail if the committed file is not what would be written
  -h, --help   this help

Exit status: 0 written / up to date, 1 stale (--check), 2 bad usage, or an annotation
that names something the model or the spec does not define.`;

await command(import.meta.url, {
  name: "map",
  help: HELP,
  options: { check: { type: "boolean" } }, // strict: a mistyped --check must not quietly rewrite the file and pass
  run: async ({ values }) => {
    const { map, markdown } = await generate();
    if (map.unknown.length || map.undefinedProperties.length) {
      for (const u of map.unknown) console.error(u);
      for (const p of map.undefinedProperties) console.error(`${SPEC_FILE}: property ${p} is not defined in ${[TLA_FILE, ...EXTRA_TLA_FILES].join(" or ")}`);
      return 2;
    }
    if (values.check) {
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
  },
});
