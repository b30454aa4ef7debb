// The client's side of the delivery service's wire protocol: a DsLink
// (impl/client/link.ts) over a ClientSocket (impl/client/socket.ts). JSON text
// frames; MLS bytes as base64. Every frame the server sends is checked before use:
// a frame that is not what the protocol says is reported (refused) and dropped,
// never trusted.

import type { LogEntry, Uid } from "../types.ts";
import { fromBase64, toBase64 } from "./base64.ts";
import { checkPresent } from "./errors.ts";
import type { DsLink, Joined, LinkHandlers } from "./link.ts";
import type { ClientSocket } from "./socket.ts";

export const DEFAULT_URL = "ws://127.0.0.1:7070";

const b64 = toBase64;
const unb64 = (s: unknown) => (typeof s === "string" ? fromBase64(s) : undefined);

/** A log entry as JSON on the wire (bytes as base64). */
export function entryToWire(e: LogEntry): Record<string, unknown> {
  const o: Record<string, unknown> = { ...e };
  for (const k of ["keyPackage", "welcome", "commit"]) if (o[k] instanceof Uint8Array) o[k] = b64(o[k] as Uint8Array);
  return o;
}

/** A log entry from the wire; its fields are checked by the core (impl/client/entry-check.ts) when read. */
export function entryFromWire(o: Record<string, unknown>): LogEntry {
  const e: Record<string, unknown> = { ...o };
  for (const k of ["keyPackage", "welcome", "commit"]) if (k in e) e[k] = unb64(e[k]) ?? e[k];
  return e as unknown as LogEntry;
}

/** A DsLink factory over a socket opener: connectWs (impl/client/ws-socket.ts) on Node, openBrowserSocket in a page. */
export function wsLink(url: string, open: (url: string) => Promise<ClientSocket>): (h: LinkHandlers) => Promise<DsLink> {
  return async (handlers) => linkOver(await open(url), handlers);
}

export function linkOver(socket: ClientSocket, handlers: LinkHandlers): DsLink {
  let pendingHello: { resolve: (j: Joined) => void; reject: (e: Error) => void; keyPackageFor?: (uid: Uid) => Promise<Uint8Array | null> } | null = null;
  const acks = new Map<string, { resolve: (i: number) => void; reject: (e: Error) => void }>();
  let open = true;
  const send = (m: Record<string, unknown>) => socket.send(JSON.stringify(m));

  socket.onClose((why) => {
    open = false;
    const err = new Error(`connection ${why}`);
    pendingHello?.reject(err);
    pendingHello = null;
    for (const a of acks.values()) a.reject(err);
    acks.clear();
    handlers.closed(why);
  });
  socket.onMessage((text) => {
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(text) as Record<string, unknown>;
      if (!m || typeof m !== "object") throw new Error("not an object");
    } catch (e) {
      handlers.refused(`a frame from the DS that is not JSON (${(e as Error).message})`);
      return;
    }
    switch (m.t) {
      case "assigned": {
        // A new user's UID: make the KeyPackage for it (none for the creator) and join.
        const p = pendingHello;
        const uid = m.uid;
        if (!p?.keyPackageFor || !Number.isInteger(uid)) return handlers.refused(`an unexpected "assigned" frame`);
        void p.keyPackageFor(uid as number).then(
          (kp) => send(kp ? { t: "join", keyPackage: b64(kp) } : { t: "join" }),
          (e: Error) => p.reject(e),
        );
        return;
      }
      case "ready": {
        const p = pendingHello;
        pendingHello = null;
        if (!p) return handlers.refused(`an unexpected "ready" frame`);
        if (!Number.isInteger(m.uid) || !Number.isInteger(m.head)) return p.reject(new Error(`a "ready" frame without uid or head`));
        const joinedAt = Number.isInteger(m.joinedAt) ? (m.joinedAt as number) : null;
        // A new user ranks the users present (R2, R15); a resume or the creator gets none.
        let present: Uid[] = [];
        try {
          if (joinedAt !== null) present = checkPresent(m.uid as number, m.present);
        } catch (e) {
          handlers.refused((e as Error).message);
          return p.reject(e as Error);
        }
        return p.resolve({ uid: m.uid as number, head: m.head as number, joinedAt, present });
      }
      case "entry": {
        if (!Number.isInteger(m.index) || !m.entry || typeof m.entry !== "object") return handlers.refused(`an "entry" frame without index or entry`);
        return handlers.entry(m.index as number, entryFromWire(m.entry as Record<string, unknown>));
      }
      case "ack": {
        const a = acks.get(String(m.id));
        if (!a || !Number.isInteger(m.index)) return handlers.refused(`an "ack" for no pending append (${String(m.id)})`);
        acks.delete(String(m.id));
        return a.resolve(m.index as number);
      }
      case "broadcast": {
        const data = unb64(m.data);
        if (!data) return handlers.refused(`a "broadcast" frame without data`);
        return handlers.broadcast(Number.isInteger(m.from) ? (m.from as number) : null, data);
      }
      case "fenced":
        for (const a of acks.values()) a.reject(new Error(`fenced: ${String(m.reason ?? "")}`));
        acks.clear();
        pendingHello?.reject(new Error(`fenced: ${String(m.reason ?? "")}`));
        return handlers.fenced(String(m.reason ?? "announced as left"));
      case "error": {
        const why = `${String(m.code ?? "error")}: ${String(m.reason ?? m.message ?? "")}`;
        if (m.id !== undefined && acks.has(String(m.id))) {
          acks.get(String(m.id))!.reject(new Error(why));
          acks.delete(String(m.id));
        } else if (pendingHello) {
          pendingHello.reject(new Error(why));
          pendingHello = null;
        }
        return handlers.refused(why);
      }
      case "pong":
        return;
      default:
        return handlers.refused(`a frame of unknown kind ${JSON.stringify(m.t)}`);
    }
  });
  const hello = (msg: Record<string, unknown>, keyPackageFor?: (uid: Uid) => Promise<Uint8Array | null>) =>
    new Promise<Joined>((resolve, reject) => {
      pendingHello = { resolve, reject, ...(keyPackageFor ? { keyPackageFor } : {}) };
      send(msg);
    });
  const ping = setInterval(() => open && send({ t: "ping" }), 1000);
  ping.unref?.();
  return {
    joinNew: (room, keyPackageFor) => hello({ t: "hello", room }, keyPackageFor),
    resume: (room, uid, cursor) => hello({ t: "hello", room, uid, cursor }),
    append: (entry, id) =>
      new Promise<number>((resolve, reject) => {
        if (!open) return reject(new Error("connection closed"));
        acks.set(id, { resolve, reject });
        send({ t: "append", id, entry: entryToWire(entry) });
      }),
    broadcast: (data) => send({ t: "broadcast", data: b64(data) }),
    leave: () => send({ t: "leave" }),
    close: () => {
      clearInterval(ping);
      socket.close();
    },
  };
}

