// The media transform of one member: encrypts its own frames under its epoch's KID
// and decrypts the others', across epoch changes without losing frames.
//
// - Past epochs: a receiver keeps the keys of its last KEPT_EPOCHS epochs, so frames
//   sent just before a Commit and delivered just after it still decrypt.
// - Future epochs: a frame whose KID names an epoch the receiver has not reached
//   yet is held, for at most HOLD_MS and HOLD_MAX frames, and decrypted as soon as
//   the receiver processes the Commit that makes that epoch (addEpoch).
// - A member removed by a Commit never gets the base key of any later epoch (the MLS
//   exporter of an epoch it is not in), so it decrypts nothing sent after it.
// - Replays: a sliding window per KID over the counter.
// - Bad input never throws out of decrypt(): each frame dropped is counted by reason
//   (`drops`), which a UI can show.

import { type Codec, clearBytes } from "./codec.ts";
import { EPOCH_MASK, kidOf, splitKid, type EpochMedia } from "./mls-keys.ts";
import { decodeHeader, decryptFrame, deriveFrameKey, encryptFrame, type FrameKey, MEDIA_SUITE, SFrameError } from "./sframe.ts";

export const KEPT_EPOCHS = 3;
export const HOLD_MS = 2_000;
export const HOLD_MAX = 256;
export const REPLAY_WINDOW = 128;

export type DropReason = "truncated" | "unknown-key" | "too-old" | "auth" | "replay" | "held-too-long";

export type Decrypted = { ok: true; frame: Uint8Array; epoch: number; leafIndex: number } | { ok: false; reason: DropReason };

interface EpochKeys {
  epoch: number;
  baseKey: Uint8Array;
  leafIndex: number;
  /** Derived keys by KID, and the derivations under way. */
  frameKeys: Map<bigint, FrameKey>;
  deriving: Map<bigint, Promise<FrameKey>>;
}

interface Held {
  frame: Uint8Array;
  codec: Codec;
  at: number;
  resolve: (d: Decrypted) => void;
}

/** Which of the last REPLAY_WINDOW counters of one KID were seen (a ring of flags: no BigInt work per frame). */
class ReplayWindow {
  private highest = -1;
  private readonly seen = new Uint8Array(REPLAY_WINDOW);
  accept(ctr: number): boolean {
    if (ctr > this.highest) {
      const gap = Math.min(ctr - this.highest, REPLAY_WINDOW);
      for (let i = 1; i < gap; i++) this.seen[(ctr - i) % REPLAY_WINDOW] = 0;
      this.seen[ctr % REPLAY_WINDOW] = 1;
      this.highest = ctr;
      return true;
    }
    if (this.highest - ctr >= REPLAY_WINDOW || this.seen[ctr % REPLAY_WINDOW]) return false;
    this.seen[ctr % REPLAY_WINDOW] = 1;
    return true;
  }
}

export class FrameCrypto {
  private readonly epochs = new Map<number, EpochKeys>();
  private newest = -1;
  private counter = 0n;
  private held: Held[] = [];
  private readonly windows = new Map<string, ReplayWindow>();
  readonly drops: Record<DropReason, number> = { truncated: 0, "unknown-key": 0, "too-old": 0, auth: 0, replay: 0, "held-too-long": 0 };

  /** `keep`: how many epochs' keys to keep (KEPT_EPOCHS; 1 is the published design, for tests). */
  constructor(
    private readonly now: () => number = () => Date.now(),
    private readonly keep = KEPT_EPOCHS,
  ) {
    if (!Number.isInteger(keep) || keep < 1 || keep > EPOCH_MASK) throw new RangeError(`keep ${keep}: from 1 to ${EPOCH_MASK} epochs`);
  }

  /** The member reached an epoch (it processed the Commit, or was welcomed): its keys, and the frames held for it. */
  async addEpoch(m: EpochMedia): Promise<void> {
    this.epochs.set(m.epoch, { ...m, frameKeys: new Map(), deriving: new Map() });
    if (m.epoch > this.newest) {
      this.newest = m.epoch;
      this.counter = 0n; // a new epoch is a new base key: counters start again
    }
    for (const e of [...this.epochs.keys()]) if (e <= this.newest - this.keep) this.epochs.delete(e);
    const waiting = this.held;
    this.held = [];
    for (const h of waiting) void this.decrypt(h.frame, h.codec).then(h.resolve);
  }

