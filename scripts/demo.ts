// npm run demo -- --clients N [--seed S] [--events E] [--variant V]
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
import { parseArgs } from "node:util";
import { mergeRun } from "../conformance/validate/network-merge.ts";
import { churn } from "../impl/client/churn.ts";
import { DsProcess } from "../impl/client/ds-process.ts";
import { VARIANTS, type Variant } from "../impl/types.ts";
import { validateRun, verdictLine } from "../conformance/validate/trace-validate.ts";

const HELP = `Usage: npm run demo -- --clients N [--seed S] [--events E] [--settle SECONDS] [--variant V] [--validate] [--keep]

  --clients N     client processes at the start (2..40)
  --seed S        the seed of the random churn (default: from the clock, printed)
  --events E      random events after the joins (default 2 × N)
  --settle S      give up waiting for the clients to agree after S seconds (default 60)
  --variant V     a known-bad switch in every client (tests only)
  --validate      merge the clients' recordings with the DS's log into one run of the
                  model (spec/network.md) and have TLC check it (tla/DCA_Validate.tla)
  --keep          keep the clients' state files and recordings (their directory is printed)

Exit status: 0 every live client shows the same epoch and safety number, 1 not, 2 bad usage.`;

function usage(message: string): never {
  console.error(`demo: ${message} (see --help)`);
  process.exit(2);
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        clients: { type: "string" },
        seed: { type: "string" },
        events: { type: "string" },
        settle: { type: "string" },
        variant: { type: "string" },
        keep: { type: "boolean" },
        validate: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    usage((e as Error).message);
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const int = (name: string, v: string | undefined, min: number, max: number, dflt?: number): number => {
    if (v === undefined) {
      if (dflt === undefined) usage(`--${name} is required`);
      return dflt;
    }
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) usage(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
    return n;
  };
  const clients = int("clients", values.clients, 2, 40);
  const seed = int("seed", values.seed, 0, 2 ** 32 - 1, Date.now() % 2 ** 32);
  const events = int("events", values.events, 0, 1000, 2 * clients);
  const settle = int("settle", values.settle, 1, 3600, 60);
  if (values.variant && !(VARIANTS as readonly string[]).includes(values.variant)) usage(`--variant: unknown variant ${JSON.stringify(values.variant)}`);

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
      ...(values.variant ? { variant: values.variant as Variant } : {}),
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
    let accepted = true;
    if (values.validate) {
      const merged = mergeRun(run.log, run.recordings, { quiesced: run.quiesced, ...(values.variant ? { variant: values.variant as Variant } : {}) });
      const v = await validateRun(merged.trace, { name: `demo-${seed}`, variant: "Correct", explain: false, source: "npm run demo" });
      accepted = v.accepted;
      console.log(`demo: the merged run, ${merged.order.length} steps${run.quiesced ? " ending in a Quiesced claim" : ""}: ${verdictLine(v)}`);
    }
    if (values.keep) console.log(`demo: state files and recordings in ${dir}`);
    return ok && accepted ? 0 : 1;
  } finally {
    await ds.stop();
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`demo: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