/** What an observer connection hears: the log's head when it connected, each entry in order, a refusal. */
export interface RoomObserver {
  ready?(head: number): void;
  entry(index: number, entry: LogEntry): void;
  error?(reason: string): void;
}

/**
 * Watches a room's log live through an observer connection (it does not join): every entry
 * from the start, in order, as the DS relays it. Returns the connection's close.
 */
export async function observeRoom(url: string, room: string, open: (url: string) => Promise<ClientSocket>, on: RoomObserver): Promise<() => void> {
  const socket = await open(url);
  let next = 0;
  socket.onClose(() => {});
  socket.onMessage((text) => {
    const m = JSON.parse(text) as Record<string, unknown>;
    if (m.t === "ready") on.ready?.(m.head as number);
    else if (m.t === "entry" && m.index === next) on.entry(next++, entryFromWire(m.entry as Record<string, unknown>));
    else if (m.t === "error") on.error?.(String(m.reason));
  });
  socket.send(JSON.stringify({ t: "hello", room, observe: true }));
  return () => socket.close();
}

/** A room's whole log, read by an observer connection (it does not join); for checking a run afterwards. */
export function readRoomLog(url: string, room: string, open: (url: string) => Promise<ClientSocket>, ms = 10000): Promise<LogEntry[]> {
  const log: LogEntry[] = [];
  let head = -1;
  let close = () => {};
  return new Promise<LogEntry[]>((resolve, reject) => {
    const timer = setTimeout(() => end(() => reject(new Error(`${url}: room ${room}: the log did not arrive within ${ms} ms (${log.length} of ${head} entries)`))), ms);
    const end = (settle: () => void) => {
      clearTimeout(timer);
      close();
      settle();
    };
    const done = () => {
      if (head >= 0 && log.length >= head) end(() => resolve(log.slice(0, head)));
    };
    observeRoom(url, room, open, {
      ready: (h) => ((head = h), done()),
      entry: (_index, e) => (log.push(e), done()),
      error: (reason) => end(() => reject(new Error(`${url}: room ${room}: ${reason}`))),
    }).then((c) => (close = c), (e: unknown) => end(() => reject(e)));
  });
}
