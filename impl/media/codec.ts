// How many leading bytes of an encoded frame stay in the clear, so that an SFU can
// still route and a decoder can still start: they travel before the SFrame
// ciphertext and are its metadata, so they are authenticated though not encrypted.
//
// VP8 (RFC 7741 section 4.3): the inverse-keyframe flag P is the LOWEST bit of the
// first byte: 0 on a keyframe. A keyframe keeps its 10-byte header clear (frame tag,
// start code, dimensions); any other frame keeps 1 byte. Orange Meets reads the top
// bit instead (spec/media.md), which marks many delta frames as keyframes.
// Opus: everything is encrypted.

export type Codec = "vp8" | "opus";

export const isVp8Keyframe = (frame: Uint8Array): boolean => frame.length > 0 && (frame[0]! & 0x01) === 0;

export function clearBytes(codec: Codec, frame: Uint8Array): number {
  if (codec === "opus") return 0;
  return Math.min(frame.length, isVp8Keyframe(frame) ? 10 : 1);
}
