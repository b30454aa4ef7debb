// The delivery service (issue 14, spec/delivery-service.md): a WebSocket server
// (the `ws` package) on loopback that orders and relays. One append-only log per
// room in a Storage; UIDs handed out one at a time per room (a joiner's KeyPackage
// names its UID and members accept `joined` only in UID order, so the next hello
// waits until the current reservation joins or lapses); `left` appended when a
// user leaves, or when its connection is gone for a grace period (closed, or
// silent past the heartbeat); after its `left` every append of that UID is
// refused (`fenced`). It checks envelopes only and never parses MLS.

import { WebSocketServer, type WebSocket } from "ws";
import type { Uid } from "../types.ts";
import { decodeClientFrame, encodeServerMessage, HARD_FRAME_BYTES, presentAt, skippedOnLog, skipRefusal, type ClientMessage, type ServerMessage } from "./protocol.ts";
import type { Storage } from "./storage.ts";

export interface DsOptions {
  storage: Storage;
  port?: number;
  host?: string;
  /** A connection silent this long (no frame, the client pings every second) is presumed dead. */
  heartbeatMs?: number;
  /** How long a user whose connection is gone may take to resume before its `left` (>= 2 s for restarted clients). */
  graceMs?: number;
  /** A UID reservation without `join` this long is given to the next hello. */
  reservationMs?: number;
  /** Token bucket per connection: frames per second, and burst. */
  rate?: { perSecond: number; burst: number };
  /** One readable line per room event. */
  onEvent?: (line: string) => void;
}

export const DEFAULTS = { heartbeatMs: 5000, graceMs: 3000, reservationMs: 5000, rate: { perSecond: 100, burst: 200 } };

export interface RunningDs {
  url: string;
  port: number;
  /** Stops listening and drops every connection WITHOUT appending `left` (a DS restart is not a departure). */
  close(): Promise<void>;
}

interface Conn {
  ws: WebSocket;
  room: RoomState | null;
  uid: Uid | null;
  observer: boolean;
  cursor: number;
  streaming: boolean;
  flushing: boolean;
  again: boolean;
  lastSeen: number;
  tokens: number;
  refilled: number;
}

interface RoomState {
  name: string;
  conns: Set<Conn>;
  reserving: Conn | null;
  reservedAt: number;
  waiting: Conn[];
  /** Users whose connection is gone, with the timer that appends their `left`. */
  grace: Map<Uid, NodeJS.Timeout>;
}

