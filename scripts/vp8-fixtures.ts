// npm run fixtures:vp8 -- [--frames N] [--key-every K] [--out DIR]
//
// Captures real VP8 frames from Chromium's encoder for test/media-vp8-fixtures.test.ts:
// Debian's Chromium (playwright-core) encodes its fake camera with WebCodecs'
// VideoEncoder (codec "vp8", 320x240), asking for a keyframe every K frames, and
// writes each encoded frame to DIR/frame-NNN.bin with an index.json that says, from
// the encoder's own EncodedVideoChunk.type, which are keyframes. It also counts the
// frames whose first byte's top bit disagrees with that type (the test Orange Meets
// uses: spec/media.md). The page is served on a loopback port: WebCodecs needs a
// secure context.
// Exit status (scripts/cli/command.ts): 0 written, 2 bad usage or no Chromium.

import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join, relative, resolve } from "node:path";
import { chromium } from "playwright-core";
import { command, InputError, integer } from "./cli/command.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"];

const HELP = `Usage: npm run fixtures:vp8 -- [--frames N] [--key-every K] [--out DIR]

  --frames N      frames to encode (default 24)
  --key-every K   ask for a keyframe every K frames (default 8)
  --out DIR       where to write (default test/fixtures/media/vp8); its frame-*.bin
                  and index.json are replaced`;

interface Captured {
  type: "key" | "delta";
  timestamp: number;
  bytes: number[];
}

/** Runs in the page: the fake camera through MediaStreamTrackProcessor into a VP8 VideoEncoder. */
async function capture([n, keyEvery]: [number, number]): Promise<Captured[]> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240, frameRate: 15 } });
  const track = stream.getVideoTracks()[0]!;
  const reader = new (globalThis as unknown as { MediaStreamTrackProcessor: new (o: { track: MediaStreamTrack }) => { readable: ReadableStream<VideoFrame> } }).MediaStreamTrackProcessor({ track }).readable.getReader();
  const frames: Captured[] = [];
  let failed: unknown = null;
  const encoder = new VideoEncoder({
    output: (chunk) => {
      const bytes = new Uint8Array(chunk.byteLength);
      chunk.copyTo(bytes);
      frames.push({ type: chunk.type, timestamp: chunk.timestamp, bytes: Array.from(bytes) });
    },
    error: (e) => (failed = e),
  });
  encoder.configure({ codec: "vp8", width: 320, height: 240, bitrate: 300_000, framerate: 15 });
  for (let i = 0; i < n; i++) {
    const { value: frame } = await reader.read();
    if (!frame) break;
    encoder.encode(frame, { keyFrame: i % keyEvery === 0 });
    frame.close();
  }
  await encoder.flush();
  track.stop();
  if (failed) throw new Error(`VideoEncoder: ${String(failed)}`);
  return frames;
}

await command(import.meta.url, {
  name: "fixtures:vp8",
  help: HELP,
  options: { frames: { type: "string" }, "key-every": { type: "string" }, out: { type: "string" } },
  exitWhenDone: true,
  run: async ({ values }) => {
    const n = integer("--frames", values.frames, { min: 2, max: 300, fallback: 24 });
    const keyEvery = integer("--key-every", values["key-every"], { min: 1, max: 300, fallback: 8 });
    const out = resolve(values.out ?? join("test", "fixtures", "media", "vp8"));
    const server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>vp8</title>"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS }).catch((e: Error) => {
      server.close();
      throw new InputError(`cannot start ${CHROMIUM}: ${e.message.split("\n")[0]}`);
    });
    let frames: Captured[];
    const browserVersion = browser.version();
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
      frames = await page.evaluate(capture, [n, keyEvery] as [number, number]);
    } finally {
      await browser.close();
      server.close();
    }
    mkdirSync(out, { recursive: true });
    for (const f of readdirSync(out)) if (/^frame-\d+\.bin$/.test(f)) rmSync(join(out, f));
    const index = frames.map((f, i) => {
      const file = `frame-${String(i).padStart(3, "0")}.bin`;
      writeFileSync(join(out, file), Uint8Array.from(f.bytes));
      return { file, type: f.type, bytes: f.bytes.length, firstByte: f.bytes[0] ?? null };
    });
    const source = `Chromium ${browserVersion}, WebCodecs VideoEncoder "vp8", 320x240, 300 kbit/s, its fake camera; a keyframe asked for every ${keyEvery} frames`;
    // One frame a line: a reviewer reads the index at a glance.
    const lines = index.map((f) => `    ${JSON.stringify(f)}`).join(",\n");
    writeFileSync(join(out, "index.json"), `{\n  "source": ${JSON.stringify(source)},\n  "generator": "npm run fixtures:vp8",\n  "frames": [\n${lines}\n  ]\n}\n`);
    const keys = index.filter((f) => f.type === "key").length;
    const wrong = (isKey: (b: number) => boolean) => index.filter((f) => isKey(f.firstByte!) !== (f.type === "key")).length;
    console.log(`fixtures:vp8: ${index.length} frames (${keys} keyframes, ${index.length - keys} delta frames) in ${relative(process.cwd(), out) || out}`);
    console.log(`fixtures:vp8: against the encoder's own type, the top-bit test misclassifies ${wrong((b) => b >> 7 === 0)}, the P bit (RFC 7741) ${wrong((b) => (b & 1) === 0)}`);
    return 0;
  },
});
