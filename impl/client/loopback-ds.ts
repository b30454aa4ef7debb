// A minimal delivery service in memory, on a real WebSocket (the `ws` package),
// speaking the client's protocol (impl/client/ds-link.ts): rooms by name, one log
// each, UIDs from 1 reserved one at a time (joins append in UID order), entries
// relayed from a cursor, acks, broadcast, leave with fencing, an observer that
// reads a whole log. It is NOT the delivery service of issue 14 (impl/ds/: storage,
// heartbeat, limits, bad-input handling): it exists so the client's wire side, the
// chaos test's checks and the demo run without it, and as the reference the DS's
// protocol must match. Logs live in memory; stop() and start() on the same port
// keep them (as the real server's storage would) and drop every connection.

import { WebSocketServer, type WebSocket } from "ws";

interface Room {
  log: Record<string, unknown>[];
  nextUid: number;
  /** The connection holding the one UID reservation (a KeyPackage names its UID, and joins append in UID order). */
  reserving: Conn | null;
  waiting: Conn[];
  fenced: Set<number>;
  conns: Set<Conn>;
}
interface Conn {
  ws: WebSocket;
  room: Room | null;
  uid: number | null;
  cursor: number;
  streaming: boolean;
}

export class LoopbackDs {
  private readonly rooms = new Map<string, Room>();
  /** Frames received and sent (for the network benchmark). */
  readonly frames = { in: 0, out: 0 };
  private wss: WebSocketServer | null = null;
  port = 0;

  async start(port = 0): Promise<void> {
    const wss = new WebSocketServer({ host: "127.0.0.1", port });
    await new Promise<void>((r) => wss.once("listening", () => r()));
    this.wss = wss;
    this.port = (wss.address() as { port: number }).port;
    wss.on("connection", (ws) => this.serve(ws));
  }

  /** Every connection drops and the server is down until start() again (same port). */
  async stop(): Promise<void> {
    const wss = this.wss;
    this.wss = null;
    if (!wss) return;
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
    for (const r of this.rooms.values()) r.conns.clear();
  }

  log(room: string): Record<string, unknown>[] {
    return this.rooms.get(room)?.log ?? [];
  }

  private room(name: string): Room {
    let r = this.rooms.get(name);
    if (!r) this.rooms.set(name, (r = { log: [], nextUid: 1, reserving: null, waiting: [], fenced: new Set(), conns: new Set() }));
    return r;
  }

  /** Ends the reservation (if `done`) and gives the next UID to the next waiting hello. */
  private release(room: Room, done = true): void {
    if (done) room.reserving = null;
    if (room.reserving) return;
    const next = room.waiting.shift();
    if (!next) return;
    room.reserving = next;
    next.uid = room.nextUid;
    this.frames.out++;
    next.ws.send(JSON.stringify({ t: "assigned", uid: next.uid }));
  }

  private push(room: Room, entry: Record<string, unknown>): number {
    room.log.push(entry);
    for (const c of room.conns) this.flush(c);
    return room.log.length - 1;
  }

  private flush(c: Conn): void {
    if (!c.room || !c.streaming) return;
    while (c.cursor < c.room.log.length) {
      const i = c.cursor++;
      this.frames.out++;
      c.ws.send(JSON.stringify({ t: "entry", index: i, entry: c.room.log[i] }));
    }
  }

  private serve(ws: WebSocket): void {
    const c: Conn = { ws, room: null, uid: null, cursor: 0, streaming: false };
    const send = (m: Record<string, unknown>) => {
      this.frames.out++;
      ws.send(JSON.stringify(m));
    };
    ws.on("close", () => {
      const room = c.room;
      if (!room) return;
      room.conns.delete(c);
      room.waiting = room.waiting.filter((w) => w !== c);
      if (room.reserving === c) this.release(room);
    });
    ws.on("message", (data) => {
      this.frames.in++;
      let m: Record<string, unknown>;
      try {
        m = JSON.parse(data.toString()) as Record<string, unknown>;
      } catch {
        return send({ t: "error", code: "malformed", reason: "not JSON" });
      }
      switch (m.t) {
        case "ping":
          return send({ t: "pong" });
        case "stats":
          return send({ t: "stats", in: this.frames.in, out: this.frames.out, rss: process.memoryUsage().rss });
        case "hello": {
          const room = this.room(String(m.room));
          c.room = room;
          room.conns.add(c);
          if (m.observe) {
            c.streaming = true;
            send({ t: "ready", uid: 0, head: room.log.length, joinedAt: null, present: [] });
            return this.flush(c);
          }
          if (Number.isInteger(m.uid)) {
            c.uid = m.uid as number;
            if (room.fenced.has(c.uid)) return send({ t: "fenced", reason: `user ${c.uid} was announced as left` });
            c.cursor = Number(m.cursor);
            c.streaming = true;
            send({ t: "ready", uid: c.uid, head: room.log.length, joinedAt: null, present: [] });
            return this.flush(c);
          }
          room.waiting.push(c);
          return this.release(room, false);
        }
        case "join": {
          const room = c.room!;
          let joinedAt: number | null = null;
          if (room.reserving !== c) return send({ t: "error", code: "no-reservation", reason: "join without a UID reservation" });
          room.nextUid++;
          // Who is present (R2, R15): every earlier user not announced as left.
          const present = Array.from({ length: c.uid! - 1 }, (_, i) => i + 1).filter((v) => !room.fenced.has(v));
          if (c.uid !== 1) joinedAt = this.push(room, { type: "joined", uid: c.uid, keyPackage: m.keyPackage });
          this.release(room);
          c.cursor = joinedAt === null ? 0 : joinedAt + 1;
          c.streaming = true;
          send({ t: "ready", uid: c.uid, head: room.log.length, joinedAt, present });
          return this.flush(c);
        }
        case "append": {
          const room = c.room!;
          if (room.fenced.has(c.uid!)) return send({ t: "fenced", reason: "appends refused after left" });
          const index = this.push(room, m.entry as Record<string, unknown>);
          return send({ t: "ack", id: m.id, index });
        }
        case "broadcast":
          for (const o of c.room?.conns ?? []) if (o !== c && o.uid) {
            this.frames.out++;
            o.ws.send(JSON.stringify({ t: "broadcast", from: c.uid, data: m.data }));
          }
          return;
        case "leave":
          if (c.room && c.uid && !c.room.fenced.has(c.uid)) {
            c.room.fenced.add(c.uid);
            this.push(c.room, { type: "left", uid: c.uid });
          }
          return;
        default:
          return send({ t: "error", code: "unknown-kind", reason: `unknown kind ${JSON.stringify(m.t)}` });
      }
    });
  }
}

// Run as a process of its own (the network benchmark measures its memory apart):
// node --import ./scripts/register-ts-node.mjs impl/client/loopback-ds.ts [port] prints "listening <port>".
if (process.argv[1]?.endsWith("loopback-ds.ts")) {
  const ds = new LoopbackDs();
  await ds.start(Number(process.argv[2] ?? 0));
  console.log(`listening ${ds.port}`);
}
