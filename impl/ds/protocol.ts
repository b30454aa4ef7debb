// The delivery service's wire protocol (issue 14): JSON text frames, one object
// each, field `t` = kind; MLS bytes (keyPackage, welcome, commit, data) as base64
// strings. It is exactly the protocol impl/client/ds-link.ts speaks. One decoder
// checks a client frame and names the field and why it is refused; the DS checks
// envelopes only (entry type and fields), never MLS (spec/delivery-service.md).
// A batched welcome/add/remove (spec/batching.md section 4) carries `targets` beside
// `target`; the DS refuses a malformed list (impl/types.ts targetsProblem) and stores
// the entry as sent, so logs stored before batching read unchanged.

import { targetsOf, targetsProblem, type Uid } from "../types.ts";

/** Largest frame the DS accepts (ws maxPayload): a Welcome for a few dozen members fits easily. */
export const MAX_FRAME_BYTES = 1 << 20;
/** Frames up to this size are read and refused with an `oversize` error; larger ones close the socket (ws maxPayload, code 1009). */
export const HARD_FRAME_BYTES = 4 * MAX_FRAME_BYTES;
/** Room names: short, printable, no separators a storage key could confuse. */
export const ROOM_NAME = /^[A-Za-z0-9._-]{1,128}$/;
export const MAX_ID_LENGTH = 128;

/** A log entry as stored and relayed: impl/types.ts LogEntry with its bytes as base64. */
export type WireEntry =
  | { type: "joined"; uid: Uid; keyPackage?: string }
  | { type: "left"; uid: Uid }
  | { type: "skipped"; uid: Uid; sender: Uid }
  | { type: "welcome"; target: Uid; targets?: Uid[]; epoch: number; sender: Uid; members: Uid[]; removes: Uid[]; welcome?: string }
  | { type: "add" | "remove"; target: Uid; targets?: Uid[]; epoch: number; sender: Uid; parent: Uid; commit?: string };
/** The entries a client may append (joined/left are the DS's own). */
export type ClientEntry = Exclude<WireEntry, { type: "joined" } | { type: "left" }>;

export type ClientMessage =
  | { t: "hello"; room: string; observe?: false; uid?: undefined }
  | { t: "hello"; room: string; uid: Uid; cursor: number; observe?: false }
  | { t: "hello"; room: string; observe: true }
  | { t: "join"; keyPackage?: string }
  | { t: "append"; id: string; entry: ClientEntry }
  | { t: "broadcast"; data: string }
  | { t: "leave" }
  | { t: "ping" };

export type ServerMessage =
  | { t: "assigned"; uid: Uid }
  /** `present`: for a new user, who was present when its `joined` was appended (R2, R15); [] otherwise. */
  | { t: "ready"; uid: Uid; head: number; joinedAt: number | null; present: Uid[] }
  | { t: "entry"; index: number; entry: WireEntry }
  | { t: "ack"; id: string; index: number }
  | { t: "broadcast"; from: Uid; data: string }
  | { t: "fenced"; reason: string }
  | { t: "error"; code: ErrorCode; reason: string; id?: string }
  | { t: "pong" };

export type ErrorCode =
  | "malformed" // not JSON, not an object, a field of the wrong type
  | "oversize"
  | "unknown-kind"
  | "not-in-room" // join/append/broadcast/leave before hello
  | "already-in-room"
  | "no-reservation"
  | "bad-sender"
  | "reserved-entry" // joined/left from a client
  | "rate-limited"
  | "unknown-user"
  | "bad-skip"; // a `skipped` entry the log contradicts (R16; see skipRefusal)

export type Decoded = { ok: true; msg: ClientMessage } | { ok: false; code: ErrorCode; reason: string; id?: string };

class Refusal extends Error {
  constructor(readonly code: ErrorCode, reason: string) {
    super(reason);
  }
}
const refuse = (field: string, why: string, code: ErrorCode = "malformed"): never => {
  throw new Refusal(code, `field ${field}: ${why}`);
};

