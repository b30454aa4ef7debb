// Saying why a file could not be written, for the commands that write one the
// user named (npm run fuzz --out, npm run replay --html).

import { lstat } from "node:fs/promises";
import { dirname, resolve } from "node:path";

/** A file system error without the path Node repeats: "ENOENT: no such file or directory, open '…'" → "no such file or directory (ENOENT)". */
export function fsReason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const m = /^([A-Z][A-Z0-9_]+): ([^,]+),/.exec(message);
  return m ? `${m[2]} (${m[1]})` : message;
}

/** The path itself or its nearest ancestor that exists, a symbolic link to nothing included: where mkdir -p stops. */
export async function nearestExisting(path: string): Promise<string> {
  for (let p = resolve(path); ; p = dirname(p)) {
    if (await lstat(p).then(() => true, () => false)) return p;
    if (dirname(p) === p) return p;
  }
}
