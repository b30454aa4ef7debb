// SFrame (RFC 9605): the header, the key schedule and the AEAD, for the AES-GCM
// suites. This project's own code: no maintained JavaScript implementation of the
// RFC exists on npm (the `sframe` package predates the RFC and lists its own
// deviations). AES-GCM and HKDF come from WebCrypto (`globalThis.crypto.subtle`), so
// the same code runs in Node 20 and in the browser. Checked against the RFC's
// Appendix C vectors (test/sframe.test.ts).

/** The cipher suites implemented here (RFC 9605 section 4.5): AES-GCM, 16-byte tag. */
export const SUITES = {
  AES_128_GCM_SHA256_128: { id: 0x0004, hash: "SHA-256", nk: 16, nn: 12, nt: 16, nh: 32 },
  AES_256_GCM_SHA512_128: { id: 0x0005, hash: "SHA-512", nk: 32, nn: 12, nt: 16, nh: 64 },
} as const;
export type SuiteName = keyof typeof SUITES;
export type Suite = (typeof SUITES)[SuiteName];

/** The DCA's media suite (issue 15; RFC 9605 section 4.5's mandatory-to-implement GCM suite). */
export const MEDIA_SUITE: Suite = SUITES.AES_128_GCM_SHA256_128;

const MAX_U64 = (1n << 64n) - 1n;

/** A frame that is not an SFrame ciphertext this code can read; `reason` is a short code. */
export class SFrameError extends Error {
  override name = "SFrameError";
  constructor(
    readonly reason: "truncated" | "auth",
    detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

// --- header (section 4.3): config byte X|KKK|Y|CCC, then KID, then CTR --------

/** How many bytes the shortest big-endian form of v takes (1 to 8). */
function byteLength(v: bigint): number {
  if (v <= 0xffffffffn) {
    const n = Number(v);
    return n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
  }
  let n = 5;
  while (n < 8 && v >> BigInt(8 * n) !== 0n) n++;
  return n;
}

/** Writes v big-endian into n bytes at `at`; numbers below 2^32 without BigInt work (every frame's CTR). */
function writeUint(out: Uint8Array, at: number, n: number, v: bigint): void {
  if (n <= 4) {
    let x = Number(v);
    for (let i = n - 1; i >= 0; i--, x >>>= 8) out[at + i] = x & 0xff;
    return;
  }
  for (let i = n - 1; i >= 0; i--, v >>= 8n) out[at + i] = Number(v & 0xffn);
}

function checkU64(kid: bigint, ctr: bigint): void {
  if (kid < 0n || kid > MAX_U64 || ctr < 0n || ctr > MAX_U64) throw new RangeError("KID and CTR are 64-bit unsigned integers");
}

/** The header's length for this KID and CTR (values below 8 fit in the config byte). */
function headerLength(kid: bigint, ctr: bigint): number {
  return 1 + (kid < 8n ? 0 : byteLength(kid)) + (ctr < 8n ? 0 : byteLength(ctr));
}

/** Writes the header at `at` in `out`, which has room for headerLength(kid, ctr) bytes. */
function writeHeader(out: Uint8Array, at: number, kid: bigint, ctr: bigint): void {
  const k = kid < 8n ? 0 : byteLength(kid);
  const c = ctr < 8n ? 0 : byteLength(ctr);
  out[at] = (k ? 0x80 | ((k - 1) << 4) : Number(kid) << 4) | (c ? 0x08 | (c - 1) : Number(ctr));
  if (k) writeUint(out, at + 1, k, kid);
  if (c) writeUint(out, at + 1 + k, c, ctr);
}

/** Encodes KID and CTR in the shortest form (values below 8 fit in the config byte). */
export function encodeHeader(kid: bigint, ctr: bigint): Uint8Array {
  checkU64(kid, ctr);
  const out = new Uint8Array(headerLength(kid, ctr));
  writeHeader(out, 0, kid, ctr);
  return out;
}

export interface Header {
  kid: bigint;
  ctr: bigint;
  /** The header's length in bytes: the ciphertext starts there. */
  length: number;
}

/** Reads n bytes big-endian; up to 6 bytes (48 bits) as a number, without BigInt work per byte. */
const readUint = (b: Uint8Array, at: number, n: number): bigint => {
  if (n <= 6) {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + b[at + i]!;
    return BigInt(v);
  }
  let v = 0n;
  for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(b[at + i]!);
  return v;
};

/** Decodes a header; throws SFrameError("truncated") when the bytes end inside it. */
export function decodeHeader(frame: Uint8Array): Header {
  if (frame.length < 1) throw new SFrameError("truncated", "an empty frame");
  const config = frame[0]!;
  let at = 1;
  let kid: bigint;
  if (config & 0x80) {
    const n = ((config >> 4) & 0x07) + 1;
    if (frame.length < at + n) throw new SFrameError("truncated", `the header's KID needs ${n} bytes, ${frame.length - at} left`);
    kid = readUint(frame, at, n);
    at += n;
  } else kid = BigInt((config >> 4) & 0x07);
  let ctr: bigint;
  if (config & 0x08) {
    const n = (config & 0x07) + 1;
    if (frame.length < at + n) throw new SFrameError("truncated", `the header's CTR needs ${n} bytes, ${frame.length - at} left`);
    ctr = readUint(frame, at, n);
    at += n;
  } else ctr = BigInt(config & 0x07);
  return { kid, ctr, length: at };
}

// --- key schedule (section 4.4.2) ----------------------------------------------

const subtle = () => globalThis.crypto.subtle;
const utf8 = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const u64 = (v: bigint) => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, v);
  return out;
};

