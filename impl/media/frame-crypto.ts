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
import { decodeHeader, decryptWithClear, deriveFrameKey, encryptWithClear, type FrameKey, MEDIA_SUITE, SFrameError } from "./sframe.ts";

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
  /** Replay windows by KID (a KID names one sender in one epoch). */
  windows: Map<bigint, ReplayWindow>;
  /** The CTR of this member's next frame under this epoch's key: taken before any wait, so no two frames share a nonce. */
  sent: bigint;
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

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

export class FrameCrypto {
  private readonly epochs = new Map<number, EpochKeys>();
  private newest = -1;
  private held: Held[] = [];
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
    const had = this.epochs.get(m.epoch);
    // The same epoch told twice keeps its state (its counter above all: restarting it
    // under the same key would reuse nonces). A new base key starts afresh.
    if (!had || !sameBytes(had.baseKey, m.baseKey) || had.leafIndex !== m.leafIndex) {
      this.epochs.set(m.epoch, { ...m, frameKeys: new Map(), deriving: new Map(), windows: new Map(), sent: 0n });
    }
    if (m.epoch > this.newest) this.newest = m.epoch;
    for (const e of [...this.epochs.keys()]) if (e <= this.newest - this.keep) this.epochs.delete(e);
    const waiting = this.held;
    this.held = [];
    for (const h of waiting) void this.decrypt(h.frame, h.codec).then(h.resolve);
  }

  /** The epochs whose frames this member can decrypt now. */
  keptEpochs(): number[] {
    return [...this.epochs.keys()].sort((a, b) => a - b);
  }

  /** The frame key of a KID: the cached key itself once derived (no promise to wait on per frame), else its derivation. */
  private frameKey(e: EpochKeys, kid: bigint): FrameKey | Promise<FrameKey> {
    const known = e.frameKeys.get(kid);
    if (known) return known;
    let pending = e.deriving.get(kid);
    if (!pending) {
      pending = deriveFrameKey(MEDIA_SUITE, kid, e.baseKey).then((k) => {
        e.frameKeys.set(kid, k);
        e.deriving.delete(kid);
        return k;
      });
      e.deriving.set(kid, pending);
    }
    return pending;
  }

  /** Encrypts one of this member's frames in its newest epoch: clear bytes, then the SFrame ciphertext. */
  async encrypt(frame: Uint8Array, codec: Codec): Promise<Uint8Array> {
    const e = this.epochs.get(this.newest);
    if (!e) throw new Error("no epoch yet: a member encrypts only once it is in the group");
    const clear = clearBytes(codec, frame);
    const ctr = e.sent++;
    const kid = kidOf(e.leafIndex, e.epoch);
    const key = e.frameKeys.get(kid) ?? (await this.frameKey(e, kid));
    return encryptWithClear(key, ctr, frame.subarray(0, clear), frame.subarray(clear));
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
    if (this.held.length > 0) this.expireHeld();
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
    let out: Uint8Array;
    try {
      const key = e.frameKeys.get(header.kid) ?? (await this.frameKey(e, header.kid));
      out = await decryptWithClear(key, header, sealed, frame.subarray(0, clear));
    } catch (err) {
      return this.drop(err instanceof SFrameError ? err.reason : "auth");
    }
    let w = e.windows.get(header.kid);
    if (!w) e.windows.set(header.kid, (w = new ReplayWindow()));
    // Counters beyond 2^53 do not occur (one per frame); the window works on numbers.
    if (!w.accept(Number(header.ctr))) return this.drop("replay");
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
