// Keeps a checkpoint's queue files alive while a resumed TLC runs.
//
// TLC's disk queue stores the states still to explore in numbered files of its
// metadir ("pool files"). A checkpoint needs the pool files from its read position
// on. Within one TLC process that is safe: once it has written a checkpoint, it
// deletes only the files that checkpoint no longer needs. But a TLC process that
// recovered from a checkpoint also starts the queue's background cleaner, which
// deletes pool files as soon as they are read, and stops it only at the process's
// own first checkpoint. A resumed run stopped before its first checkpoint so
// leaves the checkpoint it started from without files it needs, and the next
// resume fails. Measured on MC_full (TLC 2.18): a resume killed after three
// minutes, then "StatePoolReader.run: …/7515 (No such file or directory)", and
// 1 h 44 min of checking lost.
//
// The guard: before a resumed TLC starts, hard-link every pool file of the
// checkpoint into <run>/pool-guard/ (free: same inode, no copy). Files the cleaner
// deletes live on there. When the resumed TLC writes its own first checkpoint the
// guard is released; if it dies first, the next resume links the lost files back.
// A guard whose checkpoint has been superseded is dropped, not restored from: the
// newer checkpoint has retired those files.
// TLC never rewrites a pool file below the checkpoint's write position, so the
// guarded inodes keep the checkpoint's contents.
//
// Not covered: a kill inside TLC's own checkpoint commit (it deletes retired pool
// files, then renames the new checkpoint files into place, one by one). That window
// is milliseconds every ten minutes and is TLC's own.

import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { copyFile, link, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** TLC's pool files are named by their number alone. */
const isPoolFile = (name: string) => /^\d+$/.test(name);

/**
 * What identifies one checkpoint: the contents of its queue and variable files (TLC
 * writes both anew for each checkpoint; they are small). Contents, not paths or
 * inodes, so a run folder moved to another disk keeps its guard.
 */
export function checkpointIdentity(checkpoint: string): string {
  const h = createHash("sha256");
  for (const f of ["queue.chkpt", "vars.chkpt"]) h.update(`${f}\0`).update(readFileSync(join(checkpoint, f))).update("\0");
  return h.digest("hex");
}

export interface GuardReport {
  /** Pool files the guard holds. */
  guarded: number;
  /** Pool files an earlier resumed run lost, linked back from the guard. */
  restored: number;
  /** Guarded by copying, where the file system refused hard links. */
  copied: number;
}

async function linkOrCopy(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return false;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "EXDEV" && code !== "EPERM" && code !== "ENOTSUP" && code !== "EMLINK") throw e;
    await copyFile(from, to);
    return true;
  }
}

/**
 * Call before resuming from `checkpoint`. Restores pool files an earlier resume of
 * the same checkpoint lost, then guards every pool file the checkpoint folder holds.
 * A guard left for another (older) checkpoint is discarded.
 */
export async function guardPool(checkpoint: string, guardDir: string): Promise<GuardReport> {
  const identity = checkpointIdentity(checkpoint);
  const idFile = join(guardDir, "checkpoint.json");
  const report: GuardReport = { guarded: 0, restored: 0, copied: 0 };
  const sameCheckpoint = existsSync(idFile) && readFileSync(idFile, "utf8") === identity;
  if (sameCheckpoint) {
    const present = new Set(readdirSync(checkpoint));
    for (const f of readdirSync(guardDir).filter(isPoolFile)) {
      if (present.has(f)) continue;
      if (await linkOrCopy(join(guardDir, f), join(checkpoint, f))) report.copied++;
      report.restored++;
    }
  } else {
    // No guard, an older checkpoint's, or one whose making was cut short (its identity is written last).
    await rm(guardDir, { recursive: true, force: true });
  }
  await mkdir(guardDir, { recursive: true });
  const held = new Set(readdirSync(guardDir));
  for (const f of readdirSync(checkpoint).filter(isPoolFile)) {
    if (!held.has(f) && (await linkOrCopy(join(checkpoint, f), join(guardDir, f)))) report.copied++;
    report.guarded++;
  }
  await writeFile(idFile, identity);
  return report;
}

/** Call once the resumed TLC has written its own checkpoint (or finished): the guard is no longer needed. */
export async function releasePool(guardDir: string): Promise<void> {
  await rm(guardDir, { recursive: true, force: true });
}