/** The HKDF label of the key or the salt: the RFC's prefix, KID (8 bytes) and suite (2 bytes), big-endian. */
export function label(which: "key" | "salt", kid: bigint, suite: Suite): Uint8Array {
  return concat(utf8(which === "key" ? "SFrame 1.0 Secret key " : "SFrame 1.0 Secret salt "), u64(kid), new Uint8Array([suite.id >> 8, suite.id & 0xff]));
}

/** What encrypting and decrypting under one KID need. */
export interface FrameKey {
  suite: Suite;
  kid: bigint;
  key: CryptoKey;
  salt: Uint8Array;
}

/** derive_key_salt(KID, base_key): HKDF-Extract with an empty salt, then two HKDF-Expands. */
export async function deriveFrameKey(suite: Suite, kid: bigint, baseKey: Uint8Array): Promise<FrameKey> {
  const ikm = await subtle().importKey("raw", baseKey as BufferSource, "HKDF", false, ["deriveBits"]);
  const expand = (info: Uint8Array, bytes: number) =>
    subtle().deriveBits({ name: "HKDF", hash: suite.hash, salt: new Uint8Array(0), info: info as BufferSource }, ikm, bytes * 8);
  const [rawKey, salt] = await Promise.all([expand(label("key", kid, suite), suite.nk), expand(label("salt", kid, suite), suite.nn)]);
  const key = await subtle().importKey("raw", rawKey, "AES-GCM", false, ["encrypt", "decrypt"]);
  return { suite, kid, key, salt: new Uint8Array(salt) };
}

/** The AEAD nonce: the salt XOR the counter, big-endian, right-aligned. */
export function nonceFor(salt: Uint8Array, ctr: bigint): Uint8Array {
  const nonce = salt.slice();
  const n = nonce.length;
  if (ctr <= 0xffffffffn) {
    // Every frame's case: the counter is below 2^32, no BigInt work.
    const x = Number(ctr);
    nonce[n - 1]! ^= x & 0xff;
    nonce[n - 2]! ^= (x >>> 8) & 0xff;
    nonce[n - 3]! ^= (x >>> 16) & 0xff;
    nonce[n - 4]! ^= x >>> 24;
    return nonce;
  }
  for (let i = 0; i < 8; i++) nonce[n - 1 - i]! ^= Number((ctr >> BigInt(8 * i)) & 0xffn);
  return nonce;
}

