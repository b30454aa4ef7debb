// One room ("r") on a real delivery service (impl/ds, WebSocket on a loopback port, memory
// storage) with real network clients (impl/client), for the tests that drive a whole room
// over the network (skip-network.test.ts, welcome-removes-network.test.ts, refusal-network.test.ts,
// batch-network.test.ts, batch-network-validate.test.ts): each started its
// DS and clients and stopped them after the test the same way. Here the DS and every client
// stop when the test that started them finishes, passed or failed (vitest's onTestFinished).

import { onTestFinished } from "vitest";
import { NetworkClient, type ClientOptions } from "../impl/client/client.ts";
import { readRoomLog, wsLink } from "../impl/client/ds-link.ts";
import { connectWs } from "../impl/client/ws-socket.ts";
import { startDs, type DsOptions } from "../impl/ds/server.ts";
import { MemoryStorage } from "../impl/ds/storage-memory.ts";
import type { DsLink, LinkHandlers } from "../impl/client/link.ts";
import type { LogEntry } from "../impl/types.ts";

/** Polls `cond` every 20 ms until it holds; fails naming `what` after `ms`. */
export async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 15000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface LoopbackRoom {
  url: string;
  /** Every client started, in order. */
  clients: readonly NetworkClient[];
  /** Starts a client of the room (quick reconnects); `connect` defaults to a plain WebSocket to the DS. */
  join(opts?: Partial<Omit<ClientOptions, "room" | "backoff">>): Promise<NetworkClient>;
  /** The room's whole log, as the DS has it. */
  log(): Promise<LogEntry[]>;
}

/** Starts the DS (`ds`: options beside its memory storage) for the running test. */
export async function loopbackRoom(ds: Omit<DsOptions, "storage"> = {}): Promise<LoopbackRoom> {
  const running = await startDs({ storage: new MemoryStorage(), ...ds });
  const clients: NetworkClient[] = [];
  onTestFinished(async () => {
    for (const c of clients.splice(0)) c.stop();
    await running.close();
  });
  const url = running.url;
  return {
    url,
    clients,
    async join({ connect = wsLink(url, connectWs), ...opts } = {}) {
      const c = new NetworkClient({ room: "r", connect, ...opts, backoff: { first: 5, max: 20 } });
      clients.push(c);
      await c.start();
      return c;
    },
    log: () => readRoomLog(url, "r", connectWs),
  };
}

/**
 * A connection to the DS whose incoming entries can be held back (a client, a DC, that is
 * not reading for a while), and whose appends can be followed by a hook (`afterAppend`,
 * awaited before the append returns: the DC is slow to go on after its entry landed).
 */
export function heldConnection(url: string) {
  const held: [number, LogEntry][] = [];
  let deliver: ((i: number, e: LogEntry) => void) | null = null;
  const ctl = {
    holding: false,
    afterAppend: null as ((e: LogEntry) => Promise<void>) | null,
    /** The entries held back so far. */
    held: () => held.map(([, e]) => e),
    release() {
      ctl.holding = false;
      for (const [i, e] of held.splice(0)) deliver!(i, e);
    },
  };
  const connect = async (h: LinkHandlers): Promise<DsLink> => {
    deliver = h.entry;
    const link = await wsLink(url, connectWs)({ ...h, entry: (i, e) => (ctl.holding ? held.push([i, e]) : h.entry(i, e)) });
    return {
      ...link,
      append: async (e, id) => {
        const index = await link.append(e, id);
        await ctl.afterAppend?.(e);
        return index;
      },
    };
  };
  return { connect, ctl };
}
