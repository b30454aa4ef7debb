// npm run summary — the last step of `make verify`: one report of what ran and
// what it found. Reads the results the earlier steps left in build/ (TLC's
// result.json per configuration, build/mutants.json, build/conformance.json) and
// runs the two quick teeth checks itself (each known-bad switch against the
// conformance replay and against the property-based test, without MLS).

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { roomProperty, teethCampaign } from "../conformance/random/property-engine.ts";
import { replayAll, traceFiles } from "../conformance/replay/replay-all.ts";
import { VARIANTS, type Variant } from "../impl/types.ts";
import { command } from "./cli/command.ts";
import { resultIsCurrent } from "./tlc/check-key.ts";
import { defaultSpec } from "./tlc/config.ts";
import { readManifest } from "./lib/models.ts";
import { describeProgress, hours, lostQueueFile, readLedger, runDir, runKey, runLevels, runsRoot, totalSeconds } from "./tlc/resumable.ts";

// The CI configurations (make check) and the resumable ones, from tla/models.json.
const CONFIGS = readManifest().filter((m) => m.ci).map((m) => m.config.replace(/\.cfg$/, ""));
const RESUMABLE = readManifest().filter((m) => m.resumable).map((m) => m.config.replace(/\.cfg$/, ""));
const read = (path: string): any => (existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : undefined);
const n = (x: number | undefined) => (x === undefined ? "?" : x.toLocaleString("en-US"));
const lines: string[] = [];
const say = (s = "") => lines.push(s);

