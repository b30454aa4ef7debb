// The call page (impl/web/) in a real browser: Debian's Chromium driven by
// playwright-core, its fake camera (--use-fake-device-for-media-stream: a dark green
// picture with four bright green corner squares, a moving disc and a clock), each
// member a page that joins through a real delivery service (impl/ds/ on a loopback
// port) and sends its camera over WebRTC with every frame SFrame-encrypted under the
// room's MLS keys. In one room, in order:
//
//   1. two members decode each other's camera, and show one epoch and safety number;
//      their microphones' Opus frames pass the transforms, with 0 bytes in the clear;
//   2. the SFU's position: a tap carries a member's encrypted track to a page that is
//      no member, once without any transform (the decoder gets the ciphertext) and
//      once with the wrong keys; neither shows the camera's picture, and the audio
//      frames that reach the wrong keys all fail their tag;
//   3. a third member joins mid-call: the two keep decoding each other across the
//      epoch change, with frames of the new epoch, nothing dropped (audio too), and
//      all three decode each other;
//   4. the DC (user 1) is cut off from the DS and removed: user 2 becomes the DC and
//      commits the Remove, users 2 and 3 keep decoding each other in the new epoch,
//      and user 1 decodes nothing of it: not over its old links, and not over a tap
//      that hands it user 2's new frames, with the keys it still holds.
//
// What "decodes the camera" means (cameraPicture below): the picture drawn from the
// <video> shows the fake camera's layout: four bright green corner squares (G > 180,
// R and B < 110) AND a dark green background at three points (G 90..175, R and B <
// 80). Black fails it; so do the grey noise the decoder makes of ciphertext and a
// uniformly green frame (what a decoder shows for all-zero YUV): the corners must
// be brighter than the background. The same check passes on every member's view of
// every other member, so it can tell a decoded camera from a failed decode; step 2
// also asserts that the ciphertext did arrive (frames and bytes received), so it
// cannot pass by the tap carrying nothing. The last test runs the same checks on a
// build whose sender has no encryption transform: members decode nothing (their
// transforms drop the clear frames) and the keyless tap shows the camera.
// `CALL_KNOWN_BAD=plaintext-sender npx vitest run test/call.browser.test.ts` runs
// steps 1-4 on that build: they fail (4 of 5 tests; the last, no script error, holds).
// With impl/media/codec.ts giving Opus 1 clear byte instead of 0, step 1 fails on the
// audio's clear-byte count (checked by hand).
//
// Budget: 90 s at most; measured 22-25 s for the file alone on the loaded 2-core
// machine it was written on (npx vitest run test/call.browser.test.ts). Screenshots go to
// build/reports/screenshots/call-*.png. Without /usr/bin/chromium the suite is
// skipped, except under CI, where it fails.

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, HEADLESS_ARGS, chromiumFor } from "./local-chromium.ts";
import { buildCallPage, type CallBuildOptions } from "../scripts/lib/call-build.ts";
import { startCallServers, type CallServers } from "../scripts/lib/call-server.ts";

const ARGS = [
  ...HEADLESS_ARGS,
  "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--autoplay-policy=no-user-gesture-required",
  // WebRTC leaves out the loopback interface by default: a CI box with no other network still connects.
  "--allow-loopback-in-peer-connection",
];
const ROOT = new URL("..", import.meta.url).pathname;
const SCREENSHOTS = join(ROOT, "build", "reports", "screenshots");
const haveChromium = chromiumFor("call page in a browser", "call.browser.test.ts");
const KNOWN_BAD = process.env.CALL_KNOWN_BAD;
if (KNOWN_BAD !== undefined && KNOWN_BAD !== "plaintext-sender") throw new Error(`CALL_KNOWN_BAD=${KNOWN_BAD}: the only known-bad build is plaintext-sender`);


// --- the page's handle (impl/web/call-page.ts: window.dcaCall), as the test reads it -----

