// The command-line contract of npm run call (scripts/call.ts): bad usage ends in one
// line and exit 2; it builds the page, serves it and a delivery service on loopback,
// prints the address to open, serves only the page's own files, refuses a port in
// use (exit 2), and SIGINT stops it (exit 0). Budget: about 15 s on a loaded 2-core
// machine (six Node starts, one esbuild build).

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import WebSocket from "ws";

const ROOT = new URL("..", import.meta.url).pathname;
const NODE_ARGS = ["--import", "./scripts/register-ts-node.mjs", "scripts/call.ts"];

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [...NODE_ARGS, ...args], { cwd: ROOT, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.trim() };
}

const started: ChildProcess[] = [];
afterAll(() => {
  for (const c of started) if (c.exitCode === null) c.kill("SIGKILL");
});

/** Starts npm run call on free ports; resolves with the address it prints. */
function start(...args: string[]): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [...NODE_ARGS, "--port", "0", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  started.push(child);
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const m = /^call: open (\S+)$/.exec(line);
      if (m) resolve({ child, url: m[1]!, exited });
    });
    void exited.then((code) => reject(new Error(`npm run call exited ${code} before printing an address: ${err}`)));
  });
}

describe("npm run call", () => {
  it("refuses bad usage in one line, exit 2", () => {
    for (const [args, message] of [
      [["--port", "70000"], 'call: usage: --port must be an integer from 0 to 65535, got "70000"'],
      [["--room", "a/b"], "call: usage: --room must match"],
      [["--nope"], "call: usage: Unknown option '--nope'"],
    ] as const) {
      const r = run(...args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr.split("\n")).toHaveLength(1);
      expect(r.stderr.startsWith(message), r.stderr).toBe(true);
    }
    const help = run("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: npm run call");
  });

  it("serves the page and a DS, prints the address, refuses a port in use, and stops on SIGINT", async () => {
    const { child, url, exited } = await start("--room", "demo-1");
    const page = new URL(url);
    expect(page.hostname).toBe("127.0.0.1");
    expect(page.searchParams.get("room")).toBe("demo-1");
    const ds = page.searchParams.get("ds")!;
    expect(ds).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const get = async (path: string) => (await fetch(new URL(path, page.origin))).status;
    const index = await fetch(url);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<script src="call.js">');
    expect(await get("/call.js")).toBe(200);
    expect(await get("/media-worker.js")).toBe(200);
    expect(await get("/package.json")).toBe(404);
    expect(await get("/%2e%2e/package.json")).toBe(404);
    // The DS answers a hello on the printed address.
    const ws = new WebSocket(ds);
    const first = await new Promise<string>((resolve, reject) => {
      ws.once("open", () => ws.send(JSON.stringify({ t: "hello", room: "demo-1", observe: true })));
      ws.once("message", (d) => resolve(d.toString()));
      ws.once("error", reject);
    });
    ws.close();
    expect(JSON.parse(first)).toMatchObject({ t: "ready", head: 0 });
    // The same HTTP port again: a clear refusal.
    const busy = run("--port", page.port);
    expect(busy.status).toBe(2);
    expect(busy.stderr).toMatch(/^call: error: cannot listen on 127\.0\.0\.1 .*a port is already in use$/);
    child.kill("SIGINT");
    expect(await exited).toBe(0);
  }, 60_000);
});
