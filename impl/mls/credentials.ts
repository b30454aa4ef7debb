// UIDs and credentials: a member's identity is its UID as the basic credential; the
// authentication service and the checks that every leaf carries a distinct UID.
// One part of the MLS facade; impl/mls.ts re-exports its public names (see its header).

import {
  type CiphersuiteName,
  type ClientState,
  type Credential,
  type RatchetTree,
  defaultAuthenticationService,
} from "ts-mls";
import { MlsUsageError, inputError } from "./errors.ts";

export const SUITE: CiphersuiteName = "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519";

export function checkUidArgument(uid: number, op: string): void {
  if (!Number.isSafeInteger(uid) || uid < 0) throw new MlsUsageError(`${op}: a UID is a non-negative safe integer, got ${uid}`);
}

export function uidCredential(uid: number): Credential {
  return { credentialType: "basic", identity: new TextEncoder().encode(String(uid)) };
}

/** The UID of a credential, or undefined unless it is basic with a canonical decimal identity. */
export function uidOfCredential(c: Credential): number | undefined {
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
export const uidAuthService = {
  async validateCredential(credential: Credential, signaturePublicKey: Uint8Array): Promise<boolean> {
    return (
      uidOfCredential(credential) !== undefined &&
      (await defaultAuthenticationService.validateCredential(credential, signaturePublicKey))
    );
  },
};

/** UID of the leaf at node index `node`, undefined for a blank or non-UID leaf. */
export function uidAtNode(tree: RatchetTree, node: number): number | undefined {
  const n = tree[node];
  return n?.nodeType === "leaf" ? uidOfCredential(n.leaf.credential) : undefined;
}

/** Leaf index → UID for all non-blank leaves; throws "invalid" on a non-UID credential or a duplicate. */
export function leafUids(tree: RatchetTree, what: string): Map<number, number> {
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
export function checkState(state: ClientState, uid: number, what: string): void {
  if (state.groupContext.cipherSuite !== SUITE) {
    throw inputError("invalid", `${what}: ciphersuite ${state.groupContext.cipherSuite}, expected ${SUITE}`);
  }
  const uids = leafUids(state.ratchetTree, what);
  const own = uids.get(state.privatePath.leafIndex);
  if (state.groupActiveState.kind === "active" && own !== uid) {
    throw inputError("invalid", `${what}: own leaf ${state.privatePath.leafIndex} holds UID ${own}, expected ${uid}`);
  }
}
