// Puts the media worker's SFrame transform on an RTCRtpSender or RTCRtpReceiver
// (WebRTC Encoded Transform: RTCRtpScriptTransform, which Chromium ships; checked
// in Chromium 156). No fallback to the older createEncodedStreams: a browser
// without RTCRtpScriptTransform gets an error and sends nothing, never clear frames.
// Video is VP8 and audio Opus: the codecs whose clear bytes impl/media/codec.ts knows
// (VP8 keeps its header clear; Opus is encrypted whole).

import type { Codec } from "../media/codec.ts";
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

export function encryptSender(sender: RTCRtpSender, worker: Worker, stream: string, codec: Codec = "vp8"): void {
  if (plaintextSender()) return;
  const options: TransformOptions = { side: "send", keys: "member", codec, stream };
  sender.transform = new RTCRtpScriptTransform(worker, options);
}

export function decryptReceiver(receiver: RTCRtpReceiver, worker: Worker, stream: string, keys: KeySet = "member", codec: Codec = "vp8"): void {
  const options: TransformOptions = { side: "receive", keys, codec, stream };
  receiver.transform = new RTCRtpScriptTransform(worker, options);
}

/** One codec alone on a transceiver: the frame layer's clear-byte rule is that codec's. */
function preferOnly(transceiver: RTCRtpTransceiver, kind: "video" | "audio", mimeType: string): void {
  const codecs = (RTCRtpReceiver.getCapabilities(kind)?.codecs ?? []).filter((c) => c.mimeType.toLowerCase() === mimeType);
  if (codecs.length === 0) throw new Error(`this browser offers no ${mimeType} codec`);
  transceiver.setCodecPreferences(codecs);
}

/** VP8 first and alone: the frame layer's clear-byte rule for video is VP8's. */
export const preferVp8 = (transceiver: RTCRtpTransceiver): void => preferOnly(transceiver, "video", "video/vp8");

/** Opus alone (no RED, no comfort noise): every audio frame is an Opus frame, encrypted whole. */
export const preferOpus = (transceiver: RTCRtpTransceiver): void => preferOnly(transceiver, "audio", "audio/opus");
