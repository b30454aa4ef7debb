// The call page's media worker: every RTCRtpScriptTransform of the page runs here
// (insertable streams, WebRTC Encoded Transform). A sender's encoded frames are
// encrypted with SFrame (impl/media/frame-crypto.ts) under the member's current
// epoch before they are packetized; a receiver's frames are decrypted before they
// reach the decoder, and a frame that does not decrypt never reaches it.
//
// One FrameCrypto holds the member's keys for all its streams: its senders share one
// frame counter per epoch, so two peer connections sending the same camera never
// reuse a nonce. A second FrameCrypto, "stranger", holds random keys for every epoch
// number: it stands where a party without the group's keys stands.

import { FrameCrypto } from "../media/frame-crypto.ts";
import { EPOCH_MASK } from "../media/mls-keys.ts";
import { MEDIA_SUITE } from "../media/sframe.ts";
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
const stranger = new FrameCrypto(Date.now, EPOCH_MASK);
for (let epoch = 0; epoch <= EPOCH_MASK; epoch++) {
  void stranger.addEpoch({ epoch, leafIndex: 0, baseKey: crypto.getRandomValues(new Uint8Array(MEDIA_SUITE.nk)) });
}
const keysOf = (k: KeySet) => (k === "stranger" ? stranger : member);
const streams: StreamStats[] = [];

scope.onmessage = (ev) => {
  const m = ev.data;
  if (m.t === "epoch") void member.addEpoch(m.media);
  else if (m.t === "forget") member = new FrameCrypto();
};

scope.onrtctransform = ({ transformer }) => {
  const o = transformer.options;
  const stats: StreamStats = { stream: o.stream, side: o.side, keys: o.keys, frames: 0, passed: 0, byEpoch: {}, dropped: {} };
  streams.push(stats);
  const drop = (reason: keyof StreamStats["dropped"]) => (stats.dropped[reason] = (stats.dropped[reason] ?? 0) + 1);
  const passed = (epoch: number) => {
    stats.passed++;
    stats.byEpoch[epoch] = (stats.byEpoch[epoch] ?? 0) + 1;
  };
  // Frames are handled one at a time, in order: a receiver's frame held for an epoch
  // not reached yet (at most 2 s) holds the ones behind it, as a decoder wants.
  const transform = new TransformStream<RTCEncodedVideoFrame | RTCEncodedAudioFrame, RTCEncodedVideoFrame | RTCEncodedAudioFrame>({
    async transform(frame, out) {
      stats.frames++;
      const keys = keysOf(o.keys);
      const data = new Uint8Array(frame.data);
      if (o.side === "send") {
        const epoch = keys.keptEpochs().at(-1);
        if (epoch === undefined) return void drop("no-key"); // not in the group: nothing leaves in the clear
        frame.data = (await keys.encrypt(data, o.codec)).buffer as ArrayBuffer;
        passed(epoch);
      } else {
        const r = await keys.decrypt(data, o.codec); // never throws: a bad frame is dropped and counted
        if (!r.ok) return void drop(r.reason);
        frame.data = r.frame.buffer as ArrayBuffer;
        passed(r.epoch);
      }
      out.enqueue(frame);
    },
  });
  transformer.readable.pipeThrough(transform).pipeTo(transformer.writable).catch(() => {
    // The peer connection closed: its streams end.
  });
};

setInterval(() => scope.postMessage({ t: "stats", streams, keptEpochs: member.keptEpochs() }), 250);
