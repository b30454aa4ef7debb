// Errors: MlsInputError (bad input bytes, a closed set of reasons) and MlsUsageError
// (misuse of the API), and the mapping of ts-mls's exceptions onto them.
// One part of the MLS facade; impl/mls.ts re-exports its public names (see its header).


/**
 * Why an input was refused (closed set):
 * - "garbled": not an MLS message / not a saved group (empty, random, bad header, undecodable body).
 * - "truncated": the bytes stop inside the structure (a prefix of a message).
 * - "trailing-bytes": a complete message followed by extra bytes.
 * - "wrong-kind": a well-formed message of another kind (a Welcome where a Commit was expected, ...).
 * - "wrong-group": a message for another group (group id differs).
 * - "wrong-epoch": a message for an epoch other than the group's (older or future).
 * - "replay": an application message whose key was already used (decrypted before).
 * - "not-for-me": a Welcome that holds no secrets for this member's KeyPackage.
 * - "key-package-used": the member's KeyPackage secret was already consumed (second join).
 * - "sender-not-allowed": a Commit from someone other than `allowedSender` (or from a non-member).
 * - "unknown-member": `commitRemove` of a UID that is not in the group.
 * - "already-member": `commitAdd` of a KeyPackage whose UID is already in the group.
 * - "crypto": decryption, signature or confirmation-tag check failed (tampered, forged, undecryptable).
 * - "unexpected-change": a Commit that does not make the change the caller expects (`processCommit`'s `expect`).
 * - "invalid": well-formed and (where checkable) authentic, but MLS or the DCA rules refuse it
 *   (bad credential, duplicate UID, unsupported proposal, other ciphersuite, ...).
 */
export const MLS_INPUT_ERROR_REASONS = [
  "garbled",
  "truncated",
  "trailing-bytes",
  "wrong-kind",
  "wrong-group",
  "wrong-epoch",
  "replay",
  "not-for-me",
  "key-package-used",
  "sender-not-allowed",
  "unknown-member",
  "already-member",
  "crypto",
  "unexpected-change",
  "invalid",
] as const;
export type MlsInputErrorReason = (typeof MLS_INPUT_ERROR_REASONS)[number];

/** Bad input (bytes or a UID from the log). The group passed in is unchanged and still usable. */
export class MlsInputError extends Error {
  override readonly name = "MlsInputError";
  readonly reason: MlsInputErrorReason;
  constructor(reason: MlsInputErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/** Misuse of this API by the caller (retired or busy handle, sending after removal, bad arguments). */
export class MlsUsageError extends Error {
  override readonly name = "MlsUsageError";
}

export function inputError(reason: MlsInputErrorReason, message: string, cause?: unknown): MlsInputError {
  return new MlsInputError(reason, message, cause === undefined ? undefined : { cause });
}

export const DESCRIPTION: Record<MlsInputErrorReason, string> = {
  garbled: "not a well-formed MLS message",
  truncated: "truncated",
  "trailing-bytes": "extra bytes after the message",
  "wrong-kind": "wrong kind of message",
  "wrong-group": "for another group",
  "wrong-epoch": "for another epoch",
  replay: "already processed (key already used)",
  "not-for-me": "not addressed to this member",
  "key-package-used": "key package already used",
  "sender-not-allowed": "sender not allowed",
  "unknown-member": "not a member",
  "already-member": "already a member",
  crypto: "failed decryption or authentication",
  "unexpected-change": "not the change expected",
  invalid: "refused by MLS validation",
};

/** Maps an exception thrown by ts-mls while handling input to an MlsInputError. */
export function fromMls(e: unknown, what: string): MlsInputError {
  if (e instanceof MlsInputError) return e;
  const name = e instanceof Error ? e.name : typeof e;
  const text = e instanceof Error ? e.message : String(e);
  let reason: MlsInputErrorReason;
  if (name === "CryptoError" || name === "CryptoVerificationError") reason = "crypto";
  else if (/No matching secret found/.test(text)) reason = "not-for-me";
  else if (/gen(eration)? in the past/i.test(text)) reason = "replay";
  else if (/epoch too old|former epoch|validate epoch/i.test(text)) reason = "wrong-epoch";
  else reason = "invalid"; // ValidationError, CodecError after decryption, UsageError, anything unexpected
  return inputError(reason, `${what}: ${DESCRIPTION[reason]} (ts-mls ${name}: ${text})`, e);
}
