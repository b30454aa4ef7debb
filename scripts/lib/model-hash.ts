// A fingerprint of the TLA+ model, stored in every generated trace so a test can
// tell when a trace was made from an older model.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const MODEL_DIR = "tla";

/**
 * The files a stored trace depends on: the model, and the recording wrapper that
 * model traces are generated from. Not the configurations, and not modules that
 * only read the model (DCA_Validate.tla): changing those changes no trace.
 */
export const MODEL_FILES = ["DCA.tla", "DCA_Trace.tla"] as const;

/** SHA-256 over the names and contents of MODEL_FILES, in that order. */
export function modelHash(dir: string = MODEL_DIR): string {
  const hash = createHash("sha256");
  for (const name of MODEL_FILES) {
    hash.update(`${name}\0`);
    hash.update(readFileSync(join(dir, name)));
    hash.update("\0");
  }
  return `sha256:${hash.digest("hex")}`;
}
