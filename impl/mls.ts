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
 */
import {
  type CiphersuiteImpl,
  type CiphersuiteName,
  type ClientConfig,
  type ClientState,
  type Credential,
  type IncomingMessageCallback,
  type KeyPackage,
  type MLSMessage,
  type PrivateKeyPackage,
  type Proposal,
  type RatchetTree,
  type SecretTree,
  type Welcome,
  createApplicationMessage,
  createCommit,
  createGroup as mlsCreateGroup,
  decodeGroupState,
  decodeMlsMessage,
  defaultAuthenticationService,
  defaultCapabilities,
  defaultKeyPackageEqualityConfig,
  defaultKeyRetentionConfig,
  defaultLifetime,
  defaultLifetimeConfig,
  defaultPaddingConfig,
  emptyPskIndex,
  encodeGroupState,
  encodeMlsMessage,
  generateKeyPackage,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  joinGroup,
  processMessage,
  processPrivateMessage,
  zeroOutUint8Array,
  // Exported by patches/ts-mls+1.6.4.patch (the package exports them only as
  // "ts-mls/welcome.js", which ts-node's ESM resolver cannot resolve).
  decryptGroupInfo,
  decryptGroupSecrets,
} from "ts-mls";

// ---------------------------------------------------------------------------
// Errors

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

function inputError(reason: MlsInputErrorReason, message: string, cause?: unknown): MlsInputError {
  return new MlsInputError(reason, message, cause === undefined ? undefined : { cause });
}

