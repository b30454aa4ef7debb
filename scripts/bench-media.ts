// Media encryption, three ways in one run, on 1,200-byte frames (encrypt + decrypt
// per frame, and bytes added):
//   (a) one MLS PrivateMessage per frame, as Orange Meets does (impl/mls.ts encrypt /
//       decrypt: ts-mls, one Ed25519 signature per frame);
//   (b) this project's SFrame layer keyed from the MLS exporter (impl/media/);
//   (c) bare AES-128-GCM through WebCrypto with one fixed key (the limit).
// Then how many frames per second one core sustains through (b) for 8 senders at
// 720p (1.5 Mbit/s at 30 frames/s: 6,250-byte frames), and how many frames are lost
// across a membership change (a frame sent before the Commit, delivered after it).
//
//   npm run bench:media [-- --frames N]

import { performance } from "node:perf_hooks";
import * as mls from "../impl/mls.ts";
import { FrameCrypto } from "../impl/media/frame-crypto.ts";
import { epochMedia } from "../impl/media/mls-keys.ts";
import { Room } from "../impl/room.ts";
import { command, integer } from "./cli/command.ts";

const FRAME = 1200;
const frame = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i === 0 ? 0x31 : (i * 31 + seed) & 0xff));

async function catchUp(room: Room, uid: number): Promise<void> {
  while (room.state(uid).cursor < room.log.length) await room.read(uid);
}

async function twoMembers(): Promise<Room> {
  const room = await Room.create();
  await room.join();
  await catchUp(room, 1);
  await room.dcWelcome(1);
  room.dcAdd(1);
  await catchUp(room, 2);
  return room;
}

// Frames are made before timing, so the figures are the cryptography's alone.
const POOL = Array.from({ length: 64 }, (_, i) => frame(FRAME, i));
const pooled = (i: number) => POOL[i % POOL.length]!;

async function time(label: string, frames: number, step: (i: number) => Promise<number>): Promise<{ label: string; us: number; overhead: number }> {
  for (let i = 0; i < Math.min(50, frames); i++) await step(i); // warm-up
  let overhead = 0;
  const t0 = performance.now();
  for (let i = 0; i < frames; i++) overhead = await step(i);
  return { label, us: ((performance.now() - t0) * 1000) / frames, overhead };
}

async function main(frames: number): Promise<number> {
  const ctx = await mls.initMls();

  // (a) one MLS PrivateMessage per frame.
  const room = await twoMembers();
  let g1 = room.group(1)!;
  let g2 = room.group(2)!;
  // The room keeps its own handles; work on copies so the room is not disturbed.
  g1 = await mls.decodeGroup(ctx, mls.encodeGroup(g1));
  g2 = await mls.decodeGroup(ctx, mls.encodeGroup(g2));
  const a = await time("(a) MLS PrivateMessage per frame (Orange)", frames, async (i) => {
    const pt = pooled(i);
    const sent = await mls.encrypt(ctx, g1, pt);
    g1 = sent.group;
    const got = await mls.decrypt(ctx, g2, sent.message);
    g2 = got.group;
    if (got.plaintext.length !== FRAME) throw new Error("MLS round trip lost bytes");
    return sent.message.length - FRAME;
  });

  // (b) SFrame keyed from the same group.
  const sender = new FrameCrypto();
  const receiver = new FrameCrypto();
  await sender.addEpoch(await epochMedia(ctx, room.group(1)!));
  await receiver.addEpoch(await epochMedia(ctx, room.group(2)!));
  const b = await time("(b) SFrame from the MLS exporter (this project)", frames, async (i) => {
    const sealed = await sender.encrypt(pooled(i), "vp8");
    const got = await receiver.decrypt(sealed, "vp8");
    if (!got.ok) throw new Error(`SFrame round trip dropped: ${got.reason}`);
    return sealed.length - FRAME;
  });

  // (c) bare AES-128-GCM, one fixed key.
  const key = await crypto.subtle.importKey("raw", new Uint8Array(16), "AES-GCM", false, ["encrypt", "decrypt"]);
  const c = await time("(c) bare AES-128-GCM, fixed key (limit)", frames, async (i) => {
    const iv = new Uint8Array(12);
    new DataView(iv.buffer).setUint32(8, i);
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, pooled(i)));
    await crypto.subtle.decrypt({ name: "AES-GCM", iv }, key, ct);
    return ct.length - FRAME;
  });

  process.stdout.write(`Media encryption, ${FRAME}-byte frames, encrypt + decrypt, mean of ${frames} (Node ${process.versions.node}):\n`);
  for (const r of [a, b, c]) process.stdout.write(`  ${r.label.padEnd(50)} ${r.us.toFixed(1).padStart(8)} µs/frame  +${r.overhead} bytes\n`);
  process.stdout.write(`  (b) is ${(a.us / b.us).toFixed(1)}× faster than (a) (goal ≥ 25×) and ${(b.us / c.us).toFixed(2)}× the time of (c) (goal ≤ 1.5×)\n`);

  // 8 senders at 720p: how many frames per second one core encrypts and decrypts.
  // Eight senders: eight leaf indices (KIDs) of the same epoch, one receiver.
  const base = await epochMedia(ctx, room.group(1)!);
  const senders = await Promise.all(Array.from({ length: 8 }, async (_, k) => {
    const f = new FrameCrypto();
    await f.addEpoch({ ...base, leafIndex: 10 + k });
    return f;
  }));
  const hub = new FrameCrypto();
  await hub.addEpoch(await epochMedia(ctx, room.group(2)!));
  const big = frame(6250, 7);
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < 2000) {
    for (const s of senders) {
      const got = await hub.decrypt(await s.encrypt(big, "vp8"), "vp8");
      if (!got.ok) throw new Error(`a 720p frame was dropped: ${got.reason}`);
      n++;
    }
  }
  const fps = n / ((performance.now() - t0) / 1000);
  process.stdout.write(`  8 senders at 720p (6,250-byte frames): ${fps.toFixed(0)} frames/s encrypted and decrypted on one core; a call needs 240\n`);

  // Frames lost across a membership change: sent before the Commit, delivered after it.
  const lateFrames = await Promise.all(Array.from({ length: 30 }, (_, i) => sender.encrypt(frame(FRAME, i), "vp8")));
  await room.join();
  await catchUp(room, 1);
  await room.dcWelcome(1);
  room.dcAdd(1);
  await catchUp(room, 2);
  await receiver.addEpoch(await epochMedia(ctx, room.group(2)!));
  const oneEpoch = new FrameCrypto(undefined, 1);
  await oneEpoch.addEpoch({ ...(await epochMedia(ctx, room.group(2)!)) });
  let lost = 0;
  let lostPublished = 0;
  for (const f of lateFrames) {
    if (!(await receiver.decrypt(f, "vp8")).ok) lost++;
    if (!(await oneEpoch.decrypt(f, "vp8")).ok) lostPublished++;
  }
  process.stdout.write(`  frames sent before a Commit and delivered after it: ${lost} of 30 lost here, ${lostPublished} of 30 with no past-epoch keys (as published)\n`);
  return 0;
}

await command(import.meta.url, {
  name: "bench:media",
  help: "Usage: npm run bench:media [-- --frames N]   (default 300 frames per measurement)",
  options: { frames: { type: "string" } },
  exitWhenDone: true,
  run: ({ values }) => main(integer("--frames", values.frames, { min: 10, max: 10_000_000, fallback: 300 })),
});