type Obj = Record<string, unknown>;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function nat(o: Obj, k: string, where: string, min = 0): number {
  const v = o[k];
  if (!Number.isSafeInteger(v) || (v as number) < min) refuse(`${where}${k}`, `expected an integer >= ${min}, got ${JSON.stringify(v)}`);
  return v as number;
}
function b64(o: Obj, k: string, where: string, optional: boolean): string | undefined {
  const v = o[k];
  if (v === undefined && optional) return undefined;
  if (typeof v !== "string" || v.length % 4 !== 0 || !BASE64.test(v)) refuse(`${where}${k}`, "expected a base64 string");
  return v as string;
}
function uids(o: Obj, k: string, where: string): Uid[] {
  const v = o[k];
  if (!Array.isArray(v)) refuse(`${where}${k}`, "expected an array of UIDs");
  (v as unknown[]).forEach((_, i) => nat(v as unknown as Obj, String(i), `${where}${k}.`, 1));
  return v as Uid[];
}

/** A batched entry's `targets`, checked (absent: a single-target entry); refused with the field and why. */
function targetList(e: Obj, where: string): { targets?: Uid[] } {
  const why = targetsProblem(e.target, e.targets);
  if (why !== null) refuse(`${where}targets`, why);
  return e.targets === undefined ? {} : { targets: [...(e.targets as Uid[])] };
}

/** An entry a client appends: only welcome/add/remove/skipped, every field typed (the DS never looks inside the bytes). */
export function decodeClientEntry(v: unknown): ClientEntry {
  if (!v || typeof v !== "object" || Array.isArray(v)) refuse("entry", "expected an object");
  const e = v as Obj;
  const w = "entry.";
  switch (e.type) {
    case "joined":
    case "left":
      return refuse("entry.type", `"${e.type}" is appended by the DS only`, "reserved-entry");
    case "skipped":
      return { type: "skipped", uid: nat(e, "uid", w, 1), sender: nat(e, "sender", w, 1) };
    case "welcome":
      return {
        type: "welcome", target: nat(e, "target", w, 1), ...targetList(e, w), epoch: nat(e, "epoch", w), sender: nat(e, "sender", w, 1),
        members: uids(e, "members", w), removes: uids(e, "removes", w), ...optional("welcome", b64(e, "welcome", w, true)),
      };
    case "add":
    case "remove":
      return {
        type: e.type, target: nat(e, "target", w, 1), ...targetList(e, w), epoch: nat(e, "epoch", w), sender: nat(e, "sender", w, 1),
        parent: nat(e, "parent", w), ...optional("commit", b64(e, "commit", w, true)),
      };
    default:
      return refuse("entry.type", `unknown entry type ${JSON.stringify(e.type)}`);
  }
}
const optional = <K extends string>(k: K, v: string | undefined) => (v === undefined ? {} : ({ [k]: v } as Record<K, string>));

/** The one decoder of client frames: a typed message, or the reason it is refused. */
export function decodeClientFrame(text: string, byteLength = Buffer.byteLength(text)): Decoded {
  if (byteLength > MAX_FRAME_BYTES) return { ok: false, code: "oversize", reason: `frame of ${byteLength} bytes exceeds ${MAX_FRAME_BYTES}` };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, code: "malformed", reason: `not JSON (${(e as Error).message})` };
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return { ok: false, code: "malformed", reason: "frame: expected a JSON object" };
  const o = raw as Obj;
  const id = typeof o.id === "string" ? o.id : undefined;
  try {
    return { ok: true, msg: decodeObject(o) };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, code: e.code, reason: e.message, ...(id === undefined ? {} : { id }) };
    throw e;
  }
}

