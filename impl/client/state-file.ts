// A network client's storage: one JSON file, rewritten after every step, atomically
// (a temporary file in the same directory, then rename), so a kill -9 leaves either
// the old state or the new one. It holds the member as the room saves it
// (SavedMember, impl/client/core.ts) plus what only a networked client needs: its
// room and UID, its MLS identity until it is welcomed, the KeyPackages of joiners
// it may have to add, an append not yet acknowledged, and how many steps it has
// recorded (impl/client/step-record.ts).

import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import type { LogEntry, Uid } from "../types.ts";
import type { SavedMember } from "./core.ts";
import { fromJsonValue, toJsonValue } from "./json-bytes.ts";

export const STATE_FORMAT = "dca-client/1";

/** Where a client keeps its state across a crash (fileStore below on Node; a browser page keeps none). */
export interface ClientStore {
  /** Names the storage in errors (a file path). */
  readonly where: string;
  /** The saved state, or null if nothing was saved yet. */
  load(): ClientFile | null;
  save(file: ClientFile): void;
}

export interface ClientFile {
  format: typeof STATE_FORMAT;
  room: string;
  uid: Uid;
  /** encodeMember bytes (impl/mls/identity.ts), while the member may still need to join. */
  identity: Uint8Array | null;
  member: SavedMember;
  /** KeyPackages from the `joined` entries read, by UID (the DC adds joiners with them). */
  keyPackages: Record<string, Uint8Array>;
  /** A DC step taken and saved whose entry the DS has not acknowledged: the entry and its id. */
  outbox: { id: string; entry: LogEntry; action: string; target: Uid | null } | null;
  /** Steps recorded so far (the recording is cut back to this many lines on restart). */
  steps: number;
  /** Counter for append ids. */
  appends: number;
}

/** A state file that cannot be read: names the file and why. */
export class StateFileError extends Error {
  override readonly name = "StateFileError";
}

export function writeClientFile(path: string, file: ClientFile): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, JSON.stringify(toJsonValue(file)));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function readClientFile(path: string): ClientFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new StateFileError(`${path}: cannot read the client state (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let v: unknown;
  try {
    v = fromJsonValue(JSON.parse(text));
  } catch (e) {
    throw new StateFileError(`${path}: not JSON (${(e as Error).message})`);
  }
  const f = v as Partial<ClientFile> | null;
  if (!f || f.format !== STATE_FORMAT) throw new StateFileError(`${path}: not a client state file (format ${JSON.stringify(f?.format)}, expected ${STATE_FORMAT})`);
  if (typeof f.room !== "string" || !Number.isInteger(f.uid) || !f.member || typeof f.steps !== "number") {
    throw new StateFileError(`${path}: a client state file with a missing room, uid, member or steps field`);
  }
  return f as ClientFile;
}

/** A client's store in the file `path` (absent until the client first saves). */
export function fileStore(path: string): ClientStore {
  return { where: path, load: () => (existsSync(path) ? readClientFile(path) : null), save: (f) => writeClientFile(path, f) };
}
