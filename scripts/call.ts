// npm run call -- [--port N] [--ds-port N] [--host H] [--room NAME]
//
// Builds the call page (impl/web/, esbuild) into build/web/, starts a delivery
// service (impl/ds/, in memory) and an HTTP server for the page on loopback, and
// prints the address to open: one browser tab or window per member, each with its
// camera. Every video frame is encrypted in the browser with SFrame under the room's
// MLS keys (spec/media.md). Ctrl-C (SIGINT) or SIGTERM stops both servers.
// Exit status (scripts/cli/command.ts): 0 stopped by a signal, 1 the page could not
// be built, 2 bad usage (an unknown option, a bad value) or a port already in use.

import { relative, resolve } from "node:path";
import { ROOM_NAME } from "../impl/ds/protocol.ts";
import { command, InputError, integer, UsageError } from "./cli/command.ts";
import { buildCallPage } from "./lib/call-build.ts";
import { startCallServers } from "./lib/call-server.ts";

const HELP = `Usage: npm run call -- [--port N] [--ds-port N] [--host H] [--room NAME]

  --port N      the page's HTTP port (default 8080; 0 picks a free one)
  --ds-port N   the delivery service's WebSocket port (default 0: a free one)
  --host H      the address both listen on (default 127.0.0.1; browsers allow the
                camera on http:// only for localhost and 127.0.0.1)
  --room NAME   the room the printed address joins (default "call")

Open the printed address in two or more tabs or windows: each is a member. WebRTC
leaves out the loopback interface: on a machine with no other network, start
Chromium with --allow-loopback-in-peer-connection.`;

/** The page could not be built: exit 1. */
class BuildError extends Error {}

await command(import.meta.url, {
  name: "call",
  help: HELP,
  options: { port: { type: "string" }, "ds-port": { type: "string" }, host: { type: "string" }, room: { type: "string" } },
  errors: [{ type: BuildError, label: "cannot build the page", status: 1 }],
  run: async ({ values }) => {
    const httpPort = integer("--port", values.port, { min: 0, max: 65535, fallback: 8080 });
    const dsPort = integer("--ds-port", values["ds-port"], { min: 0, max: 65535, fallback: 0 });
    const host = values.host ?? "127.0.0.1";
    const room = values.room ?? "call";
    if (!ROOM_NAME.test(room)) throw new UsageError(`--room must match ${ROOM_NAME}, got ${JSON.stringify(room)}`);

    const dir = resolve("build", "web");
    await buildCallPage(dir).catch((e: Error) => {
      throw new BuildError(e.message);
    });
    const servers = await startCallServers({ dir, host, httpPort, dsPort, onDsEvent: (line) => console.log(`ds: ${line}`) }).catch((e: NodeJS.ErrnoException) => {
      throw new InputError(`cannot listen on ${host} (--port ${httpPort}, --ds-port ${dsPort}): ${e.code === "EADDRINUSE" ? "a port is already in use" : e.message}`);
    });
    const stop = async (signal: string) => {
      console.log(`call: ${signal}: stopping`);
      await servers.close();
      process.exit(0);
    };
    process.once("SIGINT", () => void stop("SIGINT"));
    process.once("SIGTERM", () => void stop("SIGTERM"));
    console.log(`call: page built in ${relative(process.cwd(), dir) || dir}; delivery service on ${servers.ds.url}`);
    console.log(`call: open ${servers.pageUrl(room)}`);
    console.log("call: in two or more tabs or windows (each is a member); Ctrl-C stops");
    return 0; // the servers keep the process running until a signal stops it
  },
});
