// Media frames encrypted with the DCA group's keys (impl/media/): members of an epoch
// read each other's frames; a frame sent just before a Commit still decrypts after it
// (past-epoch keys: without them it is lost, as in the published design); a frame of
// an epoch the receiver has not reached is held until it processes the Commit; a
// member removed by a Commit reads nothing sent after it; bad frames are dropped and
// counted, never thrown; two groups at the same epoch number have different media
// keys and different safety numbers.
import { describe, expect, it } from "vitest";
import * as mls from "../impl/mls.ts";
import { clearBytes, isVp8Keyframe } from "../impl/media/codec.ts";
import { FrameCrypto, HOLD_MS } from "../impl/media/frame-crypto.ts";
import { epochMedia, kidOf, splitKid } from "../impl/media/mls-keys.ts";
import { decodeHeader } from "../impl/media/sframe.ts";
import { Room } from "../impl/room.ts";
import { safetyNumber } from "../impl/safety-number.ts";
import { addNext, catchUp } from "./room-steps.ts";

/** A VP8 keyframe (P bit, the lowest of byte 0, is 0) and a delta frame whose top bit is 0 too. */
const keyframe = () => Uint8Array.from({ length: 1200 }, (_, i) => (i === 0 ? 0x10 : (i * 7) & 0xff));
const delta = () => Uint8Array.from({ length: 800 }, (_, i) => (i === 0 ? 0x31 : (i * 13) & 0xff));

async function mediaFor(ctx: mls.MlsContext, room: Room, uid: number, fc = new FrameCrypto()): Promise<FrameCrypto> {
  await fc.addEpoch(await epochMedia(ctx, room.group(uid)!));
  return fc;
}

