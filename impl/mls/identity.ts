// A member's identity (its KeyPackage and the private keys behind it) as bytes and
// back, so a client that crashes before its Welcome counts can still join after a
// restart (spec R8: the joiner joins from the Welcome its Add confirms, which may
// come long after the crash). One part of the MLS facade; impl/mls.ts re-exports it.
//
// Format: "DCAM" ‖ format 01 ‖ used (00/01) ‖ then, length-prefixed (uint32 BE):
// the KeyPackage MLSMessage, the init, HPKE and signature private keys (empty once
// used). Holds secrets: store it like a private key.

import { inputError, MlsUsageError } from "./errors.ts";
import { handle, secrets, type Member, type MemberSecret } from "./handles.ts";
import { decodeKeyPackage } from "./group.ts";
import { copyInput } from "./decoding.ts";

const MAGIC = [0x44, 0x43, 0x41, 0x4d]; // "DCAM"
const FORMAT_VERSION = 1;

/** The member's KeyPackage and private keys (see the header for the format). */
export function encodeMember(member: Member): Uint8Array {
  const r = secrets.get(member?.secret);
  if (r === undefined) throw new MlsUsageError("encodeMember: not a Member from newMember()");
  const p = r.privatePackage;
  const used = r.usedBy !== undefined || p === undefined;
  const fields = [member.keyPackage, ...(used ? [new Uint8Array(), new Uint8Array(), new Uint8Array()] : [p.initPrivateKey, p.hpkePrivateKey, p.signaturePrivateKey])];
  const out = new Uint8Array(MAGIC.length + 2 + fields.reduce((n, f) => n + 4 + f.length, 0));
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[MAGIC.length] = FORMAT_VERSION;
  out[MAGIC.length + 1] = used ? 1 : 0;
  let at = MAGIC.length + 2;
  for (const f of fields) {
    view.setUint32(at, f.length);
    out.set(f, at + 4);
    at += 4 + f.length;
  }
  return out;
}

/** A Member from `encodeMember` bytes; bad bytes are an MlsInputError naming why. */
export function decodeMember(bytes: Uint8Array): Member {
  const what = "saved member";
  const input = copyInput(bytes, what);
  for (let i = 0; i < MAGIC.length; i++) {
    if (input[i] !== MAGIC[i]) throw inputError("garbled", `${what}: not a saved member (bad magic)`);
  }
  if (input.length < MAGIC.length + 2) throw inputError("truncated", `${what}: truncated inside the header`);
  if (input[MAGIC.length] !== FORMAT_VERSION) throw inputError("invalid", `${what}: format version ${input[MAGIC.length]}, expected ${FORMAT_VERSION}`);
  const used = input[MAGIC.length + 1] === 1;
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const fields: Uint8Array[] = [];
  let at = MAGIC.length + 2;
  for (let i = 0; i < 4; i++) {
    if (at + 4 > input.length) throw inputError("truncated", `${what}: truncated in field ${i + 1}`);
    const n = view.getUint32(at);
    if (at + 4 + n > input.length) throw inputError("truncated", `${what}: truncated in field ${i + 1}`);
    fields.push(input.slice(at + 4, at + 4 + n));
    at += 4 + n;
  }
  if (at !== input.length) throw inputError("trailing-bytes", `${what}: ${input.length - at} extra bytes`);
  const [keyPackage, initPrivateKey, hpkePrivateKey, signaturePrivateKey] = fields as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const { keyPackage: publicPackage, uid } = decodeKeyPackage(keyPackage);
  const secret = handle<MemberSecret>("MemberSecret");
  secrets.set(secret, {
    uid,
    publicPackage,
    keyPackageEncoded: keyPackage.slice(4),
    privatePackage: used ? undefined : { initPrivateKey, hpkePrivateKey, signaturePrivateKey },
    usedBy: used ? "an earlier run (restored used)" : undefined,
  });
  return Object.freeze({ uid, keyPackage: keyPackage.slice(), secret });
}
