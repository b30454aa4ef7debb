// The DC's pending removes (spec/dca.md R7) inside the Welcome, where the committer
// signs them: one GroupInfo extension (RFC 9420 section 12.4.3: the GroupInfo's
// `extensions` are covered by the signer's signature, which the joiner verifies before
// it reads them). Why there and not beside the Welcome in the log entry, where a
// delivery service could change them: spec/welcome-auth.md.
//
// Encoding: the extension's data is the UIDs in order, each a big-endian uint32 (the
// extension itself is already a length-prefixed opaque vector). Written by hand in a
// few lines: ts-mls's TLS codec is reachable only through package subpaths
// ("ts-mls/codec/…") that the ts-node loader of this repository's scripts cannot resolve.

import type { Extension } from "ts-mls";
import { MlsUsageError, inputError } from "./errors.ts";

/**
 * The extension type: from the range RFC 9420 section 17.3 reserves for private use
 * (0xF000–0xFFFF), as this extension is for DCA clients only.
 */
export const REMOVES_EXTENSION_TYPE = 0xf0d1;

/** The GroupInfo extension that carries `removes`, in its order. */
export function encodeRemovesExtension(removes: readonly number[]): Extension {
  const bad = removes.find((uid) => !Number.isInteger(uid) || uid < 1 || uid > 0xffffffff);
  if (bad !== undefined) throw new MlsUsageError(`commitAdd: a remove must be a UID from 1 to 2^32 - 1, got ${bad}`);
  const data = new Uint8Array(4 * removes.length);
  const view = new DataView(data.buffer);
  removes.forEach((uid, i) => view.setUint32(4 * i, uid));
  return { extensionType: REMOVES_EXTENSION_TYPE, extensionData: data };
}

/**
 * The removes a verified GroupInfo's extensions carry, or null when it has none.
 * Extensions that do not decode to exactly one such list are bad input ("invalid").
 */
export function readRemovesExtension(extensions: readonly Extension[]): number[] | null {
  const found = extensions.filter((e) => e.extensionType === REMOVES_EXTENSION_TYPE);
  if (found.length === 0) return null;
  if (found.length > 1) throw inputError("invalid", `Welcome: its GroupInfo carries ${found.length} removes extensions`);
  const data = found[0]!.extensionData;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const uids = Array.from({ length: Math.floor(data.length / 4) }, (_, i) => view.getUint32(4 * i));
  if (data.length % 4 !== 0 || uids.some((uid) => uid < 1)) {
    throw inputError("invalid", "Welcome: its GroupInfo's removes extension is not a list of UIDs");
  }
  return uids;
}