  /** The epochs whose frames this member can decrypt now. */
  keptEpochs(): number[] {
    return [...this.epochs.keys()].sort((a, b) => a - b);
  }

  private async frameKey(e: EpochKeys, kid: bigint): Promise<FrameKey> {
    const known = e.frameKeys.get(kid);
    if (known) return known;
    let pending = e.deriving.get(kid);
    if (!pending) {
      pending = deriveFrameKey(MEDIA_SUITE, kid, e.baseKey);
      e.deriving.set(kid, pending);
    }
    const k = await pending;
    e.frameKeys.set(kid, k);
    e.deriving.delete(kid);
    return k;
  }

  /** Encrypts one of this member's frames in its newest epoch: clear bytes, then the SFrame ciphertext. */
  async encrypt(frame: Uint8Array, codec: Codec): Promise<Uint8Array> {
    const e = this.epochs.get(this.newest);
    if (!e) throw new Error("no epoch yet: a member encrypts only once it is in the group");
    const clear = clearBytes(codec, frame);
    const key = await this.frameKey(e, kidOf(e.leafIndex, e.epoch));
    const sealed = await encryptFrame(key, this.counter++, frame.subarray(0, clear), frame.subarray(clear));
    const out = new Uint8Array(clear + sealed.length);
    out.set(frame.subarray(0, clear));
    out.set(sealed, clear);
    return out;
  }

  /** The epoch a KID's low bits name among those kept; "future" if it is just ahead of the newest. */
  private epochFor(bits: number): EpochKeys | "future" | undefined {
    for (const e of this.epochs.values()) if ((e.epoch & EPOCH_MASK) === bits) return e;
    const ahead = (bits - (this.newest & EPOCH_MASK) + EPOCH_MASK + 1) & EPOCH_MASK;
    return this.newest >= 0 && ahead >= 1 && ahead <= KEPT_EPOCHS ? "future" : undefined;
  }

  private drop(reason: DropReason): Decrypted {
    this.drops[reason]++;
    return { ok: false, reason };
  }

  /** Decrypts another member's frame; never throws: a frame it cannot accept is dropped and counted. */
  async decrypt(frame: Uint8Array, codec: Codec): Promise<Decrypted> {
    this.expireHeld();
    const clear = clearBytes(codec, frame);
    const sealed = frame.subarray(clear);
    let header;
    try {
      header = decodeHeader(sealed);
    } catch {
      return this.drop("truncated");
    }
    const { leafIndex, epochBits } = splitKid(header.kid);
    const e = this.epochFor(epochBits);
    if (e === "future") {
      if (this.held.length >= HOLD_MAX) return this.drop("held-too-long");
      return new Promise((resolve) => this.held.push({ frame, codec, at: this.now(), resolve }));
    }
    if (!e) return this.drop(this.newest >= 0 ? "too-old" : "unknown-key");
    let plain: Uint8Array;
    try {
      plain = await decryptFrame(await this.frameKey(e, header.kid), header, sealed, frame.subarray(0, clear));
    } catch (err) {
      return this.drop(err instanceof SFrameError ? err.reason : "auth");
    }
    const key = `${e.epoch}/${header.kid}`;
    let w = this.windows.get(key);
    if (!w) this.windows.set(key, (w = new ReplayWindow()));
    // Counters beyond 2^53 do not occur (one per frame); the window works on numbers.
    if (!w.accept(Number(header.ctr))) return this.drop("replay");
    const out = new Uint8Array(clear + plain.length);
    out.set(frame.subarray(0, clear));
    out.set(plain, clear);
    return { ok: true, frame: out, epoch: e.epoch, leafIndex };
  }

  /** Frames held longer than HOLD_MS are dropped: their epoch never came (e.g. this member was removed). */
  expireHeld(): void {
    const t = this.now();
    const keep: Held[] = [];
    for (const h of this.held) {
      if (t - h.at > HOLD_MS) h.resolve(this.drop("held-too-long"));
      else keep.push(h);
    }
    this.held = keep;
  }
}
