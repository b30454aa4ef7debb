// SFrame keyed from the DCA's MLS group, as RFC 9605 section 5.2 says: one base key
// per epoch from the MLS exporter, and a KID per sender and epoch,
//
//   base_key = MLS-Exporter("SFrame 1.0 Base Key", "", AEAD.Nk)
//   KID      = (context << (S + E)) + (sender_index << E) + (epoch mod 2^E)
//
// with context 0 (the shortest KIDs), so the sender's leaf index sits directly above
// the epoch's E low bits whatever S is. E = 4: receivers tell 16 epochs apart, which
// bounds how many past epochs they may keep (spec/media.md).

import { mlsExporter } from "ts-mls";
import { ctxRecord, groupRecord, type MlsContext, type MlsGroup } from "../mls/handles.ts";
import { epochOf } from "../mls/views.ts";
import { MEDIA_SUITE } from "./sframe.ts";

export const EPOCH_BITS = 4;
export const EPOCH_MASK = (1 << EPOCH_BITS) - 1;
export const BASE_KEY_LABEL = "SFrame 1.0 Base Key";

export function kidOf(leafIndex: number, epoch: number): bigint {
  if (!Number.isInteger(leafIndex) || leafIndex < 0) throw new RangeError(`leaf index ${leafIndex}`);
  return (BigInt(leafIndex) << BigInt(EPOCH_BITS)) | BigInt(epoch & EPOCH_MASK);
}

export function splitKid(kid: bigint): { leafIndex: number; epochBits: number } {
  if (kid <= MAX_SAFE) {
    // Every real KID: numbers, no BigInt work per frame.
    const n = Number(kid);
    return { leafIndex: Math.floor(n / (EPOCH_MASK + 1)), epochBits: n % (EPOCH_MASK + 1) };
  }
  return { leafIndex: Number(kid >> BigInt(EPOCH_BITS)), epochBits: Number(kid & BigInt(EPOCH_MASK)) };
}
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** One epoch's media secrets as a member holds them. */
export interface EpochMedia {
  epoch: number;
  baseKey: Uint8Array;
  /** This member's leaf index: its KID in this epoch is kidOf(leafIndex, epoch). */
  leafIndex: number;
}

/** The media secrets of the member's current epoch (a copy: the group handle keeps its own). */
export async function epochMedia(ctx: MlsContext, group: MlsGroup): Promise<EpochMedia> {
  const state = groupRecord(group).state;
  const impl = ctxRecord(ctx).impl;
  const baseKey = await mlsExporter(state.keySchedule.exporterSecret, BASE_KEY_LABEL, new Uint8Array(0), MEDIA_SUITE.nk, impl);
  return { epoch: epochOf(group), baseKey, leafIndex: state.privatePath.leafIndex };
}
