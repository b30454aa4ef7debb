// Signalling for the call's peer connections, carried as the room's application
// messages: each is an MLS PrivateMessage the DS relays to everyone (impl/client/),
// so only members of the current epoch read an offer or an answer, and the DTLS
// fingerprints in them, which pin each peer connection to the member who sent them,
// cannot be swapped by the DS. One JSON object per message, addressed to one UID.
// ICE is not trickled: an offer or answer carries all candidates (on a LAN or
// loopback they are gathered at once), so a pair needs just two messages.

import type { Uid } from "../types.ts";

export const SIGNAL_TAG = "dca-call/1";

export type Signal =
  | { tag: typeof SIGNAL_TAG; t: "offer"; to: Uid; id: string; sdp: string }
  | { tag: typeof SIGNAL_TAG; t: "answer"; to: Uid; id: string; sdp: string };

export const encodeSignal = (s: Omit<Signal, "tag">): string => JSON.stringify({ tag: SIGNAL_TAG, ...s });

/** The signal in an application message's text, or null if the text is not one (a chat line, a malformed object). */
export function decodeSignal(text: string): Signal | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!v || typeof v !== "object") return null;
  const o = v as Record<string, unknown>;
  if (o.tag !== SIGNAL_TAG || (o.t !== "offer" && o.t !== "answer")) return null;
  if (!Number.isInteger(o.to) || typeof o.id !== "string" || o.id.length === 0 || o.id.length > 64 || typeof o.sdp !== "string") return null;
  return { tag: SIGNAL_TAG, t: o.t, to: o.to as Uid, id: o.id, sdp: o.sdp };
}