interface VideoStats { state: string; framesDecoded: number; framesReceived: number; bytesReceived: number; audioPacketsReceived: number }
interface StreamStats {
  stream: string;
  side: string;
  frames: number;
  passed: number;
  byEpoch: Record<string, number>;
  codec: string;
  bytes: number;
  clearBytes: number;
  empty: number;
  dropped: Record<string, number>;
  lastDrop?: { reason: string; frame: number; bytes: number; head: number[] };
}
interface Snapshot {
  state: { uid: number | null; epoch: number | null; safetyNumber: string | null; members: number[]; errors: string[] };
  peers: Record<string, VideoStats>;
  taps: Record<string, VideoStats>;
  streams: StreamStats[];
  keptEpochs: number[];
}
type Rgb = [number, number, number];

const snapshot = (p: Page): Promise<Snapshot> =>
  p.evaluate(async () => {
    const c = (window as unknown as { dcaCall: { state(): unknown; stats(): Promise<Record<string, unknown>> } }).dcaCall;
    return { state: c.state(), ...(await c.stats()) } as unknown as Snapshot;
  });

/** The frames a member's worker passed on one stream ("from 2", "from tap-…"), and its drops. */
const stream = (s: Snapshot, name: string): StreamStats | undefined => s.streams.filter((x) => x.stream === name).at(-1);
const decoded = (s: Snapshot, peer: number) => s.peers[String(peer)]?.framesDecoded ?? 0;

/** Pixels of a tile's <video> at the fake camera's landmarks (fractions of its width and height). */
async function landmarks(p: Page, peer: string): Promise<{ corners: Rgb[]; background: Rgb[] } | null> {
  return p.evaluate((key) => {
    const v = document.querySelector<HTMLVideoElement>(`.tile[data-peer="${key}"] video`);
    if (!v || v.videoWidth === 0) return null;
    const c = document.createElement("canvas");
    c.width = v.videoWidth;
    c.height = v.videoHeight;
    const g = c.getContext("2d", { willReadFrequently: true })!;
    g.drawImage(v, 0, 0);
    const px = ([fx, fy]: number[]) => Array.from(g.getImageData(Math.floor(fx! * c.width), Math.floor(fy! * c.height), 1, 1).data.slice(0, 3));
    return {
      corners: [[0.015, 0.02], [0.985, 0.02], [0.015, 0.98], [0.985, 0.98]].map(px),
      background: [[0.12, 0.55], [0.88, 0.85], [0.5, 0.93]].map(px),
    } as { corners: [number, number, number][]; background: [number, number, number][] };
  }, peer);
}

/** Does the tile show the fake camera's picture? (see the header for why this cannot pass by accident) */
async function cameraPicture(p: Page, peer: string): Promise<{ ok: boolean; seen: string }> {
  const l = await landmarks(p, peer);
  if (!l) return { ok: false, seen: "no picture" };
  const corner = ([r, g, b]: Rgb) => g > 180 && r < 110 && b < 110;
  const background = ([r, g, b]: Rgb) => g >= 90 && g <= 175 && r < 80 && b < 80;
  return { ok: l.corners.every(corner) && l.background.every(background), seen: JSON.stringify(l) };
}

