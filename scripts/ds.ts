// npm run ds -- [--port N] [--host H] [--storage memory|sqlite:FILE|redis:URL] [--heartbeat-ms N] [--grace-ms N]
// Runs the delivery service (impl/ds/server.ts): prints "listening <port> <url>",
// then one line per room event; SIGINT/SIGTERM close it cleanly (no `left` appended).

import { startDs } from "../impl/ds/server.ts";
import { openStorage } from "../impl/ds/open-storage.ts";

const USAGE = "usage: npm run ds -- [--port N] [--host H] [--storage memory|sqlite:FILE|redis:URL] [--heartbeat-ms N] [--grace-ms N]";

function fail(why: string): never {
  process.stderr.write(`ds: ${why}\n${USAGE}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const opt = { port: 0, host: "127.0.0.1", storage: "memory", heartbeatMs: 5000, graceMs: 3000 };
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === "--help" || a === "-h") {
    process.stdout.write(`${USAGE}\nDefaults: --port 0 (ephemeral) --host 127.0.0.1 --storage memory --heartbeat-ms 5000 --grace-ms 3000\n`);
    process.exit(0);
  }
  const v = args[++i];
  if (v === undefined) fail(`${a} needs a value`);
  const int = (name: string) => (/^\d+$/.test(v) ? Number(v) : fail(`${name}: expected a non-negative integer, got ${JSON.stringify(v)}`));
  if (a === "--port") opt.port = int("--port");
  else if (a === "--host") opt.host = v;
  else if (a === "--storage") opt.storage = v;
  else if (a === "--heartbeat-ms") opt.heartbeatMs = int("--heartbeat-ms");
  else if (a === "--grace-ms") opt.graceMs = int("--grace-ms");
  else fail(`unknown option ${JSON.stringify(a)}`);
}
if (opt.port > 65535) fail(`--port: ${opt.port} is not a port`);

let storage;
try {
  storage = await openStorage(opt.storage);
} catch (e) {
  fail(`--storage ${opt.storage}: ${(e as Error).message}`);
}
const ds = await startDs({
  storage, port: opt.port, host: opt.host, heartbeatMs: opt.heartbeatMs, graceMs: opt.graceMs,
  onEvent: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
}).catch((e: Error) => fail(`cannot listen on ${opt.host}:${opt.port}: ${e.message}`));

const stop = async (signal: string) => {
  process.stdout.write(`${signal}: closing\n`);
  await ds.close();
  await storage.close();
  process.exit(0);
};
process.once("SIGINT", () => void stop("SIGINT"));
process.once("SIGTERM", () => void stop("SIGTERM"));
// Only now say where it listens: a signal sent on seeing this line finds its handler.
process.stdout.write(`listening ${ds.port} ${ds.url} (storage ${opt.storage})\n`);
