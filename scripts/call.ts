// npm run call -- [--port N] [--ds-port N] [--host H] [--room NAME]
//
// Builds the call page (impl/web/, esbuild) into build/web/, starts a delivery
// service (impl/ds/, in memory) and an HTTP server for the page on loopback, and
// prints the address to open: one browser tab or window per member, each with its
// camera. Every video frame is encrypted in the browser with SFrame under the room's
// MLS keys (spec/media.md). Ctrl-C (SIGINT) or SIGTERM stops both servers.
// Exit status: 0 stopped by a signal, 1 the page could not be built, 2 bad usage
// (an unknown option, a bad value, a port already in use).

import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ROOM_NAME } from "../impl/ds/protocol.ts";
import { buildCallPage } from "./lib/call-build.ts";
import { startCallServers } from "./lib/call-server.ts";

const HELP = `Usage: npm run call -- [--port N] [--ds-port N] [--host H] [--room NAME]

  --port N      the page's HTTP port (default 8080; 0 picks a free one)
  --ds-port N   the delivery service's WebSocket port (default 0: a free one)
  --host H      the address both listen on (default 127.0.0.1; browsers allow the
                camera on http:// only for localhost and 127.0.0.1)
  --room NAME   the room the printed address joins (default "call")

Open the printed address in two or more tabs or windows: each is a member.`;

function usage(message: string): never {
  console.error(`call: ${message} (see --help)`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: "string" },
        "ds-port": { type: "string" },
        host: { type: "string" },
        room: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    usage((e as Error).message);
  }
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const port = (name: string, v: string | undefined, dflt: number): number => {
    if (v === undefined) return dflt;
    if (!/^\d+$/.test(v) || Number(v) > 65535) usage(`--${name} must be a port number from 0 to 65535, got ${JSON.stringify(v)}`);
    return Number(v);
  };
  const httpPort = port("port", values.port, 8080);
  const dsPort = port("ds-port", values["ds-port"], 0);
  const host = values.host ?? "127.0.0.1";
  const room = values.room ?? "call";
  if (!ROOM_NAME.test(room)) usage(`--room must match ${ROOM_NAME}, got ${JSON.stringify(room)}`);

  const dir = resolve("build", "web");
  try {
    await buildCallPage(dir);
  } catch (e) {
    console.error(`call: cannot build the page: ${(e as Error).message}`);
    process.exit(1);
  }
  const servers = await startCallServers({ dir, host, httpPort, dsPort, onDsEvent: (line) => console.log(`ds: ${line}`) }).catch((e: NodeJS.ErrnoException) =>
    usage(`cannot listen on ${host} (--port ${httpPort}, --ds-port ${dsPort}): ${e.code === "EADDRINUSE" ? "a port is already in use" : e.message}`),
  );
  const stop = async (signal: string) => {
    console.log(`call: ${signal}: stopping`);
    await servers.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
  console.log(`call: page built in ${relative(process.cwd(), join(dir)) || dir}; delivery service on ${servers.ds.url}`);
  console.log(`call: open ${servers.pageUrl(room)}`);
  console.log("call: in two or more tabs or windows (each is a member); Ctrl-C stops");
}

main().catch((e: unknown) => {
  console.error(`call: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
