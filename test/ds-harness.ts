// Test helpers for the delivery-service tests: a raw WebSocket client that keeps
// every frame the DS sends and waits for the one a test expects, and a Redis
// server of the test's own on a free loopback port.

import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import WebSocket from "ws";

export type Frame = Record<string, unknown>;

export class RawClient {
  readonly frames: Frame[] = [];
  private waiters: (() => void)[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on("message", (d) => {
      this.frames.push(JSON.parse(d.toString()) as Frame);
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on("close", () => {
      for (const w of this.waiters.splice(0)) w();
    });
  }
  static async open(url: string): Promise<RawClient> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return new RawClient(ws);
  }
  send(m: Frame | string): void {
    this.ws.send(typeof m === "string" ? m : JSON.stringify(m));
  }
  /** The first frame (not yet taken) matching `pred`; removes it from `frames`. */
  async next(pred: (f: Frame) => boolean, ms = 3000): Promise<Frame> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.frames.findIndex(pred);
      if (i >= 0) return this.frames.splice(i, 1)[0]!;
      const left = deadline - Date.now();
      if (left <= 0 || this.ws.readyState === WebSocket.CLOSED) throw new Error(`no matching frame within ${ms} ms; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => (clearTimeout(t), r()));
      });
    }
  }
  kind(t: string, ms?: number): Promise<Frame> {
    return this.next((f) => f.t === t, ms);
  }
  /** Joins `room` as a new user: hello, assigned, join; returns the ready frame. */
  async join(room: string, keyPackage?: string): Promise<Frame> {
    this.send({ t: "hello", room });
    await this.kind("assigned");
    this.send(keyPackage ? { t: "join", keyPackage } : { t: "join" });
    return this.kind("ready");
  }
  /** A round trip: every frame sent before it has been handled when the pong arrives. */
  async sync(): Promise<void> {
    this.send({ t: "ping" });
    await this.kind("pong");
  }
  close(): void {
    this.ws.terminate();
  }
}

/** The whole log of a room, through an observer connection. */
export async function observeLog(url: string, room: string): Promise<Frame[]> {
  const c = await RawClient.open(url);
  c.send({ t: "hello", room, observe: true });
  const ready = await c.kind("ready");
  const entries: Frame[] = [];
  for (let i = 0; i < (ready.head as number); i++) entries.push((await c.next((f) => f.t === "entry" && f.index === i)).entry as Frame);
  c.close();
  return entries;
}

export const add = (sender: number, target: number, epoch = 0) => ({ type: "add", target, epoch, sender, parent: 0, commit: "AAEC" });

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn("/usr/bin/redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("redis-server did not start within 10 s")), 10000);
    child.stdout!.on("data", (d: Buffer) => {
      if (/Ready to accept connections/.test(d.toString())) (clearTimeout(t), resolve());
    });
    child.once("exit", (c) => (clearTimeout(t), reject(new Error(`redis-server exited ${c}`))));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await gone;
    },
  };
}