async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const t0 = Date.now();
  let last: T = await probe();
  while (!ok(last)) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}; last seen: ${JSON.stringify(last).slice(0, 1500)}`);
    await new Promise((r) => setTimeout(r, 250));
    last = await probe();
  }
  return last;
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `call-${name}.png`);
  await page.screenshot({ path });
  console.log(`screenshot: ${relative(process.cwd(), path)}`);
}

/** A page, a build, servers and a browser: one call under test. */
class Call {
  dir = "";
  servers!: CallServers;
  browser!: Browser;
  context!: BrowserContext;
  readonly dsEvents: string[] = [];
  readonly problems: string[] = [];

  async start(build: CallBuildOptions): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), "call-browser-"));
    await buildCallPage(join(this.dir, "web"), build);
    // A short grace: a member cut off from the DS is announced as left after 0.5 s.
    this.servers = await startCallServers({ dir: join(this.dir, "web"), ds: { graceMs: 500 }, onDsEvent: (l) => this.dsEvents.push(l) });
    this.browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 20_000 });
    this.context = await this.browser.newContext({ viewport: { width: 1180, height: 620 } });
  }

  async open(name: string, extra = "", before?: (p: Page) => Promise<void>): Promise<Page> {
    const page = await this.context.newPage();
    page.on("pageerror", (e) => this.problems.push(`${name}: ${e.message}`));
    await before?.(page);
    await page.goto(this.servers.pageUrl("room", extra));
    return page;
  }

  /** Opens a member's page and waits until it is in the group. */
  async member(name: string, before?: (p: Page) => Promise<void>): Promise<Page> {
    const page = await this.open(name, "", before);
    await until(`${name} in the group`, () => snapshot(page), (s) => s.state.epoch !== null);
    return page;
  }

  /** A tap from member page `from` to page `to`, decrypting there with `keys`. */
  async tap(name: string, from: Page, to: Page, keys: "none" | "stranger" | "member"): Promise<void> {
    type Handle = { dcaCall: Record<string, (...a: string[]) => Promise<string>> };
    const offer = await from.evaluate((n) => (window as unknown as Handle).dcaCall.tapOffer!(n), name);
    const answer = await to.evaluate(([n, o, k]) => (window as unknown as Handle).dcaCall.tapAnswer!(n!, o!, k!), [name, offer, keys]);
    await from.evaluate(([n, a]) => (window as unknown as Handle).dcaCall.tapAccept!(n!, a!), [name, answer]);
  }

  async stop(): Promise<void> {
    await this.context?.close();
    await this.browser?.close();
    await this.servers?.close();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Every page shows the same epoch and safety number, on screen and in its state. */
async function sameSafetyNumber(pages: Page[], epoch: number): Promise<string> {
  const shown = await Promise.all(pages.map((p) => p.locator("#safety-number").innerText()));
  const states = await Promise.all(pages.map(async (p) => (await snapshot(p)).state));
  expect(states.map((s) => s.epoch)).toEqual(pages.map(() => epoch));
  expect(new Set(shown).size).toBe(1);
  expect(shown[0]).toMatch(/^\d{5}( \d{5}){5}$/);
  expect(states.map((s) => s.safetyNumber)).toEqual(shown);
  return shown[0]!;
}

/** Waits until `page` shows member `peer`'s camera, decoded. */
const seesCamera = (page: Page, peer: number | string, what: string) =>
  until(what, () => cameraPicture(page, String(peer)), (r) => r.ok);

describe.skipIf(!haveChromium)("call page in a browser", () => {
  const call = new Call();
  let a: Page; // user 1, the room's creator and first DC
  let b: Page; // user 2
  let c: Page; // user 3, joins mid-call
  let observer: Page; // no member: the SFU's position
  let cutA = false;
  const routesA: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    await call.start(KNOWN_BAD ? { knownBad: "plaintext-sender" } : {});
  }, 60_000);
  afterAll(async () => {
    await call.stop();
  });

  it("two members decode each other's camera and show the same epoch and safety number", async () => {
    // User 1's DS connection goes through a route the test can cut (step 4).
    a = await call.member("user 1", (p) =>
      p.routeWebSocket(/^ws:/, (ws) => {
        if (cutA) return void ws.close();
        const server = ws.connectToServer();
        routesA.push(server, ws);
      }),
    );
    b = await call.member("user 2");
    await until("both in epoch 1", () => Promise.all([a, b].map(snapshot)), (ss) => ss.every((s) => s.state.epoch === 1 && s.state.members.length === 2));
    await seesCamera(a, 2, "user 1 shows user 2's camera");
    await seesCamera(b, 1, "user 2 shows user 1's camera");
    const [sa, sb] = await until("frames decoded both ways", () => Promise.all([a, b].map(snapshot)), ([x, y]) => decoded(x!, 2) > 10 && decoded(y!, 1) > 10);
    // Every frame went through the SFrame transforms: encrypted by the sender, decrypted here.
    expect(stream(sa!, "to 2")!.passed).toBeGreaterThan(5);
    expect(stream(sb!, "from 1")!.passed).toBeGreaterThan(5);
    await sameSafetyNumber([a, b], 1);

    // The fake microphone's Opus frames go through the same transforms, encrypted whole:
    // of the bytes passed, none travels in the clear (the same counter sees VP8's clear header).
    const [aa, ab] = await until("audio frames through the transforms both ways", () => Promise.all([a, b].map(snapshot)), ([x, y]) =>
      (stream(x!, "audio from 2")?.passed ?? 0) >= 20 && (stream(y!, "audio from 1")?.passed ?? 0) >= 20,
    );
    for (const [s, name] of [[aa!, "audio from 2"], [ab!, "audio from 1"], [aa!, "audio to 2"], [ab!, "audio to 1"]] as const) {
      const st = stream(s, name)!;
      expect(st.codec, name).toBe("opus");
      expect(st.bytes, name).toBeGreaterThan(20 * 10);
      expect(st.clearBytes, `${name}: bytes in the clear`).toBe(0);
      expect(st.dropped, `${name}: ${JSON.stringify(st.lastDrop)}`).toEqual({});
      expect(st.passed + st.empty, `${name}: every frame decrypted (or of 0 bytes)`).toBe(st.frames);
    }
    expect(stream(aa!, "from 2")!.clearBytes).toBeGreaterThan(0);
  }, 40_000);

  it("the SFU's position: the encrypted track arrives, and with no keys or the wrong keys shows nothing of the camera", async () => {
    observer = await call.open("observer", "&observe");
    await call.tap("sfu-none", a, observer, "none");
    await call.tap("sfu-wrong-keys", a, observer, "stranger");
    // The ciphertext does arrive: frames (no keys) and bytes (wrong keys: the transform eats the frames), video and audio.
    const s = await until("the taps carry user 1's encrypted frames", () => snapshot(observer), (x) =>
      (x.taps["sfu-none"]?.framesReceived ?? 0) >= 20 && (x.taps["sfu-wrong-keys"]?.bytesReceived ?? 0) >= 20_000 && (stream(x, "from sfu-wrong-keys")?.frames ?? 0) >= 20 &&
      (x.taps["sfu-none"]?.audioPacketsReceived ?? 0) >= 20 && (stream(x, "audio from sfu-wrong-keys")?.frames ?? 0) >= 20,
    );
    // No keys: the decoder gets the ciphertext behind VP8's clear header; whatever it makes of it is not the camera.
    for (let i = 0; i < 3; i++) {
      const seen = await cameraPicture(observer, "sfu-none");
      expect(seen.ok, `the keyless tap shows the camera: ${seen.seen}`).toBe(false);
      await observer.waitForTimeout(300);
    }
    // The wrong keys (the right key IDs): every frame fails its tag and nothing reaches the decoder.
    const wrong = stream(s, "from sfu-wrong-keys")!;
    expect(wrong.passed).toBe(0);
    expect(wrong.dropped.auth).toBe(wrong.frames);
    expect(s.taps["sfu-wrong-keys"]!.framesDecoded).toBe(0);
    expect((await cameraPicture(observer, "sfu-wrong-keys")).ok).toBe(false);
    // Audio alike: its SFrame header is its first byte (nothing clear), and no frame passes its tag.
    const wrongAudio = stream(s, "audio from sfu-wrong-keys")!;
    expect(wrongAudio.passed).toBe(0);
    expect(wrongAudio.dropped.auth).toBe(wrongAudio.frames - wrongAudio.empty); // frames of 0 bytes carry nothing to decrypt
    expect(wrongAudio.dropped.auth).toBeGreaterThanOrEqual(20);
    await screenshot(observer, "sfu-position");
    console.log(`SFU position: keyless decoder made ${s.taps["sfu-none"]!.framesDecoded} pictures of ${s.taps["sfu-none"]!.framesReceived} frames (none the camera); wrong keys: ${wrong.dropped.auth} frames dropped on their tag`);
  }, 30_000);

  it("a member joins mid-call: the others keep decoding across the epoch change, and all three decode each other", async () => {
    const before = await Promise.all([a, b].map(snapshot));
    c = await call.member("user 3");
    const after = await until("all three in epoch 2", () => Promise.all([a, b, c].map(snapshot)), (ss) => ss.every((s) => s.state.epoch === 2 && s.state.members.length === 3));
    // Frames of the new epoch: decrypted with epoch 2's keys and decoded, more than before the change.
    const [sa, sb] = await until("epoch-2 frames decoded between users 1 and 2", () => Promise.all([a, b].map(snapshot)), ([x, y]) =>
      (stream(x!, "from 2")?.byEpoch["2"] ?? 0) >= 10 && (stream(y!, "from 1")?.byEpoch["2"] ?? 0) >= 10,
    );
    expect(decoded(sa!, 2)).toBeGreaterThan(decoded(after[0]!, 2));
    expect(decoded(sb!, 1)).toBeGreaterThan(decoded(after[1]!, 1));
    expect(decoded(sa!, 2)).toBeGreaterThan(decoded(before[0]!, 2) + 10);
    // Not one frame between them was lost to the change: no drops, for any reason.
    expect(stream(sa!, "from 2")!.dropped).toEqual({});
    expect(stream(sb!, "from 1")!.dropped).toEqual({});
    // Audio crosses the epoch change too: its counters rise, with frames of epoch 2, none dropped.
    const [xa, xb] = await until("epoch-2 audio frames between users 1 and 2", () => Promise.all([a, b].map(snapshot)), ([x, y]) =>
      (stream(x!, "audio from 2")?.byEpoch["2"] ?? 0) >= 20 && (stream(y!, "audio from 1")?.byEpoch["2"] ?? 0) >= 20,
    );
    for (const [now, then, name] of [[xa!, before[0]!, "audio from 2"], [xb!, before[1]!, "audio from 1"]] as const) {
      expect(stream(now, name)!.passed).toBeGreaterThan(stream(then, name)!.passed + 20);
      expect(stream(now, name)!.dropped).toEqual({});
      expect(stream(now, name)!.clearBytes).toBe(0);
    }
    for (const [page, peers] of [[a, [2, 3]], [b, [1, 3]], [c, [1, 2]]] as const) {
      for (const peer of peers) await seesCamera(page, peer, `${await page.title()} shows user ${peer}'s camera`);
    }
    await sameSafetyNumber([a, b, c], 2);
    await screenshot(b, "three-members");
  }, 40_000);

  it("the DC is cut off and removed: a new DC commits, the others keep decoding, the removed member decodes nothing new", async () => {
    const [a2, b2] = await Promise.all([a, b].map(snapshot));
    const oldNumber = a2!.state.safetyNumber;
    cutA = true;
    for (const r of routesA) await r.close();
    // User 2, now the lowest member, becomes the DC and removes user 1: epoch 3.
    await until("users 2 and 3 in epoch 3 without user 1", () => Promise.all([b, c].map(snapshot)), (ss) => ss.every((s) => s.state.epoch === 3 && s.state.members.join() === "2,3"));
    expect(call.dsEvents.some((l) => /user 2 appended remove of 1 /.test(l)), call.dsEvents.join("\n")).toBe(true);
    await until("epoch-3 frames decoded between users 2 and 3", () => Promise.all([b, c].map(snapshot)), ([x, y]) =>
      (stream(x!, "from 3")?.byEpoch["3"] ?? 0) >= 10 && (stream(y!, "from 2")?.byEpoch["3"] ?? 0) >= 10,
    );
    await seesCamera(b, 3, "user 2 shows user 3's camera after the removal");
    await seesCamera(c, 2, "user 3 shows user 2's camera after the removal");
    const [sb, sc] = await Promise.all([b, c].map(snapshot));
    expect(decoded(sb!, 3)).toBeGreaterThan(decoded(b2!, 3));
    expect(stream(sb!, "from 3")!.dropped).toEqual({});
    expect(stream(sc!, "from 2")!.dropped).toEqual({});
    await sameSafetyNumber([b, c], 3);

    // User 1 never learnt it was removed: it still holds epoch 2's keys and shows epoch 2's number.
    const removed = await snapshot(a);
    expect(removed.state.epoch).toBe(2);
    expect(removed.state.safetyNumber).toBe(oldNumber);
    expect(removed.state.safetyNumber).not.toBe(await b.locator("#safety-number").innerText());
    // Its links are closed by the others; and a tap (as an SFU still forwarding to it) hands it
    // user 2's epoch-3 frames: they arrive, and not one decrypts or decodes.
    await call.tap("tap-to-removed", b, a, "member");
    const r = await until("user 2's epoch-3 frames reach the removed user 1", () => snapshot(a), (x) =>
      (x.taps["tap-to-removed"]?.bytesReceived ?? 0) >= 20_000 && Object.values(stream(x, "from tap-to-removed")?.dropped ?? {}).reduce((m, n) => m + n, 0) >= 10,
    );
    const t = stream(r, "from tap-to-removed")!;
    expect(t.passed).toBe(0);
    expect(r.taps["tap-to-removed"]!.framesDecoded).toBe(0);
    expect(r.keptEpochs).not.toContain(3);
    for (const s of r.streams) expect(s.byEpoch["3"], `${s.stream} passed an epoch-3 frame`).toBeUndefined();
    // Over its old links nothing more is decoded either.
    const r2 = await (async () => (await a.waitForTimeout(1500), snapshot(a)))();
    for (const peer of [2, 3]) expect(decoded(r2, peer)).toBe(decoded(r, peer));
    await screenshot(a, "removed-member");
    console.log(`removed member: ${t.frames} epoch-3 frames arrived over the tap, 0 decrypted (${JSON.stringify(t.dropped)})`);
  }, 45_000);

  it("no page hit a script error", () => {
    expect(call.problems).toEqual([]);
  });
});

