// A delivery service as a child process, for the demo, the chaos test and the
// network benchmark: start it with a command line, learn its port from the first
// stdout line that names one ("listening 7070", or a ws:// URL), restart it (kill -9,
// then the same command on the same port, so clients reconnect to the same address
// and find their logs in its storage), read a room's log through an observer
// connection, and its peak memory.

import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import type { LogEntry } from "../types.ts";
import type { DsControl } from "./churn.ts";
import { readRoomLog } from "./ds-link.ts";
import { connectWs } from "./ws-socket.ts";

export class DsProcess implements DsControl {
  private child: ChildProcess | null = null;
  port = 0;
  stderr = "";

  /** `args(port)`: the command's arguments for a port (0: any free one, the first start). */
  constructor(
    private readonly command: string,
    private readonly args: (port: number) => string[],
    private readonly cwd: string,
  ) {}

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    const child = spawn(this.command, this.args(this.port), { cwd: this.cwd, stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    child.stderr!.on("data", (d: Buffer) => (this.stderr += d.toString()));
    this.port = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`the DS did not say its port within 20 s; stderr: ${this.stderr.slice(-500)}`)), 20000);
      const rl = createInterface({ input: child.stdout! });
      rl.on("line", (l) => {
        const m = /listening\D*(\d+)/i.exec(l) ?? /ws:\/\/[^:/\s]+:(\d+)/.exec(l);
        if (m) {
          clearTimeout(t);
          resolve(Number(m[1]));
        }
      });
      child.once("exit", (code) => {
        clearTimeout(t);
        reject(new Error(`the DS exited (${code}) before listening; stderr: ${this.stderr.slice(-500)}`));
      });
    });
  }

  async stop(): Promise<void> {
    const c = this.child;
    this.child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once("exit", r));
    c.kill("SIGKILL");
    await gone;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  readLog(room: string): Promise<LogEntry[]> {
    return readRoomLog(this.url, room, connectWs);
  }

  /** Peak resident memory of the process (MB), from /proc. */
  peakMb(): number {
    const pid = this.child?.pid;
    if (!pid) return NaN;
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN) / 1024;
  }
}
