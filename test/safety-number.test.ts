import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { safetyNumber } from "../impl/safety-number.ts";

/** Independent re-derivation (node:crypto + BigInt), not the code under test. */
function reference(auth: Uint8Array): string {
  const d = createHash("sha256").update(Buffer.from("DCA safety number v1", "ascii")).update(auth).digest();
  const groups: string[] = [];
  for (let i = 0; i < 6; i++) {
    const chunk = BigInt("0x" + d.subarray(i * 5, i * 5 + 5).toString("hex"));
    groups.push((chunk % 100000n).toString().padStart(5, "0"));
  }
  return groups.join(" ");
}

const counting = Uint8Array.from({ length: 32 }, (_, i) => i);

// @spec R14
describe("safetyNumber", () => {
  it("matches fixed test vectors (computed with Python's hashlib) and the independent re-derivation", () => {
    // sha256("DCA safety number v1" || 00 01 .. 1f) = fb0fd26f3f 732886072d e3358bc45a 0690462640 f46c889b67 0858c30226 b1c4
    expect(safetyNumber(counting)).toBe("40575 11341 28410 20192 12231 13446");
    expect(safetyNumber(new Uint8Array(32))).toBe("51692 24419 98730 58069 19612 14542");
    // exercises zero padding of a group ("00785")
    expect(safetyNumber(new Uint8Array(32).fill(0xff))).toBe("58228 46481 81505 10756 00785 29171");
    for (const auth of [counting, new Uint8Array(32), new Uint8Array(32).fill(0xff)]) {
      expect(safetyNumber(auth)).toBe(reference(auth));
    }
  });

  it("has the format: 6 groups of 5 digits separated by single spaces", () => {
    for (let k = 0; k < 50; k++) {
      const auth = new Uint8Array(32);
      crypto.getRandomValues(auth);
      const sn = safetyNumber(auth);
      expect(sn).toMatch(/^\d{5}( \d{5}){5}$/);
      expect(sn).toBe(reference(auth));
    }
  });

  it("gives different numbers for different authenticators (one flipped bit)", () => {
    const seen = new Set<string>([safetyNumber(counting)]);
    for (let bit = 0; bit < 256; bit++) {
      const auth = counting.slice();
      auth[bit >> 3]! ^= 1 << (bit & 7);
      seen.add(safetyNumber(auth));
    }
    expect(seen.size).toBe(257);
  });

  it("does not modify its input", () => {
    const auth = counting.slice();
    safetyNumber(auth);
    expect(auth).toEqual(counting);
  });

  it("rejects authenticators that are not 32 bytes", () => {
    for (const n of [0, 1, 31, 33, 64]) {
      expect(() => safetyNumber(new Uint8Array(n))).toThrow(RangeError);
      expect(() => safetyNumber(new Uint8Array(n))).toThrow(/must be 32 bytes, got \d+/);
    }
    expect(() => safetyNumber("x".repeat(32) as unknown as Uint8Array)).toThrow(TypeError);
  });
});
