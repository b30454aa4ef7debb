/**
 * The DCA safety number (spec/dca.md, section 5 and rule R14).
 *
 * Derivation, exactly:
 *
 *   1. d = SHA-256( "DCA safety number v1" ‖ epoch_authenticator )
 *      — the 20 ASCII bytes of the domain separator (no terminator, no length
 *      prefix) followed by the 32-byte MLS epoch authenticator of the member's
 *      current epoch (`state.keySchedule.epochAuthenticator` in ts-mls,
 *      `epochAuthenticator(group)` in impl/mls.ts).
 *   2. Take the first 30 bytes of d as six 5-byte chunks; read each chunk as a
 *      big-endian unsigned integer, reduce it modulo 100000 and print it as five
 *      decimal digits, zero-padded.
 *   3. Join the six groups with single spaces: 30 digits in 6 groups of 5,
 *      e.g. "04921 88310 00017 52093 61178 30402" (35 characters).
 *
 * The epoch authenticator is a secret of the epoch known to its members only, so
 * members of the same MLS epoch show the same number and members in different
 * MLS states (e.g. after a key-package substitution by the delivery service)
 * show different numbers, except with probability about 10^-30. The hash and the
 * domain separator keep the digits from revealing the authenticator itself.
 */
import { sha256 } from "@noble/hashes/sha2.js";

/** ASCII domain separator hashed in front of the epoch authenticator. */
export const SAFETY_NUMBER_DOMAIN = "DCA safety number v1";

/** Length in bytes of an MLS epoch authenticator for the DCA's ciphersuite (SHA-256). */
export const EPOCH_AUTHENTICATOR_LENGTH = 32;

const GROUPS = 6;
const CHUNK_BYTES = 5;
const MODULUS = 100_000;

// @spec R14 — the safety number of spec/dca.md section 5.
/**
 * The safety number of an epoch: "ddddd ddddd ddddd ddddd ddddd ddddd".
 * Throws a RangeError unless `epochAuthenticator` is exactly 32 bytes.
 */
export function safetyNumber(epochAuthenticator: Uint8Array): string {
  if (!(epochAuthenticator instanceof Uint8Array)) {
    throw new TypeError("safetyNumber: the epoch authenticator must be a Uint8Array");
  }
  if (epochAuthenticator.length !== EPOCH_AUTHENTICATOR_LENGTH) {
    throw new RangeError(
      `safetyNumber: the epoch authenticator must be ${EPOCH_AUTHENTICATOR_LENGTH} bytes, got ${epochAuthenticator.length}`,
    );
  }
  const domain = new TextEncoder().encode(SAFETY_NUMBER_DOMAIN);
  const input = new Uint8Array(domain.length + epochAuthenticator.length);
  input.set(domain, 0);
  input.set(epochAuthenticator, domain.length);
  const digest = sha256(input);

  const groups: string[] = [];
  for (let g = 0; g < GROUPS; g++) {
    // 5 bytes = 40 bits: exact in a double (< 2^53), so plain arithmetic is safe.
    let value = 0;
    for (let i = 0; i < CHUNK_BYTES; i++) {
      value = value * 256 + (digest[g * CHUNK_BYTES + i] as number);
    }
    groups.push(String(value % MODULUS).padStart(5, "0"));
  }
  return groups.join(" ");
}
