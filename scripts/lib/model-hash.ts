// A fingerprint of the TLA+ model, stored in every generated trace so a test can
// tell when a trace was made from an older model.

import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const MODEL_DIR = "tla";

/** SHA-256 over the names and contents of tla/*.tla, in name order. */
export function modelHash(dir: string = MODEL_DIR): string {
  const hash = createHash("sha256");
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".tla")).sort()) {
    hash.update(`${name}\0`);
    hash.update(readFileSync(join(dir, name)));
    hash.update("\0");
  }
  return `sha256:${hash.digest("hex")}`;
}
