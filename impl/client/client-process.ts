// A client as a child process (scripts/client.ts --json), for the demo, the chaos
// test and the network benchmark: start it, read its events (JSON lines), ask for
// its status, send a message, make it leave, kill it with SIGKILL, restart it from
// its state file.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Variant } from "../types.ts";

export interface ClientStatus {
  uid: number | null;
  cursor: number | null;
  epoch: number | null;
  safetyNumber: string | null;
  members: number[] | null;
  left: boolean;
}

export interface ClientProcessOptions {
  name: string;
  room: string;
  url: string;
  stateFile: string;
  recordFile: string;
  variant?: Variant;
  /** The batched rules (npm run client -- --batch, spec/batching.md section 4). */
  batch?: boolean;
  /** Repository root (where scripts/ is). */
  cwd: string;
}

const bundles = new Map<string, string>();

/**
 * scripts/client.ts bundled once by esbuild (dependencies stay in node_modules):
 * a client process then starts in about 0.2 s instead of ts-node's 1.4 s, which
 * matters when a test starts a dozen of them on 2 cores.
 */
export function clientBundle(cwd: string): string {
  const known = bundles.get(cwd);
  if (known) return known;
  const out = join(cwd, "build", "net", `client-${process.pid}.mjs`);
  mkdirSync(join(cwd, "build", "net"), { recursive: true });
  const r = spawnSync(join(cwd, "node_modules", ".bin", "esbuild"), ["scripts/client.ts", "--bundle", "--platform=node", "--format=esm", "--packages=external", `--outfile=${out}`, "--log-level=warning"], { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`esbuild could not bundle scripts/client.ts: ${r.stderr || r.error?.message}`);
  bundles.set(cwd, out);
  return out;
}

export type ClientLine = { name: string; at: number; type: string; [k: string]: unknown };

export class ClientProcess {
  private child: ChildProcess | null = null;
  readonly lines: ClientLine[] = [];
  private waiters: { test: (l: ClientLine) => boolean; resolve: (l: ClientLine) => void }[] = [];
  stderr = "";
  exited: Promise<number | null> = Promise.resolve(null);
  /** When the process was last started (its events carry their time). */
  startedAt = 0;

  constructor(readonly opts: ClientProcessOptions) {}

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts (or restarts: the state file makes it the same user) the process. */
  start(): void {
    const o = this.opts;
    const args = [clientBundle(o.cwd), "--json", "--room", o.room, "--name", o.name, "--url", o.url, "--state", o.stateFile, "--record", o.recordFile];
    if (o.variant) args.push("--variant", o.variant);
    if (o.batch) args.push("--batch");
    this.startedAt = Date.now();
    const child = spawn(process.execPath, args, { cwd: o.cwd, stdio: ["pipe", "pipe", "pipe"] });
    this.child = child;
    child.stderr!.on("data", (d: Buffer) => (this.stderr += d.toString()));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      let l: ClientLine;
      try {
        l = JSON.parse(line) as ClientLine;
      } catch {
        return;
      }
      this.lines.push(l);
      this.waiters = this.waiters.filter((w) => (w.test(l) ? (w.resolve(l), false) : true));
    });
    this.exited = new Promise((r) => child.on("exit", (code) => r(code)));
  }

  /** The next line (from now on) that passes `test`, or an error after `ms`. */
  next(test: (l: ClientLine) => boolean, ms = 20000, what = "an event"): Promise<ClientLine> {
    return new Promise((resolve, reject) => {
      const w = { test, resolve: (l: ClientLine) => (clearTimeout(t), resolve(l)) };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`client ${this.opts.name}: no ${what} within ${ms} ms; stderr: ${this.stderr.slice(-800)}`));
      }, ms);
      this.waiters.push(w);
    });
  }

  /** Connected to the DS now: its last connection event since its last start is "connected". */
  get connected(): boolean {
    const last = [...this.lines].reverse().find((l) => l.at >= this.startedAt && (l.type === "connected" || l.type === "disconnected"));
    return last?.type === "connected";
  }

  /** Its events of `type` so far. */
  events(type: string): ClientLine[] {
    return this.lines.filter((l) => l.type === type);
  }

  private write(line: string): void {
    if (this.running) this.child!.stdin!.write(`${line}\n`);
  }

  async status(ms = 10000): Promise<ClientStatus> {
    const p = this.next((l) => l.type === "status", ms, "status");
    this.write("/status");
    return (await p) as unknown as ClientStatus;
  }

  send(text: string): void {
    this.write(text);
  }

  leave(): void {
    this.write("/leave");
  }

  /** kill -9: no goodbye, no last save. */
  kill9(): void {
    this.child?.kill("SIGKILL");
  }

  /** An orderly stop without leaving. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child!.kill("SIGTERM");
    const t = setTimeout(() => this.child?.kill("SIGKILL"), 3000);
    await this.exited;
    clearTimeout(t);
  }
}
