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

function minimalBytes(v: bigint): Uint8Array {
  let n = 1;
  while (n < 8 && v >> BigInt(8 * n) !== 0n) n++;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[n - 1 - i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** Encodes KID and CTR in the shortest form (values below 8 fit in the config byte). */
export function encodeHeader(kid: bigint, ctr: bigint): Uint8Array {
  if (kid < 0n || kid > MAX_U64 || ctr < 0n || ctr > MAX_U64) throw new RangeError("KID and CTR are 64-bit unsigned integers");
  const k = kid < 8n ? undefined : minimalBytes(kid);
  const c = ctr < 8n ? undefined : minimalBytes(ctr);
  const config = (k ? 0x80 | ((k.length - 1) << 4) : Number(kid) << 4) | (c ? 0x08 | (c.length - 1) : Number(ctr));
  const out = new Uint8Array(1 + (k?.length ?? 0) + (c?.length ?? 0));
  out[0] = config;
  if (k) out.set(k, 1);
  if (c) out.set(c, 1 + (k?.length ?? 0));
  return out;
}

export interface Header {
  kid: bigint;
  ctr: bigint;
  /** The header's length in bytes: the ciphertext starts there. */
  length: number;
}

const readUint = (b: Uint8Array, at: number, n: number) => {
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
  for (let i = 0; i < 8; i++) nonce[nonce.length - 1 - i]! ^= Number((ctr >> BigInt(8 * i)) & 0xffn);
  return nonce;
}

// --- encryption (section 4.4.3) --------------------------------------------------

/** header ‖ AEAD.Encrypt(key, nonce, header ‖ metadata, plaintext). */
export async function encryptFrame(k: FrameKey, ctr: bigint, metadata: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
  const header = encodeHeader(k.kid, ctr);
  const ct = await subtle().encrypt(
    { name: "AES-GCM", iv: nonceFor(k.salt, ctr) as BufferSource, additionalData: concat(header, metadata) as BufferSource, tagLength: k.suite.nt * 8 },
    k.key,
    plaintext as BufferSource,
  );
  return concat(header, new Uint8Array(ct));
}

/**
 * Decrypts a frame whose header was read with decodeHeader and whose KID's key is
 * `k`. Throws SFrameError: "truncated" (shorter than a tag) or "auth" (the tag does
 * not verify: tampered, or another key).
 */
export async function decryptFrame(k: FrameKey, header: Header, frame: Uint8Array, metadata: Uint8Array): Promise<Uint8Array> {
  if (header.kid !== k.kid) throw new RangeError(`key of KID ${k.kid} given for a frame of KID ${header.kid}`);
  const body = frame.subarray(header.length);
  if (body.length < k.suite.nt) throw new SFrameError("truncated", `${body.length} bytes after the header, shorter than the ${k.suite.nt}-byte tag`);
  try {
    const pt = await subtle().decrypt(
      { name: "AES-GCM", iv: nonceFor(k.salt, header.ctr) as BufferSource, additionalData: concat(frame.subarray(0, header.length), metadata) as BufferSource, tagLength: k.suite.nt * 8 },
      k.key,
      body as BufferSource,
    );
    return new Uint8Array(pt);
  } catch {
    throw new SFrameError("auth", `the tag does not verify (KID ${header.kid}, CTR ${header.ctr})`);
  }
}
