// Opaque values: the context, member-secret and group handles, the private records
// behind them (WeakMaps), and the group-handle lifetime rules (busy, retired).
// One part of the MLS facade; impl/mls.ts re-exports its public names (see its header).

import {
  type CiphersuiteImpl,
  type CiphersuiteName,
  type ClientConfig,
  type ClientState,
  type KeyPackage,
  type PrivateKeyPackage,
  zeroOutUint8Array,
} from "ts-mls";
import { MlsUsageError } from "./errors.ts";

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

export interface ContextRecord {
  impl: CiphersuiteImpl;
  config: ClientConfig;
}

export interface SecretRecord {
  uid: number;
  publicPackage: KeyPackage;
  /** The encoded KeyPackage (without the MLSMessage header): input of its KeyPackageRef. */
  keyPackageEncoded: Uint8Array;
  privatePackage: PrivateKeyPackage | undefined;
  usedBy: string | undefined;
}

export interface GroupRecord {
  state: ClientState;
  uid: number;
  /** Set while a consuming operation runs on this handle. */
  busy: string | undefined;
  /** Set once a consuming operation succeeded: the handle is dead. */
  retiredBy: string | undefined;
}

export const contexts = new WeakMap<MlsContext, ContextRecord>();
export const secrets = new WeakMap<MemberSecret, SecretRecord>();
export const groups = new WeakMap<MlsGroup, GroupRecord>();

/** A frozen, otherwise empty object used as a WeakMap key (plus public read-only fields). */
export function handle<T>(kind: string, fields: object = {}): T {
  return Object.freeze(Object.assign(Object.create(null, { [Symbol.toStringTag]: { value: kind } }), fields)) as T;
}

export function ctxRecord(ctx: MlsContext): ContextRecord {
  const r = contexts.get(ctx);
  if (r === undefined) throw new MlsUsageError("not an MlsContext from initMls()");
  return r;
}

export function groupRecord(group: MlsGroup): GroupRecord {
  const r = groups.get(group);
  if (r === undefined) throw new MlsUsageError("not an MlsGroup from impl/mls.ts");
  return r;
}

/** The record of a handle that may still be used for `op`. */
export function liveGroup(group: MlsGroup, op: string): GroupRecord {
  const r = groupRecord(group);
  if (r.retiredBy !== undefined) {
    throw new MlsUsageError(`${op}: this group handle was consumed by ${r.retiredBy}; use the handle it returned`);
  }
  if (r.busy !== undefined) {
    throw new MlsUsageError(`${op}: this group handle is in use by a running ${r.busy}; wait for it`);
  }
  return r;
}

export function activeGroup(group: MlsGroup, op: string): GroupRecord {
  const r = liveGroup(group, op);
  if (r.state.groupActiveState.kind !== "active") {
    throw new MlsUsageError(`${op}: member ${r.uid} is no longer in the group (${r.state.groupActiveState.kind})`);
  }
  return r;
}

export function wrapGroup(state: ClientState, uid: number): MlsGroup {
  const g = handle<MlsGroup>("MlsGroup");
  groups.set(g, { state, uid, busy: undefined, retiredBy: undefined });
  return g;
}

/** Zero the secrets ts-mls reported as consumed, then retire the input handle. */
export function retire(r: GroupRecord, op: string, consumed: readonly Uint8Array[]): void {
  for (const secret of consumed) zeroOutUint8Array(secret);
  r.busy = undefined;
  r.retiredBy = op;
}
