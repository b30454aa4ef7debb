// The call page's media worker: every RTCRtpScriptTransform of the page runs here
// (insertable streams, WebRTC Encoded Transform). A sender's encoded frames are
// encrypted with SFrame (impl/media/frame-crypto.ts) under the member's current
// epoch before they are packetized; a receiver's frames are decrypted before they
// reach the decoder, and a frame that does not decrypt never reaches it.
//
// One FrameCrypto holds the member's keys for all its streams: its senders share one
// frame counter per epoch, so two peer connections sending the same camera never
// reuse a nonce. The "stranger" keys stand where a party without the group's keys
// stands: for whatever epoch a frame's key ID names, a random base key (the right
// key ID, the wrong key).

import { clearBytes, type Codec } from "../media/codec.ts";
import { FrameCrypto, HOLD_MS } from "../media/frame-crypto.ts";
import { splitKid } from "../media/mls-keys.ts";
import { decodeHeader, MEDIA_SUITE } from "../media/sframe.ts";
import type { FromWorker, KeySet, StreamStats, ToWorker, TransformOptions } from "./worker-protocol.ts";

/** The worker side of an RTCRtpScriptTransform (lib.dom has only the page side). */
interface ScriptTransformer {
  readonly readable: ReadableStream<RTCEncodedVideoFrame | RTCEncodedAudioFrame>;
  readonly writable: WritableStream<RTCEncodedVideoFrame | RTCEncodedAudioFrame>;
  readonly options: TransformOptions;
}
interface WorkerScope {
  onrtctransform: ((ev: { transformer: ScriptTransformer }) => void) | null;
  onmessage: ((ev: MessageEvent<ToWorker>) => void) | null;
  postMessage(m: FromWorker): void;
}
const scope = self as unknown as WorkerScope;

let member = new FrameCrypto();
const strangers = new Map<number, FrameCrypto>();

function strangerFor(frame: Uint8Array, codec: Codec): FrameCrypto {
  let epochBits = 0;
  try {
    epochBits = splitKid(decodeHeader(frame.subarray(clearBytes(codec, frame))).kid).epochBits;
  } catch {
    // not an SFrame: any stranger drops it as truncated
  }
  let s = strangers.get(epochBits);
  if (!s) {
    strangers.set(epochBits, (s = new FrameCrypto()));
    void s.addEpoch({ epoch: epochBits, leafIndex: 0, baseKey: crypto.getRandomValues(new Uint8Array(MEDIA_SUITE.nk)) });
  }
  return s;
}
const keysOf = (k: KeySet, frame: Uint8Array, codec: Codec) => (k === "stranger" ? strangerFor(frame, codec) : member);
const streams: StreamStats[] = [];

scope.onmessage = (ev) => {
  const m = ev.data;
  if (m.t === "epoch") void member.addEpoch(m.media);
  else if (m.t === "forget") member = new FrameCrypto();
};

scope.onrtctransform = ({ transformer }) => {
  const o = transformer.options;
  const stats: StreamStats = { stream: o.stream, side: o.side, keys: o.keys, frames: 0, passed: 0, byEpoch: {}, codec: o.codec, bytes: 0, clearBytes: 0, empty: 0, dropped: {} };
  streams.push(stats);
  const drop = (reason: keyof StreamStats["dropped"], frame?: Uint8Array) => {
    stats.dropped[reason] = (stats.dropped[reason] ?? 0) + 1;
    stats.lastDrop = { reason, frame: stats.frames, bytes: frame?.length ?? 0, head: Array.from(frame?.subarray(0, 4) ?? []) };
  };
  const passed = (epoch: number, data: Uint8Array) => {
    stats.passed++;
    stats.byEpoch[epoch] = (stats.byEpoch[epoch] ?? 0) + 1;
    stats.bytes += data.length;
    stats.clearBytes += clearBytes(o.codec, data);
  };
  // Every frame's decryption starts as it arrives (so a frame held for an epoch not
  // reached yet waits at most HOLD_MS from its own arrival, not from the end of the
  // wait before it), and frames leave in the order they came, as a decoder wants.
  let last: Promise<void> = Promise.resolve();
  const transform = new TransformStream<RTCEncodedVideoFrame | RTCEncodedAudioFrame, RTCEncodedVideoFrame | RTCEncodedAudioFrame>({
    transform(frame, out) {
      stats.frames++;
      const data = new Uint8Array(frame.data);
      if (data.length === 0 && o.side === "receive") {
        // No bytes: nothing to decrypt, nothing to show. Chromium's audio receiver hands the
        // transform such a frame that no sender's transform made (seen once per stream at its
        // start); it goes on as it came, in order, counted apart from the frames decrypted.
        stats.empty++;
        last = last.then(() => out.enqueue(frame));
        return;
      }
      const keys = keysOf(o.keys, data, o.codec);
      let done: Promise<{ data: Uint8Array; epoch: number } | null>;
      const arrived = data; // the frame as it came: plaintext (send) or ciphertext (receive)
      if (o.side === "send") {
        const epoch = keys.keptEpochs().at(-1);
        // Not in the group (yet, or any more): nothing leaves in the clear.
        done = epoch === undefined ? (drop("no-key"), Promise.resolve(null)) : keys.encrypt(data, o.codec).then((d) => ({ data: d, epoch }), () => (drop("no-key"), null));
      } else {
        done = keys.decrypt(data, o.codec).then((r) => (r.ok ? { data: r.frame, epoch: r.epoch } : (drop(r.reason, data), null))); // never throws: dropped and counted
      }
      last = last.then(async () => {
        const r = await done;
        if (!r) return;
        frame.data = r.data.buffer as ArrayBuffer;
        passed(r.epoch, arrived);
        out.enqueue(frame);
      });
    },
    flush: () => last,
  });
  transformer.readable.pipeThrough(transform).pipeTo(transformer.writable).catch(() => {
    // The peer connection closed: its streams end.
  });
};

// A frame held for an epoch that never comes must not stall its stream: FrameCrypto
// expires held frames when asked, and the stream asks nothing while it waits on one.
setInterval(() => member.expireHeld(), HOLD_MS / 8);

setInterval(() => scope.postMessage({ t: "stats", streams, keptEpochs: member.keptEpochs() }), 250);
