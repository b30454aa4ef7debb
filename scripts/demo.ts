// npm run demo -- --clients N [--seed S] [--events E] [--variant V] [--batch]
//
// Starts a delivery service on loopback and N client processes (scripts/client.ts)
// in one room, churns them — joins, leaves, kill -9 and restart from the saved
// state, one DS restart — from a seed (printed), waits until they settle, has one
// client send a message, and ends with one line per live client: name, UID, epoch,
// safety number. The DS is `npm run ds` (impl/ds/) on SQLite, in a process of its
// own; its restart is a kill -9 and a start on the same port. Bounded in time: it gives up
// after --settle seconds (default 60) and stops by itself.
// Exit status: 0 every live client shows the same epoch and safety number (and the
// message reached all), 1 not, 2 bad usage.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mergeRun } from "../conformance/validate/network-merge.ts";
import { churn } from "../impl/client/churn.ts";
import { DsProcess } from "../impl/client/ds-process.ts";
import { VARIANTS } from "../impl/types.ts";
import { command, integer, oneOf, UsageError } from "./cli/command.ts";
import { verdictLine } from "../conformance/validate/trace-validate.ts";
import { batchVerdictLine } from "../conformance/validate/batch-validate.ts";
import { validateRecordedRun } from "../conformance/validate/validate-recorded.ts";

const HELP = `Usage: npm run demo -- --clients N [--seed S] [--events E] [--settle SECONDS] [--variant V] [--validate] [--keep]

  --clients N     client processes at the start (2..40)
  --seed S        the seed of the random churn (default: from the clock, printed)
  --events E      random events after the joins (default 2 × N)
  --settle S      give up waiting for the clients to agree after S seconds (default 60)
  --variant V     a known-bad switch in every client (tests only)
  --batch         every client runs the batched rules (spec/batching.md section 4)
  --validate      merge the clients' recordings with the DS's log into one run of the
                  model (spec/network.md) and have TLC check it (tla/DCA_Validate.tla;
                  with --batch, tla/DCA_BatchValidate.tla)
  --keep          keep the clients' state files and recordings (their directory is printed)

Exit status: 0 every live client shows the same epoch and safety number, 1 not, 2 bad usage.`;

await command(import.meta.url, {
  name: "demo",
  help: HELP,
  options: {
    clients: { type: "string" },
    seed: { type: "string" },
    events: { type: "string" },
    settle: { type: "string" },
    variant: { type: "string" },
    batch: { type: "boolean" },
    keep: { type: "boolean" },
    validate: { type: "boolean" },
  },
  exitWhenDone: true, // client processes and the DS's socket
  run: async ({ values }) => {
    const clients = integer("--clients", values.clients, { min: 2, max: 40 });
    const seed = integer("--seed", values.seed, { min: 0, max: 2 ** 32 - 1, fallback: Date.now() % 2 ** 32 });
    const events = integer("--events", values.events, { min: 0, max: 1000, fallback: 2 * clients });
    const settle = integer("--settle", values.settle, { min: 1, max: 3600, fallback: 60 });
    const variant = values.variant === undefined ? undefined : oneOf("--variant", values.variant, VARIANTS, "variant");
    const batch = values.batch === true;
    if (batch && variant !== undefined && variant !== "Correct") throw new UsageError(`--batch runs the batched rules, checked with variant Correct only, not ${variant}`);

    const dir = mkdtempSync(join(tmpdir(), "dca-demo-"));
    // The delivery service (npm run ds) as a process of its own on SQLite; its restart is a kill -9.
    const ds = new DsProcess(process.execPath, (port) => ["--import", "./scripts/register-ts-node.mjs", "scripts/ds.ts", "--port", String(port), "--storage", `sqlite:${join(dir, "ds.sqlite")}`], process.cwd());
    await ds.start();
    const url = ds.url;
    console.log(`demo: seed ${seed}; DS on ${url} (npm run ds, SQLite storage, pid ${ds.pid}); ${clients} clients, ${events} events`);
    const t0 = Date.now();
    const stamp = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s`;
    try {
      const run = await churn({
        ds,
        clients,
        seed,
        events,
        room: "demo",
        dir,
        cwd: process.cwd(),
        settleMs: settle * 1000,
        ...(variant ? { variant } : {}),
        ...(batch ? { batch: true } : {}),
        log: (line) => console.log(`${stamp()}  ${line}`),
      });
      console.log("");
      for (const f of run.finals.filter((x) => !x.status.left)) {
        console.log(`${f.name.padEnd(4)} user ${String(f.status.uid).padStart(3)}  epoch ${String(f.status.epoch).padStart(3)}  safety number ${f.status.safetyNumber}`);
      }
      const ok = run.converged && run.messageReachedAll;
      console.log("");
      console.log(
        ok
          ? `demo: converged: ${run.finals.length} live clients, one epoch and one safety number, the message reached all (${run.log.length} log entries, ${stamp().trim()})`
          : `demo: NOT converged: ${run.problem ?? "the message did not reach every client"}`,
      );
      if (batch) {
        const lists = run.log.flatMap((e) => (e.type === "welcome" || e.type === "add" || e.type === "remove" ? [`${e.type} ${(e.targets ?? [e.target]).join(",")}`] : []));
        const many = lists.filter((l) => l.includes(","));
        console.log(`demo: batched rules: ${lists.length} welcome/add/remove entries, ${many.length} naming two users or more${many.length ? ` (${many.join("; ")})` : ""}`);
      }
      let accepted = true;
      if (values.validate) {
        const merged = mergeRun(run.log, run.recordings, { quiesced: run.quiesced, batch, ...(variant ? { variant } : {}) });
        const v = await validateRecordedRun(merged.trace, { name: `demo-${seed}`, variant: "Correct", explain: false, source: "npm run demo" });
        accepted = v.result.accepted;
        const verdict = v.rules === "batched" ? batchVerdictLine(v.result) : verdictLine(v.result);
        console.log(`demo: the merged run, ${merged.order.length} steps${run.quiesced ? " ending in a Quiesced claim" : ""}: ${verdict}`);
      }
      if (values.keep) console.log(`demo: state files and recordings in ${dir}`);
      return ok && accepted ? 0 : 1;
    } finally {
      await ds.stop();
      if (!values.keep) rmSync(dir, { recursive: true, force: true });
    }
  },
});
