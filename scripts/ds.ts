// npm run ds -- [--port N] [--host H] [--storage memory|sqlite:FILE|redis:URL] [--heartbeat-ms N] [--grace-ms N]
// Runs the delivery service (impl/ds/server.ts): prints "listening <port> <url>",
// then one line per room event; SIGINT/SIGTERM close it cleanly (no `left` appended).
// Exit status: 0 closed by a signal, 2 bad usage or it cannot start (scripts/cli/command.ts).

import { startDs } from "../impl/ds/server.ts";
import { openStorage } from "../impl/ds/open-storage.ts";
import { command, InputError, UsageError } from "./cli/command.ts";

const HELP = `usage: npm run ds -- [--port N] [--host H] [--storage memory|sqlite:FILE|redis:URL] [--heartbeat-ms N] [--grace-ms N]
Defaults: --port 0 (ephemeral) --host 127.0.0.1 --storage memory --heartbeat-ms 5000 --grace-ms 3000`;

/** A non-negative integer option (a port, milliseconds). */
function natural(option: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new UsageError(`${option}: expected a non-negative integer, got ${JSON.stringify(text)}`);
  return Number(text);
}

await command(import.meta.url, {
  name: "ds",
  help: HELP,
  options: { port: { type: "string" }, host: { type: "string" }, storage: { type: "string" }, "heartbeat-ms": { type: "string" }, "grace-ms": { type: "string" } },
  run: async ({ values }) => {
    const port = natural("--port", values.port, 0);
    if (port > 65535) throw new UsageError(`--port: ${port} is not a port`);
    const host = values.host ?? "127.0.0.1";
    const spec = values.storage ?? "memory";
    const heartbeatMs = natural("--heartbeat-ms", values["heartbeat-ms"], 5000);
    const graceMs = natural("--grace-ms", values["grace-ms"], 3000);
    const storage = await openStorage(spec).catch((e: Error) => {
      throw new UsageError(`--storage ${spec}: ${e.message}`);
    });
    const ds = await startDs({
      storage, port, host, heartbeatMs, graceMs,
      onEvent: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
    }).catch((e: Error) => {
      throw new InputError(`cannot listen on ${host}:${port}: ${e.message}`);
    });
    const stop = async (signal: string) => {
      process.stdout.write(`${signal}: closing\n`);
      await ds.close();
      await storage.close();
      process.exit(0);
    };
    process.once("SIGINT", () => void stop("SIGINT"));
    process.once("SIGTERM", () => void stop("SIGTERM"));
    // Only now say where it listens: a signal sent on seeing this line finds its handler.
    process.stdout.write(`listening ${ds.port} ${ds.url} (storage ${spec})\n`);
    return 0; // the server keeps the process running until a signal stops it
  },
});