function decodeObject(o: Obj): ClientMessage {
  switch (o.t) {
    case "hello": {
      if (typeof o.room !== "string" || !ROOM_NAME.test(o.room)) refuse("room", `expected a name matching ${ROOM_NAME}`);
      const room = o.room as string;
      if (o.observe === true) return { t: "hello", room, observe: true };
      if (o.observe !== undefined && o.observe !== false) refuse("observe", "expected a boolean");
      if (o.uid === undefined) {
        if (o.cursor !== undefined) refuse("cursor", "given without uid");
        return { t: "hello", room };
      }
      return { t: "hello", room, uid: nat(o, "uid", "", 1), cursor: nat(o, "cursor", "") };
    }
    case "join":
      return { t: "join", ...optional("keyPackage", b64(o, "keyPackage", "", true)) };
    case "append": {
      if (typeof o.id !== "string" || o.id.length === 0 || o.id.length > MAX_ID_LENGTH) refuse("id", `expected a string of 1..${MAX_ID_LENGTH} characters`);
      return { t: "append", id: o.id as string, entry: decodeClientEntry(o.entry) };
    }
    case "broadcast":
      return { t: "broadcast", data: b64(o, "data", "", false)! };
    case "leave":
      return { t: "leave" };
    case "ping":
      return { t: "ping" };
    default:
      return refuse("t", `unknown kind ${JSON.stringify(o.t)}`, "unknown-kind");
  }
}

/**
 * The users present when user `uid`'s `joined` entry was appended at `joinedAt`: every
 * earlier UID (1..uid-1) without a `left` or a `skipped` before it (a skipped user was
 * refused by the room and never becomes a member: R16, see skippedOnLog). Read off the log
 * itself, so every storage backend gives the same answer and the DS keeps no extra state
 * (R2, R15).
 */
export function presentAt(log: readonly WireEntry[], joinedAt: number, uid: Uid): Uid[] {
  const left = new Set<Uid>();
  for (const e of log.slice(0, joinedAt)) if (e.type === "left" || e.type === "skipped") left.add(e.uid);
  return Array.from({ length: uid - 1 }, (_, i) => i + 1).filter((v) => !left.has(v));
}

/**
 * @spec DCA!DcSkip R16 — why the log contradicts a `skipped` of `uid` by `sender` (null: it
 * does not). A DC skips, once, a joiner that arrived after it and was never added: one that
 * left before it was added, or one whose `joined` it refused (its KeyPackage reached the DC
 * garbled, spec/welcome-auth.md section 5) — the DS cannot tell a garbled KeyPackage (it never
 * parses MLS), so a `left` is not required. The log must hold the joiner's `joined`, no `add`
 * of it and no earlier `skipped` of it, and the sender must have arrived before it (a member
 * tracks as joiners only users whose `joined` it read after its own). Only envelopes are read,
 * off the log itself like presentAt, so every storage backend answers the same. Checked before
 * the append, not atomically with it: two skips of one joiner racing in from two connections
 * could both land; members treat the second as a no-op (impl/rules.ts dropSkipped), and an
 * honest DC never sends one (the next DC reads the first before it believes, R6).
 */
export function skipRefusal(log: readonly WireEntry[], uid: Uid, sender: Uid): string | null {
  const at = (type: WireEntry["type"]) => log.findIndex((e) => e.type === type && ("target" in e ? targetsOf(e).includes(uid) : e.uid === uid));
  if (at("joined") < 0) return `field entry.uid: user ${uid} has no \`joined\` on the log (only a joiner is skipped)`;
  if (sender >= uid) return `field entry.uid: user ${uid} did not arrive after the sender, user ${sender} (a DC skips only joiners that arrived after it)`;
  const added = at("add");
  if (added >= 0) return `field entry.uid: user ${uid} was added at index ${added} (a member that left is removed, not skipped)`;
  const skipped = at("skipped");
  if (skipped >= 0) return `field entry.uid: user ${uid} was already skipped at index ${skipped}`;
  return null;
}

/**
 * @spec DCA_Refusals!RGoSilently R16 — has a DC skipped `uid`? Then the DS never announces its
 * departure: a joiner skipped while it had not left (its KeyPackage reached the DC garbled,
 * spec/welcome-auth.md section 5) was never added and never will be, and everyone who read
 * the skip dropped it; its `left` would give a user who arrived after the skip, and so never
 * read it, a pending remove of someone who is no member, which MLS cannot commit.
 */
export function skippedOnLog(log: readonly WireEntry[], uid: Uid): boolean {
  return log.some((e) => e.type === "skipped" && e.uid === uid);
}

/** The one encoder of server frames. */
export const encodeServerMessage = (m: ServerMessage): string => JSON.stringify(m);
