// Persistence: a group's full private state as bytes and back.
// One part of the MLS facade; impl/mls.ts re-exports its public names (see its header).

import {
  type ClientState,
  decodeGroupState,
  encodeGroupState,
} from "ts-mls";
import { checkState } from "./credentials.ts";
import { RAN_OUT, copyInput } from "./decoding.ts";
import { inputError } from "./errors.ts";
import { ctxRecord, liveGroup, type MlsContext, type MlsGroup, wrapGroup } from "./handles.ts";

export const MAGIC = [0x44, 0x43, 0x41, 0x47]; // "DCAG"
export const FORMAT_VERSION = 1;
export const HEADER_LENGTH = MAGIC.length + 1 + 8;

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
