// The group operations: the shared context, new members (KeyPackages), creating a
// group, the committer's Commits, the Welcome (inspect, join) and processing a Commit.
// One part of the MLS facade; impl/mls.ts re-exports its public names (see its header).

import {
  type CiphersuiteImpl,
  type ClientConfig,
  type ClientState,
  type Extension,
  type IncomingMessageCallback,
  type KeyPackage,
  type PrivateKeyPackage,
  type Proposal,
  type Welcome,
  createCommit,
  createGroup as mlsCreateGroup,
  defaultCapabilities,
  defaultKeyPackageEqualityConfig,
  defaultKeyRetentionConfig,
  defaultLifetime,
  defaultLifetimeConfig,
  defaultPaddingConfig,
  emptyPskIndex,
  encodeMlsMessage,
  generateKeyPackage,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  joinGroupWithExtensions,
  processMessage,
  zeroOutUint8Array,
  decryptGroupInfo,
  decryptGroupSecrets,
} from "ts-mls";
import { encodeRemovesExtension, readRemovesExtension } from "./welcome-removes.ts";
import { SUITE, checkState, checkUidArgument, leafUids, uidAuthService, uidCredential, uidOfCredential } from "./credentials.ts";
import { WIREFORMAT_NAME, decodeAs, decodeMessage, equalBytes, keyPackageRef, wrongKind } from "./decoding.ts";
import { MlsInputError, MlsUsageError, fromMls, inputError } from "./errors.ts";
import { activeGroup, contexts, ctxRecord, handle, liveGroup, retire, secrets, type GroupRecord, type Member, type MemberSecret, type MlsContext, type MlsGroup, type SecretRecord, wrapGroup } from "./handles.ts";

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
export function unusedSecret(member: Member, op: string): SecretRecord & { privatePackage: PrivateKeyPackage } {
  const r = secrets.get(member?.secret);
  if (r === undefined) throw new MlsUsageError(`${op}: not a Member from newMember()`);
  if (r.usedBy !== undefined || r.privatePackage === undefined) {
    throw inputError("key-package-used", `${op}: the key package of member ${r.uid} was already used by ${r.usedBy}`);
  }
  return r as SecretRecord & { privatePackage: PrivateKeyPackage };
}