// --- encryption (section 4.4.3) --------------------------------------------------

/**
 * `prefix` ‖ header ‖ AEAD.Encrypt(key, nonce, header ‖ metadata, plaintext), in one
 * buffer: `prefix` is what travels before the SFrame ciphertext (the frame layer's
 * clear bytes, which are also its metadata), or nothing.
 */
function seal(k: FrameKey, ctr: bigint, metadata: Uint8Array, plaintext: Uint8Array, prefix: Uint8Array | undefined): Promise<Uint8Array> {
  checkU64(k.kid, ctr);
  const hl = headerLength(k.kid, ctr);
  const aad = new Uint8Array(hl + metadata.length);
  writeHeader(aad, 0, k.kid, ctr);
  aad.set(metadata, hl);
  return subtle()
    .encrypt({ name: "AES-GCM", iv: nonceFor(k.salt, ctr) as BufferSource, additionalData: aad as BufferSource, tagLength: k.suite.nt * 8 }, k.key, plaintext as BufferSource)
    .then((ct) => {
      const p = prefix?.length ?? 0;
      const out = new Uint8Array(p + hl + ct.byteLength);
      if (prefix) out.set(prefix);
      out.set(aad.subarray(0, hl), p);
      out.set(new Uint8Array(ct), p + hl);
      return out;
    });
}

/** header ‖ AEAD.Encrypt(key, nonce, header ‖ metadata, plaintext). */
export function encryptFrame(k: FrameKey, ctr: bigint, metadata: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
  return seal(k, ctr, metadata, plaintext, undefined);
}

/** clear ‖ header ‖ AEAD.Encrypt(key, nonce, header ‖ clear, rest): a frame whose first bytes stay clear as its metadata. */
export function encryptWithClear(k: FrameKey, ctr: bigint, clear: Uint8Array, rest: Uint8Array): Promise<Uint8Array> {
  return seal(k, ctr, clear, rest, clear);
}

/**
 * Decrypts a frame whose header was read with decodeHeader and whose KID's key is
 * `k`. Rejects with SFrameError: "truncated" (shorter than a tag) or "auth" (the tag
 * does not verify: tampered, or another key).
 */
export function decryptFrame(k: FrameKey, header: Header, frame: Uint8Array, metadata: Uint8Array): Promise<Uint8Array> {
  return open(k, header, frame, metadata).then((pt) => new Uint8Array(pt));
}

/** As decryptFrame, the plaintext after the clear bytes `clear` in one buffer: clear ‖ plaintext. */
export function decryptWithClear(k: FrameKey, header: Header, sealed: Uint8Array, clear: Uint8Array): Promise<Uint8Array> {
  return open(k, header, sealed, clear).then((pt) => {
    if (clear.length === 0) return new Uint8Array(pt); // Opus: no copy
    const out = new Uint8Array(clear.length + pt.byteLength);
    out.set(clear);
    out.set(new Uint8Array(pt), clear.length);
    return out;
  });
}

function open(k: FrameKey, header: Header, frame: Uint8Array, metadata: Uint8Array): Promise<ArrayBuffer> {
  if (header.kid !== k.kid) return Promise.reject(new RangeError(`key of KID ${k.kid} given for a frame of KID ${header.kid}`));
  const body = frame.subarray(header.length);
  if (body.length < k.suite.nt) return Promise.reject(new SFrameError("truncated", `${body.length} bytes after the header, shorter than the ${k.suite.nt}-byte tag`));
  const aad = new Uint8Array(header.length + metadata.length);
  aad.set(frame.subarray(0, header.length));
  aad.set(metadata, header.length);
  return subtle()
    .decrypt({ name: "AES-GCM", iv: nonceFor(k.salt, header.ctr) as BufferSource, additionalData: aad as BufferSource, tagLength: k.suite.nt * 8 }, k.key, body as BufferSource)
    .catch(() => {
      throw new SFrameError("auth", `the tag does not verify (KID ${header.kid}, CTR ${header.ctr})`);
    });
}
