// Decoding input bytes: copying, length and trailing-byte checks, the message-kind
// check, and the KeyPackageRef hash.
// One part of the MLS facade; impl/mls.ts re-exports its public names (see its header).

import {
  type CiphersuiteImpl,
  type MLSMessage,
  decodeMlsMessage,
} from "ts-mls";
import { MlsInputError, inputError } from "./errors.ts";

/** Failures of ts-mls's length-prefix reader: the input ended inside a field. */
export const RAN_OUT = /Offset beyond buffer|Incomplete \d-byte length|Data length exceeds buffer/;

export const WIREFORMAT_NAME: Record<MLSMessage["wireformat"], string> = {
  mls_public_message: "a PublicMessage",
  mls_private_message: "a PrivateMessage",
  mls_welcome: "a Welcome",
  mls_group_info: "a GroupInfo",
  mls_key_package: "a KeyPackage",
};

export function copyInput(bytes: Uint8Array, what: string): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw inputError("garbled", `${what}: expected a Uint8Array, got ${typeof bytes}`);
  if (bytes.length === 0) throw inputError("garbled", `${what}: empty input`);
  return bytes.slice();
}

/**
 * Decodes an MLSMessage: version mls10 (00 01), wire format 1..5 (00 01..00 05), body.
 * "truncated" means the input ends inside a length-prefixed field or the header,
 * which is what a cut message almost always looks like; other undecodable
 * bodies are "garbled".
 */
export function decodeMessage(bytes: Uint8Array, what: string): MLSMessage {
  const input = copyInput(bytes, what);
  const header = [0x00, 0x01, 0x00];
  for (let i = 0; i < Math.min(4, input.length); i++) {
    const ok = i < 3 ? input[i] === header[i] : (input[i] as number) >= 1 && (input[i] as number) <= 5;
    if (!ok) throw inputError("garbled", `${what}: not an MLS message (bad header byte ${i})`);
  }
  if (input.length < 4) throw inputError("truncated", `${what}: truncated inside the MLS header (${input.length} bytes)`);
  let decoded: [MLSMessage, number] | undefined;
  try {
    decoded = decodeMlsMessage(input, 0);
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    if (RAN_OUT.test(text)) throw inputError("truncated", `${what}: truncated (${input.length} bytes; ${text})`, e);
    throw inputError("garbled", `${what}: undecodable MLS message (${text})`, e);
  }
  if (decoded === undefined) throw inputError("garbled", `${what}: undecodable MLS message body`);
  const [message, used] = decoded;
  if (used !== input.length) {
    throw inputError("trailing-bytes", `${what}: ${input.length - used} extra bytes after a ${used}-byte message`);
  }
  return message;
}

/** Decodes an MLSMessage that must be of one wire format (else "wrong-kind"). */
export function decodeAs<W extends MLSMessage["wireformat"]>(bytes: Uint8Array, what: string, wireformat: W): Extract<MLSMessage, { wireformat: W }> {
  const message = decodeMessage(bytes, what);
  if (message.wireformat !== wireformat) throw wrongKind(what, WIREFORMAT_NAME[message.wireformat]);
  return message as Extract<MLSMessage, { wireformat: W }>;
}

export function wrongKind(what: string, got: string): MlsInputError {
  return inputError("wrong-kind", `${what}: expected ${what}, got ${got}`);
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** TLS variable-length vector prefix (RFC 9420, section 2.1.2). */
export function varint(n: number): number[] {
  if (n < 0x40) return [n];
  if (n < 0x4000) return [0x40 | (n >> 8), n & 0xff];
  return [0x80 | (n >>> 24), (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** KeyPackageRef = RefHash("MLS 1.0 KeyPackage Reference", KeyPackage) (RFC 9420, section 5.2). */
export async function keyPackageRef(impl: CiphersuiteImpl, encodedKeyPackage: Uint8Array): Promise<Uint8Array> {
  const label = new TextEncoder().encode("MLS 1.0 KeyPackage Reference");
  const input = Uint8Array.from([
    ...varint(label.length),
    ...label,
    ...varint(encodedKeyPackage.length),
    ...encodedKeyPackage,
  ]);
  return impl.hash.digest(input);
}
