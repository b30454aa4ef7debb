// npm run view -- <trace.itf.json> [--out FILE.html]
// npm run view -- --all [--out-dir DIR]
//
// Renders an ITF trace of tla/DCA.tla (a model trace or a TLC counterexample)
// as a self-contained HTML page: a message sequence chart with one lifeline
// per user and one for the DS log, the DC marked at every step, and the full
// state of the step you click. --all renders every trace in traces/model and
// traces/counterexamples, plus an index.html listing them.
// Exit status: 0 written, 2 bad input (one line on stderr naming the file).

import { mkdir, readdir, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { command, InputError, UsageError } from "./cli/command.ts";
import { renderIndex, type IndexEntry } from "./lib/view/index-page.ts";
import { loadTrace, oneLine } from "./lib/view/load.ts";
import { renderPage, traceName } from "./lib/view/page.ts";

const HELP = `Usage: npm run view -- <trace.itf.json> [--out FILE.html]
       npm run view -- --all [--out-dir DIR]

  --out FILE     where to write the page (default: build/reports/<trace name>.html)
  --all          render every trace in traces/model and traces/counterexamples, and an index.html
  --out-dir DIR  where --all writes (default: build/reports)`;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const REPORTS = join(ROOT, "build", "reports");
const TRACE_DIRS = [join(ROOT, "traces", "model"), join(ROOT, "traces", "counterexamples")];

/** build/reports/<name>.html for traces/…/<name>.itf.json. */
const pageName = (file: string) => `${traceName(file)}.html`;

/** Paths printed relative to where the command runs, as the user typed them. */
const shown = (path: string) => relative(process.cwd(), path) || path;

/** The page could not be written: the user's output path, not the trace, is at fault. */
class OutputError extends InputError {}

async function writePage(path: string, text: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
  } catch (e) {
    throw new OutputError(`cannot write ${shown(path)}: ${(e as Error).message}`);
  }
}

/** Checked once, before rendering anything: every page of --all goes there. */
async function prepareOutDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw new OutputError(`cannot use ${shown(dir)} as the output folder: ${(e as Error).message}`);
  }
}

async function viewOne(file: string, out: string | undefined): Promise<void> {
  const loaded = await loadTrace(file);
  const path = resolve(out ?? join(REPORTS, pageName(file)));
  await writePage(path, renderPage(loaded));
  console.log(shown(path));
}

async function viewAll(outDir: string): Promise<number> {
  const started = performance.now();
  await prepareOutDir(outDir);
  const entries: IndexEntry[] = [];
  let failures = 0;
  for (const dir of TRACE_DIRS) {
    const files = (await readdir(dir)).filter((f) => f.endsWith(".itf.json")).sort();
    for (const f of files) {
      const file = join(dir, f);
      const name = f.replace(/\.itf\.json$/, "");
      const group = relative(ROOT, dir);
      try {
        const loaded = await loadTrace(shown(file));
        const meta = loaded.trace["#meta"] ?? {};
        await writePage(join(outDir, pageName(file)), renderPage(loaded));
        const v = loaded.chart.violation;
        entries.push({
          name,
          href: pageName(file),
          group,
          steps: loaded.trace.states.length - 1,
          ...(typeof meta.description === "string" ? { description: meta.description } : {}),
          ...(typeof meta.variant === "string" ? { variant: meta.variant } : {}),
          ...(typeof meta.chosenBy === "string" ? { chosenBy: meta.chosenBy } : {}),
          ...(v ? { violation: `${v.name} (${v.kind})` } : {}),
        });
      } catch (e) {
        if (e instanceof OutputError) throw e; // the output is at fault, not this trace: stop
        failures++;
        console.error(`view: error: ${oneLine(e)}`);
        entries.push({ name, group, error: oneLine(e) });
      }
    }
  }
  const index = join(outDir, "index.html");
  await writePage(index, renderIndex(entries, "DCA traces"));
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  console.log(`${shown(index)} (${entries.length - failures} trace pages in ${shown(outDir)}, ${seconds} s)`);
  return failures ? 2 : 0;
}

await command(import.meta.url, {
  name: "view",
  help: HELP,
  options: { out: { type: "string" }, all: { type: "boolean" }, "out-dir": { type: "string" } },
  positionals: true,
  run: async ({ values, positionals }) => {
    if (values.all) {
      if (positionals.length || values.out) throw new UsageError("--all takes no trace file and no --out (use --out-dir)");
      if (values["out-dir"] === "") throw new UsageError("--out-dir needs a folder name");
      return viewAll(resolve(values["out-dir"] ?? REPORTS));
    }
    if (values["out-dir"]) throw new UsageError("--out-dir goes with --all (for one trace use --out)");
    if (positionals.length !== 1) throw new UsageError("expected one trace file, or --all (see --help)");
    if (values.out === "") throw new UsageError("--out needs a file name");
    await viewOne(positionals[0]!, values.out);
    return 0;
  },
});
