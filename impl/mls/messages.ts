// Application messages: encrypt and decrypt in the current epoch.
// One part of the MLS facade; impl/mls.ts re-exports its public names (see its header).

import {
  type SecretTree,
  createApplicationMessage,
  emptyPskIndex,
  encodeMlsMessage,
  processPrivateMessage,
} from "ts-mls";
import { uidAtNode } from "./credentials.ts";
import { decodeAs, equalBytes, wrongKind } from "./decoding.ts";
import { MlsUsageError, fromMls, inputError } from "./errors.ts";
import { activeGroup, ctxRecord, liveGroup, retire, type MlsContext, type MlsGroup, wrapGroup } from "./handles.ts";

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
export function changedNode(before: SecretTree, after: SecretTree): number | undefined {
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