await command(import.meta.url, {
  name: "summary",
  help: "Usage: npm run summary\n\nThe last step of make verify: one report of what ran and what it found (reads build/). Exit status: 0 all passed, 1 not.",
  run: async () => {
    // 1. Model checking.
    const runs = CONFIGS.map((c) => ({ c, r: read(join("build", "tlc", c, "result.json")) }));
    const first = runs.find((x) => x.r)?.r;
    say(`TLC: ${first ? `${first.tlc.label} — ${first.tlc.version ?? "version unknown"} (${first.tlc.jar})` : "no run found in build/tlc (run make check)"}`);
    for (const { c, r } of runs) {
      if (!r) {
        say(`  ${c.padEnd(16)} not run`);
        continue;
      }
      if (!resultIsCurrent(r)) {
        say(`  ${c.padEnd(16)} stale: build/tlc/${c}/result.json is of another text of the model, config or TLC (make check runs it again)`);
        continue;
      }
      const outcome = r.outcome.kind === "ok" ? "ok" : `${r.outcome.kind}${r.outcome.name ? ` ${r.outcome.name}` : ""}`;
      say(`  ${c.padEnd(16)} ${outcome.padEnd(4)}  ${n(r.distinctStates)} distinct / ${n(r.statesGenerated)} generated, depth ${r.depth ?? "?"}, ${r.seconds?.toFixed(1) ?? "?"} s`);
    }
    // The large configurations are not part of make verify (hours); say what each one's resumable run has, for this model and jar.
    for (const name of first?.tlc?.sha256 ? RESUMABLE : []) {
      const config = `tla/${name}.cfg`;
      const label = name.padEnd(16);
      const dir = runDir(runsRoot(), config, runKey({ spec: defaultSpec(config), config, jarSha256: first!.tlc.sha256, extraArgs: [] }));
      let ledger;
      try {
        ledger = readLedger(dir);
      } catch (e) {
        say(`  ${label} unreadable run ledger: ${(e as Error).message}`);
      }
      const f = ledger?.final;
      if (f) say(`  ${label} ${f.ok ? "ok  " : f.outcome}  ${n(f.distinct)} distinct, depth ${f.depth ?? "?"}, ${hours(totalSeconds(ledger!))} over ${ledger!.segments.length} segment(s) (make check-full, finished ${f.finishedAt})`);
      else if (ledger && lostQueueFile(ledger)) {
        say(`  ${label} unfinished, and its checkpoint lost a queue file: make check-full FRESH=1 starts over`);
      } else if (ledger) {
        say(`  ${label} unfinished: ${describeProgress(ledger)}; make check-full resumes it`);
        const levels = runLevels(dir, ledger);
        if (levels) say(`                   new distinct states per BFS level: ${levels}`);
      }
      else say(`  ${label} not run for this model here (make check-full: hours, resumable)`);
    }

    // 2. Known-bad variants, three layers.
    const mutants = read("build/mutants.json");
    const bad = VARIANTS.filter((v): v is Exclude<Variant, "Correct"> => v !== "Correct");
    const modelTraces = traceFiles();
    const byConformance: string[] = [];
    const byProperty: string[] = [];
    for (const variant of bad) {
      if ((await replayAll(modelTraces, { mls: false, variant })).failures.length > 0) byConformance.push(variant);
      const campaign = teethCampaign(variant);
      const result = await fc.check(roomProperty(campaign, () => {}), { numRuns: campaign.numRuns, seed: campaign.seed, endOnFailure: true });
      if (result.failed) byProperty.push(variant);
    }
    say();
    say("Known-bad variants caught:");
    if (mutants) {
      const tlcRows = mutants.rows as { variant: string; expected: string; caught: boolean }[];
      say(`  by TLC (npm run mutants)          ${tlcRows.filter((r) => r.caught).length}/${tlcRows.length} configurations`);
    } else say("  by TLC (npm run mutants)          not run");
    say(`  by the conformance replay         ${byConformance.length}/${bad.length} implementation switches`);
    say(`  by the property-based test        ${byProperty.length}/${bad.length} implementation switches`);
    for (const v of bad) {
      const tlc = mutants?.rows.some((r: { variant: string; caught: boolean }) => r.variant === v && r.caught) ? "TLC" : "   ";
      say(`    ${v.padEnd(22)} ${tlc}  ${byConformance.includes(v) ? "replay" : "      "}  ${byProperty.includes(v) ? "property" : ""}`);
    }

    // 3. Traces and conformance.
    const conformance = read("build/conformance.json");
    say();
    say(`Traces: ${modelTraces.length} model traces in traces/model/, ${readdirSync("traces/counterexamples").filter((f) => f.endsWith(".itf.json")).length} counterexamples in traces/counterexamples/`);
    if (conformance) {
      say(`Replayed on the implementation (MLS ${conformance.mls ? "on" : "off"}): ${conformance.traces - conformance.failed}/${conformance.traces} traces, ${n(conformance.steps)} steps`);
      say(`  action coverage: ${Object.entries(conformance.actions as Record<string, number>).map(([a, k]) => `${a} ${k}`).join(", ")}${conformance.missing.length ? `; NEVER: ${conformance.missing.join(", ")}` : ""}`);
    } else say("Replay: not run (npm run conformance)");

    // 4. Where to look.
    say();
    const reports = join("build", "reports", "index.html");
    say("Reports: docs/correspondence.md (spec ↔ TLA+ ↔ code ↔ tests)");
    say(`         ${existsSync(reports) ? reports : "build/reports/ (not written: make reports)"} (every trace as a message sequence chart; open in a browser)`);
    say("         build/tlc/<config>/tlc.out (raw TLC output); npm run replay -- <trace> --html (model and implementation side by side)");

    const ok = runs.every((x) => x.r?.outcome.kind === "ok" && resultIsCurrent(x.r)) && existsSync(reports) && mutants?.rows.every((r: { caught: boolean }) => r.caught) &&
      byConformance.length === bad.length && byProperty.length === bad.length && conformance && conformance.failed === 0 && conformance.missing.length === 0;
    console.log(`\n=== make verify: summary ===\n${lines.join("\n")}\n\n${ok ? "All checks passed." : "SOME CHECKS DID NOT PASS (see above)."}`);
    return ok ? 0 : 1;
  },
});