export async function startDs(opts: DsOptions): Promise<RunningDs> {
  const o = { ...DEFAULTS, ...opts };
  const storage = o.storage;
  const event = o.onEvent ?? (() => {});
  const rooms = new Map<string, RoomState>();
  let closing = false;

  const wss = new WebSocketServer({ host: o.host ?? "127.0.0.1", port: o.port ?? 0, maxPayload: HARD_FRAME_BYTES });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  const address = wss.address() as { address: string; port: number };

  const send = (c: Conn, m: ServerMessage) => {
    if (c.ws.readyState === c.ws.OPEN) c.ws.send(encodeServerMessage(m));
  };
  const room = (name: string): RoomState => {
    let r = rooms.get(name);
    if (!r) rooms.set(name, (r = { name, conns: new Set(), reserving: null, reservedAt: 0, waiting: [], grace: new Map() }));
    return r;
  };

  /** Sends a connection every entry from its cursor on; one flush per connection at a time keeps index order. */
  const flush = async (c: Conn): Promise<void> => {
    if (!c.room || !c.streaming) return;
    if (c.flushing) {
      c.again = true;
      return;
    }
    c.flushing = true;
    try {
      do {
        c.again = false;
        for (const { index, entry } of await storage.read(c.room.name, c.cursor)) {
          if (index !== c.cursor) break;
          send(c, { t: "entry", index, entry });
          c.cursor++;
        }
      } while (c.again);
    } finally {
      c.flushing = false;
    }
  };
  const relay = (r: RoomState) => {
    for (const c of r.conns) void flush(c).catch((e) => event(`room ${r.name}: relay failed: ${(e as Error).message}`));
  };

  /** Gives the room's next UID to the next waiting hello, if no reservation is pending. */
  const release = async (r: RoomState): Promise<void> => {
    if (r.reserving) return;
    const next = r.waiting.shift();
    if (!next) return;
    r.reserving = next;
    r.reservedAt = Date.now();
    next.uid = await storage.nextUid(r.name);
    send(next, { t: "assigned", uid: next.uid });
  };

  const announceLeft = async (r: RoomState, uid: Uid, why: string) => {
    r.grace.delete(uid);
    // A user the room refused (skipped, R16) goes without a `left` (protocol.ts skippedOnLog).
    if (skippedOnLog((await storage.read(r.name, 0)).map((x) => x.entry), uid)) return event(`room ${r.name}: user ${uid}, skipped, gone (${why}); no \`left\` for it`);
    const index = await storage.leave(r.name, uid);
    if (index === null) return;
    event(`room ${r.name}: user ${uid} left (${why}) at index ${index}`);
    for (const c of r.conns) if (c.uid === uid && !c.observer) send(c, { t: "fenced", reason: `user ${uid} was announced as left (${why})` });
    relay(r);
  };

  const gone = (c: Conn, why: string) => {
    const r = c.room;
    if (!r || closing || !r.conns.has(c)) return;
    r.conns.delete(c);
    r.waiting = r.waiting.filter((w) => w !== c);
    if (r.reserving === c) {
      r.reserving = null;
      void release(r);
    }
    if (c.observer || c.uid === null || !c.streaming) return;
    const uid = c.uid;
    if ([...r.conns].some((o) => o.uid === uid && !o.observer)) return;
    clearTimeout(r.grace.get(uid));
    r.grace.set(uid, setTimeout(() => void announceLeft(r, uid, why).catch((e) => event(`room ${r.name}: left of ${uid} failed: ${(e as Error).message}`)), o.graceMs));
  };

  const handle = async (c: Conn, m: ClientMessage): Promise<void> => {
    if (m.t === "ping") return send(c, { t: "pong" });
    if (m.t === "hello") {
      if (c.room) return send(c, { t: "error", code: "already-in-room", reason: `this connection is already in room ${c.room.name}` });
      const r = room(m.room);
      c.room = r;
      r.conns.add(c);
      if (m.observe) {
        c.observer = true;
        c.streaming = true;
        send(c, { t: "ready", uid: 0, head: await storage.head(r.name), joinedAt: null, present: [] });
        return flush(c);
      }
      if (m.uid !== undefined) {
        // Refused resumes leave the connection out of the room: it may hello again as a new user.
        if (await storage.hasLeft(r.name, m.uid)) {
          r.conns.delete(c);
          c.room = null;
          return send(c, { t: "fenced", reason: `user ${m.uid} was announced as left; come back as a new user` });
        }
        if (m.uid >= (await storage.nextUid(r.name))) {
          r.conns.delete(c);
          c.room = null;
          return send(c, { t: "error", code: "unknown-user", reason: `room ${r.name} has no user ${m.uid}` });
        }
        c.uid = m.uid;
        clearTimeout(r.grace.get(m.uid));
        r.grace.delete(m.uid);
        c.cursor = m.cursor;
        c.streaming = true;
        event(`room ${r.name}: user ${m.uid} resumed from ${m.cursor}`);
        send(c, { t: "ready", uid: m.uid, head: await storage.head(r.name), joinedAt: null, present: [] });
        return flush(c);
      }
      r.waiting.push(c);
      return release(r);
    }
    const r = c.room;
    if (!r) return send(c, { t: "error", code: "not-in-room", reason: `"${m.t}" before hello`, ...(m.t === "append" ? { id: m.id } : {}) });
    switch (m.t) {
      case "join": {
        if (r.reserving !== c || c.uid === null) return send(c, { t: "error", code: "no-reservation", reason: "join without a UID reservation" });
        const admitted = await storage.admit(r.name, c.uid, m.keyPackage);
        r.reserving = null;
        if (!admitted) {
          // Another DS process on the same storage took this UID: start over with the next one.
          r.waiting.unshift(c);
          return release(r);
        }
        event(`room ${r.name}: user ${c.uid} joined${admitted.joinedAt === null ? " (creator)" : ` at index ${admitted.joinedAt}`}`);
        c.cursor = admitted.joinedAt === null ? 0 : admitted.joinedAt + 1;
        c.streaming = true;
        // Who is present, from the log before the `joined` (R2, R15): the joiner ranks only them.
        const present = admitted.joinedAt === null ? [] : presentAt((await storage.read(r.name, 0)).map((x) => x.entry), admitted.joinedAt, c.uid);
        send(c, { t: "ready", uid: c.uid, head: await storage.head(r.name), joinedAt: admitted.joinedAt, present });
        void release(r);
        relay(r);
        return;
      }
      case "append": {
        if (!c.streaming || c.observer || c.uid === null) return send(c, { t: "error", id: m.id, code: "not-in-room", reason: "append from a connection that is not a user of the room" });
        if (m.entry.sender !== c.uid) return send(c, { t: "error", id: m.id, code: "bad-sender", reason: `field entry.sender: ${m.entry.sender} is not this connection's user ${c.uid}` });
        // A skip (R16) the log contradicts is refused; a retried one that landed is answered by the append below.
        if (m.entry.type === "skipped" && (await storage.appendedAt(r.name, c.uid, m.id)) === null) {
          const why = skipRefusal((await storage.read(r.name, 0)).map((x) => x.entry), m.entry.uid, m.entry.sender);
          if (why) return send(c, { t: "error", id: m.id, code: "bad-skip", reason: why });
        }
        const res = await storage.append(r.name, c.uid, m.id, m.entry);
        if (res === "fenced") return send(c, { t: "fenced", reason: `user ${c.uid} was announced as left; appends refused` });
        if (!res.existing) event(`room ${r.name}: user ${c.uid} appended ${m.entry.type} of ${m.entry.type === "skipped" ? m.entry.uid : m.entry.target} at index ${res.index}`);
        send(c, { t: "ack", id: m.id, index: res.index });
        relay(r);
        return;
      }
      case "broadcast":
        if (c.uid === null || c.observer) return send(c, { t: "error", code: "not-in-room", reason: "broadcast from a connection that is not a user" });
        for (const other of r.conns) if (other !== c && !other.observer && other.streaming) send(other, { t: "broadcast", from: c.uid, data: m.data });
        return;
      case "leave":
        if (c.uid === null || c.observer || !c.streaming) return send(c, { t: "error", code: "not-in-room", reason: "leave from a connection that is not a user" });
        return announceLeft(r, c.uid, "left");
    }
  };

  wss.on("connection", (ws) => {
    const now = Date.now();
    const c: Conn = { ws, room: null, uid: null, observer: false, cursor: 0, streaming: false, flushing: false, again: false, lastSeen: now, tokens: o.rate.burst, refilled: now };
    // Frames of one connection are handled one after another (storage calls are async).
    let chain = Promise.resolve();
    ws.on("message", (data, isBinary) => {
      c.lastSeen = Date.now();
      const elapsed = (c.lastSeen - c.refilled) / 1000;
      c.tokens = Math.min(o.rate.burst, c.tokens + elapsed * o.rate.perSecond);
      c.refilled = c.lastSeen;
      if (c.tokens < 1) return send(c, { t: "error", code: "rate-limited", reason: `more than ${o.rate.perSecond} frames/s (burst ${o.rate.burst}); frame dropped` });
      c.tokens--;
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary) return send(c, { t: "error", code: "malformed", reason: "binary frame; expected JSON text" });
      const d = decodeClientFrame(buf.toString("utf8"), buf.byteLength);
      // Replies keep the order of the frames, refusals included.
      chain = chain
        .then(() => (d.ok ? handle(c, d.msg) : send(c, { t: "error", code: d.code, reason: d.reason, ...(d.id === undefined ? {} : { id: d.id }) })))
        .catch((e) => send(c, { t: "error", code: "malformed", reason: `the DS failed on this frame: ${(e as Error).message}` }));
    });
    ws.on("error", () => {}); // oversize frames etc.: ws closes the socket (1009); "close" follows
    ws.on("close", (code) => gone(c, code === 1009 ? "oversize frame" : "connection closed"));
  });

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const r of rooms.values()) {
      for (const c of r.conns) if (now - c.lastSeen > o.heartbeatMs) {
        event(`room ${r.name}: user ${c.uid ?? "-"} silent for ${now - c.lastSeen} ms; dropped`);
        gone(c, "heartbeat timeout");
        c.ws.terminate();
      }
      if (r.reserving && now - r.reservedAt > o.reservationMs) {
        const c = r.reserving;
        r.reserving = null;
        c.uid = null;
        send(c, { t: "error", code: "no-reservation", reason: `no join within ${o.reservationMs} ms; reservation released` });
        void release(r);
      }
    }
  }, Math.max(50, Math.min(o.heartbeatMs, o.reservationMs) / 4));
  // A shared storage (Redis) gets entries other DS processes appended: relay them too.
  const poll = storage.shared ? setInterval(() => { for (const r of rooms.values()) relay(r); }, 50) : undefined;

  return {
    url: `ws://${address.address}:${address.port}`,
    port: address.port,
    close: async () => {
      closing = true;
      clearInterval(sweep);
      clearInterval(poll);
      for (const r of rooms.values()) for (const t of r.grace.values()) clearTimeout(t);
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}