// The known-bad build in every run: the checks above have teeth. With the sender's
// transform removed, the members' transforms drop every (clear) frame, so nothing is
// decoded, and the keyless tap, the SFU's position, shows the camera: the very
// predicates the tests above assert come out the other way.
describe.skipIf(!haveChromium || KNOWN_BAD !== undefined)("call page, known-bad build (the sender does not encrypt)", () => {
  const call = new Call();
  beforeAll(async () => {
    await call.start({ knownBad: "plaintext-sender" });
  }, 60_000);
  afterAll(async () => {
    await call.stop();
  });

  it("members decode nothing of each other, and a peer without keys shows the camera", async () => {
    const a = await call.member("user 1");
    const b = await call.member("user 2");
    expect(await a.locator("#banner").innerText()).toContain("KNOWN-BAD BUILD");
    const observer = await call.open("observer", "&observe");
    await call.tap("sfu-none", a, observer, "none");
    await seesCamera(observer, "sfu-none", "the keyless tap shows user 1's camera (frames sent in the clear)");
    const sb = await until("user 1's clear frames reach user 2's transform", () => snapshot(b), (x) => (stream(x, "from 1")?.frames ?? 0) >= 20 && (stream(x, "audio from 1")?.frames ?? 0) >= 20);
    const from1 = stream(sb, "from 1")!;
    expect(from1.passed).toBe(0);
    expect(stream(sb, "audio from 1")!.passed).toBe(0); // clear audio is dropped too
    expect(decoded(sb, 1)).toBe(0);
    expect((await cameraPicture(b, "1")).ok).toBe(false);
    console.log(`known-bad build: user 2 dropped ${JSON.stringify(from1.dropped)} of user 1's clear frames; the keyless tap showed the camera`);
    expect(call.problems).toEqual([]);
  }, 40_000);
});
