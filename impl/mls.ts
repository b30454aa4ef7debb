/**
 * A small, typed facade over ts-mls (RFC 9420) for the Designated Committer
 * Algorithm (spec/dca.md): one MLS group per room, one member (the DC) makes
 * every Commit, the others process them.
 *
 * Identity. A member is identified by the integer UID the delivery service
 * assigned it, carried as the MLS basic credential's identity: the UID in
 * canonical decimal ASCII ("0", "17"; no sign, no leading zeros). Every leaf of
 * every group handled here must carry such a credential, and no UID may appear
 * twice; anything else is refused as "invalid" input.
 *
 * Ciphersuite: MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519. Commits are sent as
 * PrivateMessages; a Welcome always carries the ratchet tree.
 *
 * Values.
 * - `MlsContext`: the ciphersuite implementation and client configuration,
 *   created once by `initMls()` and shared.
 * - `Member` (from `newMember`): the UID, the public KeyPackage bytes (they
 *   travel in the log's `joined` entry) and an opaque `MemberSecret`. The secret
 *   is single-use: the first successful `createGroup` or `joinFromWelcome`
 *   consumes it (its private init key is zeroed), later uses fail with
 *   "key-package-used". A Welcome must therefore be joined only once it counts
 *   (spec R8: hold tentative Welcomes as bytes, join the confirmed one).
 * - `MlsGroup`: an opaque handle on one member's view of the group at one
 *   epoch. Handles are immutable; every operation returns a new handle.
 *
 * Lifetime of group handles (this is where ts-mls needs care).
 * ts-mls is copy-on-write, but it hands the caller "consumed" secrets to zero
 * for forward secrecy, and the old and new state objects share those buffers.
 * This facade zeroes them, so every operation that derives a new state
 * (`commitAdd`, `commitRemove`, `processCommit`, `encrypt`, `decrypt`) RETIRES
 * its input handle on success: any later state-changing use, or `encodeGroup`,
 * throws `MlsUsageError` (read-only views keep working). While such an
 * operation runs, its input handle is busy and may not be used by another
 * call. A failed operation leaves its input live. The DCA's committer applies
 * its own Commit when it sends it (spec R9/R10), so it continues from the
 * returned handle; a caller that wants a fallback copy takes it explicitly with
 * `decodeGroup(ctx, encodeGroup(group))` before committing (an independent
 * state: no shared buffers). (Reusing such a copy to commit again in the same
 * epoch reuses the committer's handshake key; MLS's reuse guard randomises the
 * nonce, but prefer not to.)
 *
 * Bad input never changes a group. Every failure caused by input bytes (or by a
 * UID taken from the log) is an `MlsInputError` with a `reason` from the closed
 * set `MlsInputErrorReason`; raw ts-mls exceptions never escape (the original is
 * kept as `cause`). Misuse of the API (a retired handle, encrypting after being
 * removed, ...) is an `MlsUsageError`. A rejected message leaves the input
 * handle live and its state untouched: ts-mls never writes into the input
 * state, and the facade zeroes consumed secrets only after a success (and after
 * its own checks, e.g. the allowed sender). test/mls.test.ts checks this byte
 * for byte (encoded state before == after) for every bad-input case, then
 * processes the valid Commit and exchanges messages with the same handle.
 * Measured on ts-mls 1.6.4: its error paths (garbled, tampered, wrong epoch,
 * wrong Welcome, ...) leave the input state byte-identical, but when the policy
 * callback rejects a Commit, processMessage still returns "consumed" secrets,
 * and they are the input state's own (the sender's handshake-ratchet secret of
 * the current epoch): zeroing them, as one does after every call, would kill
 * that ratchet in the state the caller keeps. Hence: zero only after success.
 * Input bytes are copied before decoding, so states never alias caller buffers.
 *
 * Layout. The facade is split by concern into impl/mls/: errors.ts, handles.ts
 * (the opaque values and handle lifetimes), credentials.ts (UIDs as credentials),
 * decoding.ts (input bytes), group.ts (the group operations), batch.ts (batched Commits), messages.ts
 * (application messages), views.ts (read-only views), persistence.ts (saved
 * groups), identity.ts (saved identities). This file is its one public entry: it re-exports the
 * public names; nothing outside impl/mls/ imports a part directly.
 */

export { MLS_INPUT_ERROR_REASONS, MlsInputError, MlsUsageError, type MlsInputErrorReason } from "./mls/errors.ts";
export type { Member, MemberSecret, MlsContext, MlsGroup } from "./mls/handles.ts";
export {
  checkKeyPackage,
  commitAdd,
  commitRemove,
  createGroup,
  initMls,
  inspectWelcome,
  inspectWelcomeToJoin,
  joinFromWelcome,
  newMember,
  processCommit,
  type WelcomeContents,
} from "./mls/group.ts";
export { commitAddMany, commitRemoveMany } from "./mls/batch.ts";
export { decrypt, encrypt } from "./mls/messages.ts";
export { epochAuthenticator, epochOf, membersOf, myUid } from "./mls/views.ts";
export { decodeGroup, encodeGroup } from "./mls/persistence.ts";
export { equalBytes } from "./mls/decoding.ts";
export { decodeMember, encodeMember } from "./mls/identity.ts";
