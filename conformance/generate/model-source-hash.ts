// A fingerprint of the TLA+ model and the configuration a trace was made with,
// stored in every generated trace so a test can tell when a trace was made from an
// older model or configuration.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const MODEL_DIR = "tla";

/**
 * The modules a stored trace depends on: the model, and the recording wrapper that
 * model traces are generated from. Not modules that only read the model
 * (DCA_Validate.tla): changing those changes no trace.
 */
export const MODEL_FILES = ["DCA.tla", "DCA_Record.tla"] as const;

/**
 * SHA-256 over the names and contents of MODEL_FILES, in that order, and of the
 * configuration the trace was made with, if any (its constants, e.g. the number of
 * users or the variant, decide the trace as much as the model does). `config` is a
 * path as traces record it in #meta.config, e.g. "tla/Record_3users.cfg". `files`: other
 * modules under tla/ for traces of another wrapper (the batched rules' traces/batch/).
 */
export function modelHash(config?: string, files: readonly string[] = MODEL_FILES): string {
  const hash = createHash("sha256");
  for (const name of files) {
    hash.update(`${name}\0`);
    hash.update(readFileSync(join(MODEL_DIR, name)));
    hash.update("\0");
  }
  if (config !== undefined) hash.update(`config ${config}\0`).update(readFileSync(config)).update("\0");
  return `sha256:${hash.digest("hex")}`;
}
