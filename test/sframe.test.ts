// The SFrame layer (impl/media/sframe.ts) against RFC 9605's own test vectors:
// header encodings (Appendix C.1) and the whole encryption, key derivation included,
// for both AES-GCM suites (Appendix C.3). The vectors are facts copied from the RFC
// into test/fixtures/media/rfc9605-vectors.json.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeHeader, decryptFrame, deriveFrameKey, encodeHeader, encryptFrame, label, nonceFor, SFrameError, SUITES, type Suite } from "../impl/media/sframe.ts";

const vectors = JSON.parse(readFileSync("test/fixtures/media/rfc9605-vectors.json", "utf8")) as {
  header: { kid: string; ctr: string; encoded: string }[];
  sframe: Record<string, string | number>[];
};
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const bytes = (h: string) => new Uint8Array(Buffer.from(h, "hex"));
const suiteOf = (id: number): Suite => Object.values(SUITES).find((s) => s.id === id)!;

describe("SFrame header (RFC 9605 Appendix C.1)", () => {
  for (const v of vectors.header) {
    it(`KID ${v.kid}, CTR ${v.ctr}`, () => {
      expect(hex(encodeHeader(BigInt(v.kid), BigInt(v.ctr)))).toBe(v.encoded);
      expect(decodeHeader(bytes(v.encoded))).toEqual({ kid: BigInt(v.kid), ctr: BigInt(v.ctr), length: v.encoded.length / 2 });
    });
  }
  it("puts KID and CTR below 8 in the config byte, and round-trips every length", () => {
    expect(hex(encodeHeader(5n, 3n))).toBe("53");
    for (const kid of [0n, 7n, 8n, 255n, 256n, (1n << 64n) - 1n]) {
      for (const ctr of [0n, 7n, 8n, 65535n, 1n << 40n]) expect(decodeHeader(encodeHeader(kid, ctr))).toMatchObject({ kid, ctr });
    }
  });
  it("refuses a header cut short, naming what is missing", () => {
    expect(() => decodeHeader(new Uint8Array(0))).toThrow(SFrameError);
    expect(() => decodeHeader(bytes("e90100"))).toThrow(/KID needs 7 bytes/);
    expect(() => decodeHeader(bytes("b9ffffffff01"))).toThrow(/CTR needs 2 bytes/);
  });
});

describe("SFrame encryption (RFC 9605 Appendix C.3)", () => {
  for (const v of vectors.sframe) {
    const suite = suiteOf(v.cipher_suite as number);
    const kid = BigInt(v.kid as string);
    const ctr = BigInt(v.ctr as string);
    it(`suite 0x000${suite.id}: labels, key, salt, nonce and ciphertext`, async () => {
      expect(hex(label("key", kid, suite))).toBe(v.sframe_key_label);
      expect(hex(label("salt", kid, suite))).toBe(v.sframe_salt_label);
      const k = await deriveFrameKey(suite, kid, bytes(v.base_key as string));
      expect(hex(k.salt)).toBe(v.sframe_salt);
      expect(hex(nonceFor(k.salt, ctr))).toBe(v.nonce);
      const ct = await encryptFrame(k, ctr, bytes(v.metadata as string), bytes(v.pt as string));
      expect(hex(ct)).toBe(v.ct); // the ciphertext pins the derived key too
      const pt = await decryptFrame(k, decodeHeader(ct), ct, bytes(v.metadata as string));
      expect(hex(pt)).toBe(v.pt);
    });
  }

  it("refuses a tampered frame, the wrong metadata and the wrong key", async () => {
    const v = vectors.sframe[0]!;
    const k = await deriveFrameKey(SUITES.AES_128_GCM_SHA256_128, BigInt(v.kid as string), bytes(v.base_key as string));
    const ct = bytes(v.ct as string);
    const meta = bytes(v.metadata as string);
    const flipped = ct.slice();
    flipped[flipped.length - 1]! ^= 1;
    await expect(decryptFrame(k, decodeHeader(flipped), flipped, meta)).rejects.toThrow(/auth/);
    await expect(decryptFrame(k, decodeHeader(ct), ct, new Uint8Array(0))).rejects.toThrow(/auth/);
    const other = await deriveFrameKey(SUITES.AES_128_GCM_SHA256_128, BigInt(v.kid as string), new Uint8Array(16));
    await expect(decryptFrame(other, decodeHeader(ct), ct, meta)).rejects.toThrow(/auth/);
    await expect(decryptFrame(k, decodeHeader(ct), ct.subarray(0, 10), meta)).rejects.toThrow(/truncated/);
  });
});
