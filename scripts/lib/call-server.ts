// The call page's servers on loopback, for `npm run call` and the browser test: the
// delivery service (impl/ds/, in memory) that the pages join through, and an HTTP
// server for the built page (scripts/lib/call-build.ts). Node's own http module: a
// handful of static files need no framework. Only files in the page's folder are
// served, by exact name.

import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { extname, join } from "node:path";
import { MemoryStorage } from "../../impl/ds/storage-memory.ts";
import { startDs, type DsOptions, type RunningDs } from "../../impl/ds/server.ts";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
};
const FILES = /^\/(index\.html|call\.js|call\.css|media-worker\.js|call\.js\.map|media-worker\.js\.map)$/;

export interface CallServers {
  /** The page's address for a room: open it in one tab per member. */
  pageUrl(room: string, extra?: string): string;
  httpPort: number;
  ds: RunningDs;
  close(): Promise<void>;
}

export interface CallServerOptions {
  /** The built page (buildCallPage's folder). */
  dir: string;
  host?: string;
  httpPort?: number;
  dsPort?: number;
  /** The delivery service's timing (e.g. a short grace for tests). */
  ds?: Partial<Omit<DsOptions, "storage" | "port" | "host">>;
  onDsEvent?: (line: string) => void;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve((server.address() as { port: number }).port));
  });
}

export async function startCallServers(o: CallServerOptions): Promise<CallServers> {
  const host = o.host ?? "127.0.0.1";
  const storage = new MemoryStorage();
  const ds = await startDs({ ...o.ds, storage, host, port: o.dsPort ?? 0, ...(o.onDsEvent ? { onEvent: o.onDsEvent } : {}) });
  const http = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const name = path === "/" ? "/index.html" : path;
    if (req.method !== "GET" || !FILES.test(name)) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    readFile(join(o.dir, name.slice(1))).then(
      (body) => res.writeHead(200, { "content-type": TYPES[extname(name)] ?? "application/octet-stream", "cache-control": "no-store" }).end(body),
      () => res.writeHead(404, { "content-type": "text/plain" }).end("not built\n"),
    );
  });
  let httpPort: number;
  try {
    httpPort = await listen(http, o.httpPort ?? 0, host);
  } catch (e) {
    await ds.close();
    await storage.close();
    throw e;
  }
  return {
    pageUrl: (room, extra = "") => `http://${host}:${httpPort}/?room=${encodeURIComponent(room)}&ds=${ds.url}${extra}`,
    httpPort,
    ds,
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
      await ds.close();
      await storage.close();
    },
  };
}
