// What the call page and its media worker (impl/web/media-worker.ts) say to each
// other. The worker holds the frame keys and runs every RTCRtpScriptTransform of
// the page; the page hands it each epoch's media secrets as the member reaches the
// epoch, and the worker reports, per stream, what it passed and what it dropped.

import type { Codec } from "../media/codec.ts";
import type { DropReason } from "../media/frame-crypto.ts";
import type { EpochMedia } from "../media/mls-keys.ts";

/**
 * Whose keys a transform uses: the member's own (from its MLS group), or a
 * stranger's, random keys for every epoch number (a party in the media path that is
 * not in the group: the SFU's position with the wrong keys).
 */
export type KeySet = "member" | "stranger";

/** The options of one RTCRtpScriptTransform (its `transformer.options` in the worker). */
export interface TransformOptions {
  side: "send" | "receive";
  keys: KeySet;
  codec: Codec;
  /** Names the stream in the statistics, e.g. "send→3", "from 2", "tap". */
  stream: string;
}

export type ToWorker =
  /** The member reached an epoch: keys to encrypt with, and to decrypt the others. */
  | { t: "epoch"; media: EpochMedia }
  /** The member left: the worker forgets every key it holds. */
  | { t: "forget" };

/** A sender frame could not be encrypted: the member is not in the group yet (or left). */
export type SendDrop = "no-key";

export interface StreamStats {
  stream: string;
  side: "send" | "receive";
  keys: KeySet;
  /** Frames that entered the transform. */
  frames: number;
  /** Frames passed on: encrypted (send) or decrypted (receive). */
  passed: number;
  /** Frames passed on, by the epoch of their key. */
  byEpoch: Record<number, number>;
  codec: Codec;
  /** Bytes of the frames passed on (as they arrived), and how many of them travel in the clear (impl/media/codec.ts: 0 for Opus). */
  bytes: number;
  clearBytes: number;
  /** Received frames of 0 bytes, passed on as they came (nothing to decrypt). */
  empty: number;
  dropped: Partial<Record<DropReason | SendDrop, number>>;
  /** The last frame dropped: why, its number in the stream, its size and first bytes (for a UI, and a test's message). */
  lastDrop?: { reason: DropReason | SendDrop; frame: number; bytes: number; head: number[] };
}

export type FromWorker = { t: "stats"; streams: StreamStats[]; keptEpochs: number[] };
