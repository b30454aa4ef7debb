// Puts the media worker's SFrame transform on an RTCRtpSender or RTCRtpReceiver
// (WebRTC Encoded Transform: RTCRtpScriptTransform, which Chromium ships; checked
// in Chromium 156). No fallback to the older createEncodedStreams: a browser
// without RTCRtpScriptTransform gets an error and sends nothing, never clear frames.
// VP8 only (the codec whose clear bytes impl/media/codec.ts knows).

import type { KeySet, TransformOptions } from "./worker-protocol.ts";

/** Replaced at build time (scripts/lib/call-build.ts): true only in the known-bad build a test runs to prove its teeth. */
declare const KNOWN_BAD_PLAINTEXT_SENDER: boolean;

/** The known-bad build sends its frames without the transform (in the clear); its page says so. */
export const plaintextSender = (): boolean => KNOWN_BAD_PLAINTEXT_SENDER;

export function checkEncodedTransform(): void {
  if (typeof RTCRtpScriptTransform !== "function") {
    throw new Error("this browser has no RTCRtpScriptTransform (WebRTC Encoded Transform): it cannot encrypt frames end to end, so the page sends nothing");
  }
}

export function encryptSender(sender: RTCRtpSender, worker: Worker, stream: string): void {
  if (plaintextSender()) return;
  const options: TransformOptions = { side: "send", keys: "member", codec: "vp8", stream };
  sender.transform = new RTCRtpScriptTransform(worker, options);
}

export function decryptReceiver(receiver: RTCRtpReceiver, worker: Worker, stream: string, keys: KeySet = "member"): void {
  const options: TransformOptions = { side: "receive", keys, codec: "vp8", stream };
  receiver.transform = new RTCRtpScriptTransform(worker, options);
}

/** VP8 first and alone: the frame layer's clear-byte rule is VP8's. */
export function preferVp8(transceiver: RTCRtpTransceiver): void {
  const vp8 = (RTCRtpReceiver.getCapabilities("video")?.codecs ?? []).filter((c) => c.mimeType.toLowerCase() === "video/vp8");
  if (vp8.length === 0) throw new Error("this browser offers no VP8 codec");
  transceiver.setCodecPreferences(vp8);
}