/** Marks the secret used: drops the private keys from it and zeroes the init key (the group keeps the others). */
export function consumeSecret(r: SecretRecord, op: string): void {
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
export async function commitWith(
  impl: CiphersuiteImpl,
  r: GroupRecord,
  proposals: Proposal[],
  op: string,
  what: string,
  groupInfoExtensions: Extension[] = [],
): Promise<{ group: MlsGroup; commit: Uint8Array; welcome: Welcome | undefined }> {
  r.busy = op;
  try {
    let result;
    try {
      result = await createCommit(
        { state: r.state, cipherSuite: impl },
        { extraProposals: proposals, ratchetTreeExtension: true, groupInfoExtensions },
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

export function decodeKeyPackage(keyPackageBytes: Uint8Array) {
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

/**
 * The committer adds the owner of `keyPackageBytes` (as published by `newMember`).
 * Returns the committer's next-epoch group, the Commit (for the other members)
 * and the Welcome (for the joiner; it carries the ratchet tree). With `removes`
 * (the DC's pending removes, R7), the Welcome's GroupInfo carries them in the
 * extension of welcome-removes.ts, signed by the committer with the rest of the
 * GroupInfo (spec/welcome-auth.md). Retires the input handle on success (see
 * module comment).
 */
export async function commitAdd(
  ctx: MlsContext,
  group: MlsGroup,
  keyPackageBytes: Uint8Array,
  opts: { removes?: readonly number[] } = {},
): Promise<{ group: MlsGroup; commit: Uint8Array; welcome: Uint8Array; addedUid: number }> {
  const { impl } = ctxRecord(ctx);
  const r = activeGroup(group, "commitAdd");
  const what = "KeyPackage";
  const { keyPackage, uid: addedUid } = decodeKeyPackage(keyPackageBytes);
  if ([...leafUids(r.state.ratchetTree, "commitAdd").values()].includes(addedUid)) {
    throw inputError("already-member", `${what}: UID ${addedUid} is already a member`);
  }
  return { ...(await commitAdds(impl, r, [keyPackage], "commitAdd", opts.removes)), addedUid };
}

/**
 * One Commit adding every KeyPackage (already decoded and checked), with one Welcome
 * for them all that carries `removes` signed in its GroupInfo: what commitAdd and
 * batch.ts's commitAddMany share.
 */
export async function commitAdds(
  impl: CiphersuiteImpl,
  r: GroupRecord,
  keyPackages: KeyPackage[],
  op: string,
  removes: readonly number[] | undefined,
): Promise<{ group: MlsGroup; commit: Uint8Array; welcome: Uint8Array }> {
  const extensions = removes ? [encodeRemovesExtension(removes)] : [];
  const proposals: Proposal[] = keyPackages.map((keyPackage) => ({ proposalType: "add", add: { keyPackage } }));
  const made = await commitWith(impl, r, proposals, op, "KeyPackage", extensions);
  if (made.welcome === undefined) throw new Error("internal: ts-mls made no Welcome for an Add");
  return {
    group: made.group,
    commit: made.commit,
    welcome: encodeMlsMessage({ version: "mls10", wireformat: "mls_welcome", welcome: made.welcome }),
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
export async function welcomeFor(ctx: MlsContext, member: Member, welcomeBytes: Uint8Array, op: string) {
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
export async function openWelcome(ctx: MlsContext, member: Member, welcomeBytes: Uint8Array, op: string) {
  const { impl, config } = ctxRecord(ctx);
  const { r, welcome, ref } = await welcomeFor(ctx, member, welcomeBytes, op);
  let state: ClientState;
  let extensions: Extension[];
  try {
    // The GroupInfo's extensions come back only once its signature is verified.
    [state, extensions] = await joinGroupWithExtensions(welcome, r.publicPackage, r.privatePackage, emptyPskIndex, impl, undefined, undefined, config);
  } catch (e) {
    throw fromMls(e, "Welcome");
  }
  checkState(state, r.uid, "Welcome");
  return { r, welcome, ref, state, extensions };
}

/**
 * The leaf that signed a Welcome's GroupInfo: joinGroup verified the signature with
 * it but does not say which it was, so the GroupInfo is decrypted again to read it
 * (no PSKs here, so the PSK secret is all zeroes, RFC 9420 section 8.4).
 */
export async function welcomeSignerLeaf(ctx: MlsContext, r: { privatePackage: PrivateKeyPackage }, welcome: Welcome, ref: Uint8Array): Promise<number> {
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
  /**
   * The committer's pending removes as it signed them in the GroupInfo (R7,
   * spec/welcome-auth.md), in its order; null when the GroupInfo has none (a
   * committer that does not sign them).
   */
  removes: number[] | null;
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
  return (await inspectWelcomeToJoin(ctx, member, welcomeBytes)).contents;
}

/**
 * inspectWelcome, keeping the trial join: `join()` later joins from this Welcome as
 * joinFromWelcome would (the secret unused until then, and consumed by it) without
 * opening and checking the Welcome a second time — a full join, tens of milliseconds at
 * 50 members. The joined state is the one joinFromWelcome makes from the same bytes.
 * Kept in memory only: a joiner restored from storage joins with joinFromWelcome.
 */
export async function inspectWelcomeToJoin(ctx: MlsContext, member: Member, welcomeBytes: Uint8Array): Promise<{ contents: WelcomeContents; join: () => MlsGroup }> {
  const { r, welcome, ref, state, extensions } = await openWelcome(ctx, member, welcomeBytes, "inspectWelcome");
  const removes = readRemovesExtension(extensions);
  const signerLeaf = await welcomeSignerLeaf(ctx, r, welcome, ref);
  const uids = leafUids(state.ratchetTree, "Welcome");
  const signer = uids.get(signerLeaf);
  if (signer === undefined) throw inputError("invalid", `Welcome: its signer, leaf ${signerLeaf}, is not a member`);
  const contents = { epoch: Number(state.groupContext.epoch), members: [...uids.values()].sort((a, b) => a - b), signer, removes };
  const join = () => {
    const unused = unusedSecret(member, "joinFromWelcome");
    consumeSecret(unused, "joinFromWelcome");
    return wrapGroup(state, unused.uid);
  };
  return { contents, join };
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
    /**
     * The Commit must make exactly this change (checked before it is applied): one
     * target, or with `uids` a batch (spec/batching.md), in any order.
     */
    expect?: { type: "add" | "remove"; uid: number } | { type: "add" | "remove"; uids: readonly number[] };
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
      const { type } = opts.expect;
      const wanted = ("uids" in opts.expect ? [...opts.expect.uids].sort((a, b) => a - b) : [opts.expect.uid]).map((uid) => `${type} ${uid}`);
      const byUid = (a: string, b: string) => Number(a.split(" ")[1]) - Number(b.split(" ")[1]);
      const made = changes.length === wanted.length && [...(changes as string[])].sort(byUid).every((c, i) => c === wanted[i]);
      if (!made) {
        refusal = inputError("unexpected-change", `${what}: makes [${changes.join(", ")}], its entry says [${wanted.join(", ")}]`);
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