describe("media keys from the DCA's MLS group", () => {
  it("members of one epoch decrypt each other's frames; the VP8 header stays clear, the rest does not", async () => {
    const ctx = await mls.initMls();
    const room = await Room.create();
    await addNext(room, []); // 2
    await addNext(room, [2]); // 3
    const [a, b, c] = await Promise.all([1, 2, 3].map((u) => mediaFor(ctx, room, u)));
    for (const f of [keyframe(), delta()]) {
      const sealed = await a!.encrypt(f, "vp8");
      const clear = clearBytes("vp8", f);
      expect(sealed.subarray(0, clear)).toEqual(f.subarray(0, clear));
      expect(Buffer.from(sealed).includes(Buffer.from(f.subarray(clear, clear + 32)))).toBe(false);
      for (const r of [b!, c!]) expect(await r.decrypt(sealed, "vp8")).toMatchObject({ ok: true, frame: f, epoch: 2 });
    }
  });

  it("a frame sent just before a Commit decrypts after it, and is lost without past-epoch keys", async () => {
    const ctx = await mls.initMls();
    const room = await Room.create();
    await addNext(room, []); // 2
    const a = await mediaFor(ctx, room, 1);
    const b = await mediaFor(ctx, room, 2);
    const noPast = await mediaFor(ctx, room, 2, new FrameCrypto(undefined, 1));
    const late = await a.encrypt(delta(), "vp8"); // sent in epoch 1
    await addNext(room, [2]); // epoch 2
    await b.addEpoch(await epochMedia(ctx, room.group(2)!));
    await noPast.addEpoch(await epochMedia(ctx, room.group(2)!));
    expect(await b.decrypt(late, "vp8")).toMatchObject({ ok: true, epoch: 1 });
    expect(await noPast.decrypt(late, "vp8")).toEqual({ ok: false, reason: "too-old" });
  });

  it("holds a frame of an epoch the receiver has not reached, and decrypts it once it processes the Commit", async () => {
    const ctx = await mls.initMls();
    const room = await Room.create();
    await addNext(room, []); // 2
    const b = await mediaFor(ctx, room, 2);
    const u = await room.join(); // 3
    await catchUp(room, 1);
    await room.dcWelcome(1);
    room.dcAdd(1); // the DC is in epoch 2 at once; 2 has not read the Add yet
    const a = await mediaFor(ctx, room, 1);
    const early = b.decrypt(await a.encrypt(keyframe(), "vp8"), "vp8");
    await catchUp(room, 2);
    await catchUp(room, u);
    await b.addEpoch(await epochMedia(ctx, room.group(2)!));
    expect(await early).toMatchObject({ ok: true, epoch: 2 });
  });

  it("a member removed by a Commit decrypts nothing sent after it", async () => {
    const ctx = await mls.initMls();
    const room = await Room.create();
    await addNext(room, []); // 2
    await addNext(room, [2]); // 3
    let t = 0;
    const c = await mediaFor(ctx, room, 3, new FrameCrypto(() => t));
    room.leave(3);
    await catchUp(room, 1);
    await catchUp(room, 2);
    await room.dcRemove(1); // epoch 3, without 3
    const a = await mediaFor(ctx, room, 1);
    const after = c.decrypt(await a.encrypt(delta(), "vp8"), "vp8");
    t += HOLD_MS + 1;
    c.expireHeld();
    expect(await after).toEqual({ ok: false, reason: "held-too-long" });
    expect(c.keptEpochs()).toEqual([2]);
  });

  it("drops bad frames by reason and never throws", async () => {
    const ctx = await mls.initMls();
    const room = await Room.create();
    await addNext(room, []); // 2
    const a = await mediaFor(ctx, room, 1);
    const b = await mediaFor(ctx, room, 2);
    const good = await a.encrypt(keyframe(), "vp8");
    const tampered = good.slice();
    tampered[tampered.length - 3]! ^= 0x40;
    const clearTampered = good.slice();
    clearTampered[5]! ^= 1; // a clear header byte: authenticated as SFrame metadata
    expect(await b.decrypt(good.subarray(0, 11), "vp8")).toEqual({ ok: false, reason: "truncated" });
    expect(await b.decrypt(tampered, "vp8")).toEqual({ ok: false, reason: "auth" });
    expect(await b.decrypt(clearTampered, "vp8")).toEqual({ ok: false, reason: "auth" });
    expect(await b.decrypt(good, "vp8")).toMatchObject({ ok: true });
    expect(await b.decrypt(good, "vp8")).toEqual({ ok: false, reason: "replay" });
    expect(await b.decrypt(new Uint8Array(0), "opus")).toEqual({ ok: false, reason: "truncated" });
    expect(b.drops).toMatchObject({ truncated: 2, auth: 2, replay: 1 });
    // Out of order within the window is fine; each frame still only once.
    const [f1, f2] = [await a.encrypt(delta(), "vp8"), await a.encrypt(delta(), "vp8")];
    expect(await b.decrypt(f2, "vp8")).toMatchObject({ ok: true });
    expect(await b.decrypt(f1, "vp8")).toMatchObject({ ok: true });
    expect(await b.decrypt(f1, "vp8")).toEqual({ ok: false, reason: "replay" });
  });

  it("two groups at the same epoch number have different media keys and different safety numbers", async () => {
    const ctx = await mls.initMls();
    const rooms = [await Room.create(), await Room.create()];
    for (const r of rooms) await addNext(r, []); // both at epoch 1, members 1 and 2
    const [x, y] = await Promise.all(rooms.map((r) => epochMedia(ctx, r.group(1)!)));
    expect(x!.epoch).toBe(y!.epoch);
    expect(Buffer.from(x!.baseKey).equals(Buffer.from(y!.baseKey))).toBe(false);
    expect(safetyNumber(mls.epochAuthenticator(rooms[0]!.group(1)!))).not.toBe(safetyNumber(mls.epochAuthenticator(rooms[1]!.group(1)!)));
    const sender = await mediaFor(ctx, rooms[0]!, 1);
    const stranger = await mediaFor(ctx, rooms[1]!, 2);
    expect(await stranger.decrypt(await sender.encrypt(delta(), "vp8"), "vp8")).toEqual({ ok: false, reason: "auth" });
  });

  it("reads VP8's keyframe flag from the lowest bit, and lays out KIDs as leaf index above the epoch bits", () => {
    expect(isVp8Keyframe(keyframe())).toBe(true);
    expect(isVp8Keyframe(delta())).toBe(false);
    expect(delta()[0]! >> 7).toBe(0); // a top-bit test (the published one) would call this delta frame a keyframe
    expect(clearBytes("vp8", keyframe())).toBe(10);
    expect(clearBytes("vp8", delta())).toBe(1);
    expect(clearBytes("opus", keyframe())).toBe(0);
    expect(splitKid(kidOf(5, 35))).toEqual({ leafIndex: 5, epochBits: 3 });
    // KIDs past 2^53 take the BigInt path; both paths agree at the boundary.
    for (const kid of [(1n << 53n) - 1n, 1n << 53n, (1n << 64n) - 1n]) {
      expect(splitKid(kid)).toEqual({ leafIndex: Number(kid >> 4n), epochBits: Number(kid & 15n) });
    }
  });

  it("never gives two frames one nonce: not when an epoch arrives mid-encrypt, not when an epoch is told twice", async () => {
    const base = (epoch: number, fill: number) => ({ epoch, leafIndex: 1, baseKey: new Uint8Array(16).fill(fill) });
    const a = new FrameCrypto();
    await a.addEpoch(base(1, 1));
    const ctrs: string[] = [];
    const sent = async (p: Promise<Uint8Array>) => {
      const h = decodeHeader((await p).subarray(1)); // delta frames: 1 clear byte
      ctrs.push(`${h.kid}/${h.ctr}`);
    };
    await sent(a.encrypt(delta(), "vp8")); // epoch 1, CTR 0
    const inFlight = a.encrypt(delta(), "vp8"); // epoch 1, CTR 1, while ...
    void a.addEpoch(base(2, 2)); // ... the next epoch arrives
    await sent(inFlight);
    await sent(a.encrypt(delta(), "vp8")); // epoch 2, CTR 0
    await a.addEpoch(base(2, 2)); // the same epoch told again
    await sent(a.encrypt(delta(), "vp8")); // epoch 2, CTR 1, not 0 again
    expect(ctrs).toEqual([`${kidOf(1, 1)}/0`, `${kidOf(1, 1)}/1`, `${kidOf(1, 2)}/0`, `${kidOf(1, 2)}/1`]);
  });
});