const DESCRIPTION: Record<MlsInputErrorReason, string> = {
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
function fromMls(e: unknown, what: string): MlsInputError {
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

// ---------------------------------------------------------------------------
// Opaque values

declare const opaque: unique symbol;

/** The shared MLS context (ciphersuite implementation and configuration). */
export interface MlsContext {
  readonly ciphersuite: CiphersuiteName;
  readonly [opaque]: "MlsContext";
}

/** The private half of a member's KeyPackage: single use (see module comment). */
export interface MemberSecret {
  readonly [opaque]: "MemberSecret";
}

/** One member's view of the group at one epoch (see module comment for its lifetime). */
export interface MlsGroup {
  readonly [opaque]: "MlsGroup";
}

/** A prospective member. `keyPackage` is public (an encoded MLSMessage holding a KeyPackage). */
export interface Member {
  readonly uid: number;
  readonly keyPackage: Uint8Array;
  readonly secret: MemberSecret;
}

interface ContextRecord {
  impl: CiphersuiteImpl;
  config: ClientConfig;
}

interface SecretRecord {
  uid: number;
  publicPackage: KeyPackage;
  /** The encoded KeyPackage (without the MLSMessage header): input of its KeyPackageRef. */
  keyPackageEncoded: Uint8Array;
  privatePackage: PrivateKeyPackage | undefined;
  usedBy: string | undefined;
}

interface GroupRecord {
  state: ClientState;
  uid: number;
  /** Set while a consuming operation runs on this handle. */
  busy: string | undefined;
  /** Set once a consuming operation succeeded: the handle is dead. */
  retiredBy: string | undefined;
}

const contexts = new WeakMap<MlsContext, ContextRecord>();
const secrets = new WeakMap<MemberSecret, SecretRecord>();
const groups = new WeakMap<MlsGroup, GroupRecord>();

/** A frozen, otherwise empty object used as a WeakMap key (plus public read-only fields). */
function handle<T>(kind: string, fields: object = {}): T {
  return Object.freeze(Object.assign(Object.create(null, { [Symbol.toStringTag]: { value: kind } }), fields)) as T;
}

function ctxRecord(ctx: MlsContext): ContextRecord {
  const r = contexts.get(ctx);
  if (r === undefined) throw new MlsUsageError("not an MlsContext from initMls()");
  return r;
}

function groupRecord(group: MlsGroup): GroupRecord {
  const r = groups.get(group);
  if (r === undefined) throw new MlsUsageError("not an MlsGroup from impl/mls.ts");
  return r;
}

/** The record of a handle that may still be used for `op`. */
function liveGroup(group: MlsGroup, op: string): GroupRecord {
  const r = groupRecord(group);
  if (r.retiredBy !== undefined) {
    throw new MlsUsageError(`${op}: this group handle was consumed by ${r.retiredBy}; use the handle it returned`);
  }
  if (r.busy !== undefined) {
    throw new MlsUsageError(`${op}: this group handle is in use by a running ${r.busy}; wait for it`);
  }
  return r;
}

function activeGroup(group: MlsGroup, op: string): GroupRecord {
  const r = liveGroup(group, op);
  if (r.state.groupActiveState.kind !== "active") {
    throw new MlsUsageError(`${op}: member ${r.uid} is no longer in the group (${r.state.groupActiveState.kind})`);
  }
  return r;
}

function wrapGroup(state: ClientState, uid: number): MlsGroup {
  const g = handle<MlsGroup>("MlsGroup");
  groups.set(g, { state, uid, busy: undefined, retiredBy: undefined });
  return g;
}

/** Zero the secrets ts-mls reported as consumed, then retire the input handle. */
function retire(r: GroupRecord, op: string, consumed: readonly Uint8Array[]): void {
  for (const secret of consumed) zeroOutUint8Array(secret);
  r.busy = undefined;
  r.retiredBy = op;
}

// ---------------------------------------------------------------------------
// UIDs and credentials

const SUITE: CiphersuiteName = "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519";

function checkUidArgument(uid: number, op: string): void {
  if (!Number.isSafeInteger(uid) || uid < 0) throw new MlsUsageError(`${op}: a UID is a non-negative safe integer, got ${uid}`);
}

function uidCredential(uid: number): Credential {
  return { credentialType: "basic", identity: new TextEncoder().encode(String(uid)) };
}

/** The UID of a credential, or undefined unless it is basic with a canonical decimal identity. */
function uidOfCredential(c: Credential): number | undefined {
  if (c.credentialType !== "basic") return undefined;
  const id = c.identity;
  if (id.length === 0 || id.length > 16 || (id.length > 1 && id[0] === 0x30)) return undefined;
  let n = 0;
  for (const b of id) {
    if (b < 0x30 || b > 0x39) return undefined;
    n = n * 10 + (b - 0x30);
  }
  return Number.isSafeInteger(n) ? n : undefined;
}

/** ts-mls asks this for every credential it validates: only UID credentials pass. */
const uidAuthService = {
  async validateCredential(credential: Credential, signaturePublicKey: Uint8Array): Promise<boolean> {
    return (
      uidOfCredential(credential) !== undefined &&
      (await defaultAuthenticationService.validateCredential(credential, signaturePublicKey))
    );
  },
};

/** UID of the leaf at node index `node`, undefined for a blank or non-UID leaf. */
function uidAtNode(tree: RatchetTree, node: number): number | undefined {
  const n = tree[node];
  return n?.nodeType === "leaf" ? uidOfCredential(n.leaf.credential) : undefined;
}

/** Leaf index → UID for all non-blank leaves; throws "invalid" on a non-UID credential or a duplicate. */
function leafUids(tree: RatchetTree, what: string): Map<number, number> {
  const byLeaf = new Map<number, number>();
  const seen = new Set<number>();
  for (let node = 0; node < tree.length; node += 2) {
    const n = tree[node];
    if (n?.nodeType !== "leaf") continue;
    const uid = uidOfCredential(n.leaf.credential);
    if (uid === undefined) throw inputError("invalid", `${what}: leaf ${node / 2} does not carry a UID credential`);
    if (seen.has(uid)) throw inputError("invalid", `${what}: UID ${uid} appears twice in the group`);
    seen.add(uid);
    byLeaf.set(node / 2, uid);
  }
  return byLeaf;
}

/** Checks a state made from input (joined, processed, decoded) before handing it out. */
function checkState(state: ClientState, uid: number, what: string): void {
  if (state.groupContext.cipherSuite !== SUITE) {
    throw inputError("invalid", `${what}: ciphersuite ${state.groupContext.cipherSuite}, expected ${SUITE}`);
  }
  const uids = leafUids(state.ratchetTree, what);
  const own = uids.get(state.privatePath.leafIndex);
  if (state.groupActiveState.kind === "active" && own !== uid) {
    throw inputError("invalid", `${what}: own leaf ${state.privatePath.leafIndex} holds UID ${own}, expected ${uid}`);
  }
}

// ---------------------------------------------------------------------------
// Decoding input bytes

/** Failures of ts-mls's length-prefix reader: the input ended inside a field. */
const RAN_OUT = /Offset beyond buffer|Incomplete \d-byte length|Data length exceeds buffer/;

const WIREFORMAT_NAME: Record<MLSMessage["wireformat"], string> = {
  mls_public_message: "a PublicMessage",
  mls_private_message: "a PrivateMessage",
  mls_welcome: "a Welcome",
  mls_group_info: "a GroupInfo",
  mls_key_package: "a KeyPackage",
};

function copyInput(bytes: Uint8Array, what: string): Uint8Array {
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
function decodeMessage(bytes: Uint8Array, what: string): MLSMessage {
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
function decodeAs<W extends MLSMessage["wireformat"]>(bytes: Uint8Array, what: string, wireformat: W): Extract<MLSMessage, { wireformat: W }> {
  const message = decodeMessage(bytes, what);
  if (message.wireformat !== wireformat) throw wrongKind(what, WIREFORMAT_NAME[message.wireformat]);
  return message as Extract<MLSMessage, { wireformat: W }>;
}

function wrongKind(what: string, got: string): MlsInputError {
  return inputError("wrong-kind", `${what}: expected ${what}, got ${got}`);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** TLS variable-length vector prefix (RFC 9420, section 2.1.2). */
function varint(n: number): number[] {
  if (n < 0x40) return [n];
  if (n < 0x4000) return [0x40 | (n >> 8), n & 0xff];
  return [0x80 | (n >>> 24), (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** KeyPackageRef = RefHash("MLS 1.0 KeyPackage Reference", KeyPackage) (RFC 9420, section 5.2). */
async function keyPackageRef(impl: CiphersuiteImpl, encodedKeyPackage: Uint8Array): Promise<Uint8Array> {
  const label = new TextEncoder().encode("MLS 1.0 KeyPackage Reference");
  const input = Uint8Array.from([
    ...varint(label.length),
    ...label,
    ...varint(encodedKeyPackage.length),
    ...encodedKeyPackage,
  ]);
  return impl.hash.digest(input);
}

// ---------------------------------------------------------------------------
// API

let shared: Promise<MlsContext> | undefined;

/** The shared context (created on first call). */
export function initMls(): Promise<MlsContext> {
  shared ??= (async () => {
    const impl = await getCiphersuiteImpl(getCiphersuiteFromName(SUITE));
    const config: ClientConfig = {
      keyRetentionConfig: defaultKeyRetentionConfig,
      lifetimeConfig: defaultLifetimeConfig,
      keyPackageEqualityConfig: defaultKeyPackageEqualityConfig,
      paddingConfig: defaultPaddingConfig,
      authService: uidAuthService,
    };
    const ctx = handle<MlsContext>("MlsContext", { ciphersuite: SUITE });
    contexts.set(ctx, { impl, config });
    return ctx;
  })().catch((e: unknown) => {
    shared = undefined;
    throw e;
  });
  return shared;
}

/** A fresh KeyPackage for `uid`; the public part is `keyPackage`, the private part `secret` (single use). */
export async function newMember(ctx: MlsContext, uid: number): Promise<Member> {
  const { impl } = ctxRecord(ctx);
  checkUidArgument(uid, "newMember");
  const { publicPackage, privatePackage } = await generateKeyPackage(
    uidCredential(uid),
    defaultCapabilities(),
    defaultLifetime,
    [],
    impl,
  );
  const keyPackage = encodeMlsMessage({ version: "mls10", wireformat: "mls_key_package", keyPackage: publicPackage });
  const secret = handle<MemberSecret>("MemberSecret");
  secrets.set(secret, {
    uid,
    publicPackage,
    keyPackageEncoded: keyPackage.slice(4),
    privatePackage,
    usedBy: undefined,
  });
  return Object.freeze({ uid, keyPackage: keyPackage.slice(), secret });
}

/** The unused secret record of `member`, or a "key-package-used" error. */
function unusedSecret(member: Member, op: string): SecretRecord & { privatePackage: PrivateKeyPackage } {
  const r = secrets.get(member?.secret);
  if (r === undefined) throw new MlsUsageError(`${op}: not a Member from newMember()`);
  if (r.usedBy !== undefined || r.privatePackage === undefined) {
    throw inputError("key-package-used", `${op}: the key package of member ${r.uid} was already used by ${r.usedBy}`);
  }
  return r as SecretRecord & { privatePackage: PrivateKeyPackage };
}

/** Marks the secret used: drops the private keys from it and zeroes the init key (the group keeps the others). */
function consumeSecret(r: SecretRecord, op: string): void {
  if (r.privatePackage !== undefined) zeroOutUint8Array(r.privatePackage.initPrivateKey);
  r.privatePackage = undefined;
  r.usedBy = op;
}

/** A new group at epoch 0 whose only member is `member` (consumes its secret). */
export async function createGroup(ctx: MlsContext, member: Member, groupId: Uint8Array | string): Promise<MlsGroup> {
  const { impl, config } = ctxRecord(ctx);
  const r = unusedSecret(member, "createGroup");
  const id = typeof groupId === "string" ? new TextEncoder().encode(groupId) : groupId.slice();
  if (id.length === 0) throw new MlsUsageError("createGroup: empty group id");
  const state = await mlsCreateGroup(id, r.publicPackage, r.privatePackage, [], impl, config);
  consumeSecret(r, "createGroup");
  return wrapGroup(state, r.uid);
}

/** Makes a Commit with `proposals` from `r` (busy meanwhile); on success zeroes the consumed secrets and retires `r`. */
async function commitWith(
  impl: CiphersuiteImpl,
  r: GroupRecord,
  proposals: Proposal[],
  op: string,
  what: string,
): Promise<{ group: MlsGroup; commit: Uint8Array; welcome: Welcome | undefined }> {
  r.busy = op;
  try {
    let result;
    try {
      result = await createCommit(
        { state: r.state, cipherSuite: impl },
        { extraProposals: proposals, ratchetTreeExtension: true },
      );
    } catch (e) {
      throw fromMls(e, what);
    }
    const commit = encodeMlsMessage(result.commit);
    retire(r, op, result.consumed);
    return { group: wrapGroup(result.newState, r.uid), commit, welcome: result.welcome };
  } finally {
    if (r.retiredBy === undefined) r.busy = undefined;
  }
}

/**
 * The committer adds the owner of `keyPackageBytes` (as published by `newMember`).
 * Returns the committer's next-epoch group, the Commit (for the other members)
 * and the Welcome (for the joiner; it carries the ratchet tree). Retires the
 * input handle on success (see module comment).
 */
function decodeKeyPackage(keyPackageBytes: Uint8Array) {
  const what = "KeyPackage";
  const message = decodeAs(keyPackageBytes, what, "mls_key_package");
  const keyPackage = message.keyPackage;
  if (keyPackage.cipherSuite !== SUITE) {
    throw inputError("invalid", `${what}: ciphersuite ${keyPackage.cipherSuite}, expected ${SUITE}`);
  }
  const uid = uidOfCredential(keyPackage.leafNode.credential);
  if (uid === undefined) throw inputError("invalid", `${what}: credential is not a UID`);
  return { keyPackage, uid };
}

/**
 * Checks that `keyPackageBytes` is a KeyPackage of this ciphersuite whose
 * credential names `uid`: what a member verifies when it reads a `joined` entry,
 * so a DC never queues a joiner it could not add.
 */
export function checkKeyPackage(keyPackageBytes: Uint8Array, uid: number): void {
  const found = decodeKeyPackage(keyPackageBytes).uid;
  if (found !== uid) throw inputError("invalid", `KeyPackage: its credential names UID ${found}, the entry says ${uid}`);
}

export async function commitAdd(
  ctx: MlsContext,
  group: MlsGroup,
  keyPackageBytes: Uint8Array,
): Promise<{ group: MlsGroup; commit: Uint8Array; welcome: Uint8Array; addedUid: number }> {
  const { impl } = ctxRecord(ctx);
  const r = activeGroup(group, "commitAdd");
  const what = "KeyPackage";
  const { keyPackage, uid: addedUid } = decodeKeyPackage(keyPackageBytes);
  if ([...leafUids(r.state.ratchetTree, "commitAdd").values()].includes(addedUid)) {
    throw inputError("already-member", `${what}: UID ${addedUid} is already a member`);
  }
  const made = await commitWith(impl, r, [{ proposalType: "add", add: { keyPackage } }], "commitAdd", what);
  if (made.welcome === undefined) throw new Error("internal: ts-mls made no Welcome for an Add");
  return {
    group: made.group,
    commit: made.commit,
    welcome: encodeMlsMessage({ version: "mls10", wireformat: "mls_welcome", welcome: made.welcome }),
    addedUid,
  };
}

/**
 * The committer removes member `uid` ("unknown-member" if absent; removing
 * oneself is a usage error). Retires the input handle on success.
 */
export async function commitRemove(
  ctx: MlsContext,
  group: MlsGroup,
  uid: number,
): Promise<{ group: MlsGroup; commit: Uint8Array }> {
  const { impl } = ctxRecord(ctx);
  const r = activeGroup(group, "commitRemove");
  checkUidArgument(uid, "commitRemove");
  if (uid === r.uid) throw new MlsUsageError("commitRemove: a member cannot remove itself with its own Commit");
  const leaf = [...leafUids(r.state.ratchetTree, "commitRemove")].find(([, u]) => u === uid)?.[0];
  if (leaf === undefined) throw inputError("unknown-member", `commitRemove: UID ${uid} is not a member`);
  const made = await commitWith(impl, r, [{ proposalType: "remove", remove: { removed: leaf } }], "commitRemove", "commitRemove");
  return { group: made.group, commit: made.commit };
}

/** Decodes a Welcome and checks it carries secrets for `member`'s KeyPackage; consumes nothing. */
async function welcomeFor(ctx: MlsContext, member: Member, welcomeBytes: Uint8Array, op: string) {
  const { impl } = ctxRecord(ctx);
  const r = unusedSecret(member, op);
  const what = "Welcome";
  const message = decodeAs(welcomeBytes, what, "mls_welcome");
  const welcome = message.welcome;
  if (welcome.cipherSuite !== SUITE) throw inputError("invalid", `${what}: ciphersuite ${welcome.cipherSuite}`);
  const ref = await keyPackageRef(impl, r.keyPackageEncoded);
  if (!welcome.secrets.some((s) => equalBytes(s.newMember, ref))) {
    throw inputError("not-for-me", `${what}: holds no secrets for the key package of member ${r.uid}`);
  }
  return { r, welcome, ref };
}

/**
 * Joins from a Welcome addressed to `member` as MLS does (signature, confirmation
 * tag, ratchet tree all verified), but uses up nothing: the caller keeps the state
 * (joinFromWelcome) or only looks at it (inspectWelcome).
 */
async function openWelcome(ctx: MlsContext, member: Member, welcomeBytes: Uint8Array, op: string) {
  const { impl, config } = ctxRecord(ctx);
  const { r, welcome, ref } = await welcomeFor(ctx, member, welcomeBytes, op);
  let state: ClientState;
  try {
    state = await joinGroup(welcome, r.publicPackage, r.privatePackage, emptyPskIndex, impl, undefined, undefined, config);
  } catch (e) {
    throw fromMls(e, "Welcome");
  }
  checkState(state, r.uid, "Welcome");
  return { r, welcome, ref, state };
}

/**
 * The leaf that signed a Welcome's GroupInfo: joinGroup verified the signature with
 * it but does not say which it was, so the GroupInfo is decrypted again to read it
 * (no PSKs here, so the PSK secret is all zeroes, RFC 9420 section 8.4).
 */
async function welcomeSignerLeaf(ctx: MlsContext, r: { privatePackage: PrivateKeyPackage }, welcome: Welcome, ref: Uint8Array): Promise<number> {
  const { impl } = ctxRecord(ctx);
  const what = "Welcome";
  try {
    const initKey = await impl.hpke.importPrivateKey(r.privatePackage.initPrivateKey);
    const secrets = await decryptGroupSecrets(initKey, ref, welcome, impl.hpke);
    if (!secrets) throw inputError("invalid", `${what}: its group secrets do not decrypt`);
    try {
      const info = await decryptGroupInfo(welcome, secrets.joinerSecret, new Uint8Array(impl.kdf.size), impl);
      if (!info) throw inputError("invalid", `${what}: its GroupInfo does not decrypt`);
      return info.signer;
    } finally {
      // This copy of the group secrets is ours alone (decrypted here).
      zeroOutUint8Array(secrets.joinerSecret);
      if (secrets.pathSecret) zeroOutUint8Array(secrets.pathSecret);
    }
  } catch (e) {
    throw e instanceof MlsInputError ? e : fromMls(e, what);
  }
}

/** What a Welcome says, once MLS has verified it: the group it joins. */
export interface WelcomeContents {
  epoch: number;
  /** The UIDs of the group's members, sorted. */
  members: number[];
  /** The UID of the member that signed the GroupInfo: the committer of that epoch. */
  signer: number;
}

/**
 * Checks, without using up the KeyPackage secret, that `welcomeBytes` is a Welcome
 * addressed to `member` that MLS accepts (a trial join), and says what it contains —
 * so a joiner can refuse a bad Welcome, or one whose log entry misstates it, when it
 * reads it, and keep waiting for a good one. The join proper happens on confirmation
 * (R8). The trial state is dropped unzeroed on purpose: its leaf and signature
 * private keys are the very arrays of the KeyPackage secret the real join still needs.
 */
export async function inspectWelcome(ctx: MlsContext, member: Member, welcomeBytes: Uint8Array): Promise<WelcomeContents> {
  const { r, welcome, ref, state } = await openWelcome(ctx, member, welcomeBytes, "inspectWelcome");
  const signerLeaf = await welcomeSignerLeaf(ctx, r, welcome, ref);
  const uids = leafUids(state.ratchetTree, "Welcome");
  const signer = uids.get(signerLeaf);
  if (signer === undefined) throw inputError("invalid", `Welcome: its signer, leaf ${signerLeaf}, is not a member`);
  return { epoch: Number(state.groupContext.epoch), members: [...uids.values()].sort((a, b) => a - b), signer };
}

/** Joins from a Welcome made for `member`'s KeyPackage (consumes its secret on success). */
export async function joinFromWelcome(ctx: MlsContext, member: Member, welcomeBytes: Uint8Array): Promise<MlsGroup> {
  const { r, state } = await openWelcome(ctx, member, welcomeBytes, "joinFromWelcome");
  consumeSecret(r, "joinFromWelcome");
  return wrapGroup(state, r.uid);
}

/**
 * Applies a Commit made by another member in this group's epoch. With
 * `allowedSender`, a Commit from any other UID is refused ("sender-not-allowed")
 * after decryption, through ts-mls's policy callback. Only Add and Remove
 * proposals (or none) are accepted. Retires the input handle on success. If the
 * Commit removes this member, the result is a group whose `membersOf` no longer
 * contains `myUid` (its epoch stays the last one it was in).
 */
export async function processCommit(
  ctx: MlsContext,
  group: MlsGroup,
  commitBytes: Uint8Array,
  opts: {
    allowedSender?: number;
    /** The Commit must make exactly this change (checked before it is applied). */
    expect?: { type: "add" | "remove"; uid: number };
  } = {},
): Promise<MlsGroup> {
  const { impl } = ctxRecord(ctx);
  const r = liveGroup(group, "processCommit");
  const what = "Commit";
  const message = decodeMessage(commitBytes, what);
  let groupId: Uint8Array, epoch: bigint, contentType: string;
  if (message.wireformat === "mls_private_message") {
    ({ groupId, epoch, contentType } = message.privateMessage);
  } else if (message.wireformat === "mls_public_message") {
    ({ groupId, epoch, contentType } = message.publicMessage.content);
  } else {
    throw wrongKind(what, WIREFORMAT_NAME[message.wireformat]);
  }
  if (contentType !== "commit") throw wrongKind(what, `a ${contentType} message`);
  const state = r.state;
  if (!equalBytes(groupId, state.groupContext.groupId)) throw inputError("wrong-group", `${what}: for another group`);
  if (epoch !== state.groupContext.epoch) {
    throw inputError("wrong-epoch", `${what}: made in epoch ${epoch}, the group is in epoch ${state.groupContext.epoch}`);
  }

  const before = leafUids(state.ratchetTree, "processCommit");
  let refusal: MlsInputError | undefined;
  const policy: IncomingMessageCallback = (incoming) => {
    if (incoming.kind !== "commit") {
      refusal = wrongKind(what, "a proposal");
      return "reject";
    }
    const sender = incoming.senderLeafIndex === undefined ? undefined : before.get(incoming.senderLeafIndex);
    if (sender === undefined) {
      refusal = inputError("sender-not-allowed", `${what}: not sent by a member`);
      return "reject";
    }
    if (opts.allowedSender !== undefined && sender !== opts.allowedSender) {
      refusal = inputError("sender-not-allowed", `${what}: sent by UID ${sender}, only ${opts.allowedSender} may commit`);
      return "reject";
    }
    const other = incoming.proposals.find((p) => p.proposal.proposalType !== "add" && p.proposal.proposalType !== "remove");
    if (other !== undefined) {
      refusal = inputError("invalid", `${what}: carries a ${other.proposal.proposalType} proposal (only add and remove are used)`);
      return "reject";
    }
    if (opts.expect !== undefined) {
      const changes = incoming.proposals.map(({ proposal: p }) =>
        p.proposalType === "add"
          ? `add ${uidOfCredential(p.add.keyPackage.leafNode.credential)}`
          : p.proposalType === "remove"
            ? `remove ${before.get(p.remove.removed)}`
            : p.proposalType,
      );
      const wanted = `${opts.expect.type} ${opts.expect.uid}`;
      if (changes.length !== 1 || changes[0] !== wanted) {
        refusal = inputError("unexpected-change", `${what}: makes [${changes.join(", ")}], its entry says [${wanted}]`);
        return "reject";
      }
    }
    return "accept";
  };

  r.busy = "processCommit";
  try {
    let result;
    try {
      result = await processMessage(message, state, emptyPskIndex, policy, impl);
    } catch (e) {
      throw fromMls(e, what);
    }
    // A refused Commit: ts-mls returns without applying it; nothing is zeroed, the input stays live.
    if (refusal !== undefined) throw refusal;
    if (result.kind !== "newState" || result.actionTaken !== "accept") throw wrongKind(what, "no Commit");
    checkState(result.newState, r.uid, what);
    retire(r, "processCommit", result.consumed);
    return wrapGroup(result.newState, r.uid);
  } finally {
    if (r.retiredBy === undefined) r.busy = undefined;
  }
}

/** Encrypts an application message in the current epoch. Retires the input handle. */
export async function encrypt(
  ctx: MlsContext,
  group: MlsGroup,
  plaintext: Uint8Array,
): Promise<{ group: MlsGroup; message: Uint8Array }> {
  const { impl } = ctxRecord(ctx);
  const r = activeGroup(group, "encrypt");
  if (!(plaintext instanceof Uint8Array)) throw new MlsUsageError("encrypt: plaintext must be a Uint8Array");
  r.busy = "encrypt";
  try {
    const result = await createApplicationMessage(r.state, plaintext, impl);
    const message = encodeMlsMessage({
      version: "mls10",
      wireformat: "mls_private_message",
      privateMessage: result.privateMessage,
    });
    retire(r, "encrypt", result.consumed);
    return { group: wrapGroup(result.newState, r.uid), message };
  } catch (e) {
    if (e instanceof MlsUsageError) throw e;
    throw new MlsUsageError(`encrypt failed: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, { cause: e });
  } finally {
    if (r.retiredBy === undefined) r.busy = undefined;
  }
}

/** The node index of the only secret-tree node that changed (the sender's leaf), if exactly one did. */
function changedNode(before: SecretTree, after: SecretTree): number | undefined {
  let found: number | undefined;
  for (let i = 0; i < Math.max(before.length, after.length); i++) {
    if (before[i] !== after[i]) {
      if (found !== undefined) return undefined;
      found = i;
    }
  }
  return found;
}

/**
 * Decrypts an application message of the current epoch or of one of the last
 * few epochs ts-mls retains (late messages). Returns the sender's UID and the
 * message's epoch. Retires the input handle on success.
 */
export async function decrypt(
  ctx: MlsContext,
  group: MlsGroup,
  bytes: Uint8Array,
): Promise<{ group: MlsGroup; plaintext: Uint8Array; senderUid: number; epoch: number }> {
  const { impl } = ctxRecord(ctx);
  const r = liveGroup(group, "decrypt");
  const what = "application message";
  const message = decodeAs(bytes, what, "mls_private_message");
  const pm = message.privateMessage;
  if (pm.contentType !== "application") throw wrongKind(what, `a ${pm.contentType} message`);
  const state = r.state;
  if (!equalBytes(pm.groupId, state.groupContext.groupId)) throw inputError("wrong-group", `${what}: for another group`);
  const current = state.groupContext.epoch;
  const history = pm.epoch < current ? state.historicalReceiverData.get(pm.epoch) : undefined;
  if (pm.epoch > current || (pm.epoch < current && history === undefined)) {
    throw inputError("wrong-epoch", `${what}: made in epoch ${pm.epoch}, the group is in epoch ${current} (and keeps no keys for it)`);
  }

  r.busy = "decrypt";
  try {
    let result;
    try {
      result = await processPrivateMessage(state, pm, emptyPskIndex, impl);
    } catch (e) {
      throw fromMls(e, what);
    }
    if (result.kind !== "applicationMessage") throw wrongKind(what, "no application message");
    // ts-mls does not report the sender; its ratchet is the one secret-tree node that moved.
    const beforeTree = history?.secretTree ?? state.secretTree;
    const afterTree = history === undefined ? result.newState.secretTree : result.newState.historicalReceiverData.get(pm.epoch)?.secretTree;
    const node = afterTree === undefined ? undefined : changedNode(beforeTree, afterTree);
    const senderUid = node === undefined ? undefined : uidAtNode(history?.ratchetTree ?? state.ratchetTree, node);
    if (senderUid === undefined) throw new Error("internal: could not identify the sender of a decrypted message");
    const plaintext = result.message.slice();
    retire(r, "decrypt", result.consumed);
    return { group: wrapGroup(result.newState, r.uid), plaintext, senderUid, epoch: Number(pm.epoch) };
  } finally {
    if (r.retiredBy === undefined) r.busy = undefined;
  }
}

// ---------------------------------------------------------------------------
// Read-only views (allowed on retired handles too)

/** The group's epoch number. */
export function epochOf(group: MlsGroup): number {
  return Number(groupRecord(group).state.groupContext.epoch);
}

/** A copy of the epoch's 32-byte epoch authenticator (input of the safety number). */
export function epochAuthenticator(group: MlsGroup): Uint8Array {
  return groupRecord(group).state.keySchedule.epochAuthenticator.slice();
}

/** The members' UIDs, ascending. */
export function membersOf(group: MlsGroup): number[] {
  return [...leafUids(groupRecord(group).state.ratchetTree, "membersOf").values()].sort((a, b) => a - b);
}

/** This member's UID. */
export function myUid(group: MlsGroup): number {
  return groupRecord(group).uid;
}

// ---------------------------------------------------------------------------
// Persistence

const MAGIC = [0x44, 0x43, 0x41, 0x47]; // "DCAG"
const FORMAT_VERSION = 1;
const HEADER_LENGTH = MAGIC.length + 1 + 8;

/**
 * The group's full private state, to restart from with `decodeGroup`:
 * "DCAG" ‖ format 01 ‖ UID (uint64, big-endian) ‖ ts-mls encodeGroupState.
 * Holds secrets: store it like a private key. Refused on a retired handle.
 */
export function encodeGroup(group: MlsGroup): Uint8Array {
  const r = liveGroup(group, "encodeGroup");
  const body = encodeGroupState(r.state);
  const out = new Uint8Array(HEADER_LENGTH + body.length);
  out.set(MAGIC, 0);
  out[MAGIC.length] = FORMAT_VERSION;
  new DataView(out.buffer).setBigUint64(MAGIC.length + 1, BigInt(r.uid));
  out.set(body, HEADER_LENGTH);
  return out;
}

/** A group handle from `encodeGroup` bytes (an independent copy). */
export function decodeGroup(ctx: MlsContext, bytes: Uint8Array): MlsGroup {
  const { config } = ctxRecord(ctx);
  const what = "saved group";
  const input = copyInput(bytes, what);
  for (let i = 0; i < Math.min(MAGIC.length, input.length); i++) {
    if (input[i] !== MAGIC[i]) throw inputError("garbled", `${what}: not a saved group (bad magic)`);
  }
  if (input.length < HEADER_LENGTH) throw inputError("truncated", `${what}: truncated inside the header`);
  if (input[MAGIC.length] !== FORMAT_VERSION) {
    throw inputError("invalid", `${what}: format version ${input[MAGIC.length]}, expected ${FORMAT_VERSION}`);
  }
  const uid = Number(new DataView(input.buffer).getBigUint64(MAGIC.length + 1));
  if (!Number.isSafeInteger(uid)) throw inputError("invalid", `${what}: UID out of range`);
  let decoded;
  try {
    decoded = decodeGroupState(input, HEADER_LENGTH);
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    throw inputError(RAN_OUT.test(text) ? "truncated" : "garbled", `${what}: undecodable state (${text})`, e);
  }
  if (decoded === undefined) throw inputError("garbled", `${what}: undecodable state`);
  const [groupState, used] = decoded;
  if (HEADER_LENGTH + used !== input.length) {
    throw inputError("trailing-bytes", `${what}: ${input.length - HEADER_LENGTH - used} extra bytes after the state`);
  }
  const state: ClientState = { ...groupState, clientConfig: config };
  checkState(state, uid, what);
  return wrapGroup(state, uid);
}
