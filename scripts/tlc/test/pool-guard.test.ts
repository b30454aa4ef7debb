// The pool guard (scripts/tlc/pool-guard.ts): a resumed TLC deletes queue files
// of the checkpoint it started from until it writes its own; the guard keeps them
// so the checkpoint stays resumable. These tests play TLC's part on a fake metadir;
// `npm run resume-drill` does the same with real TLC processes killed mid-run.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { guardPool, releasePool } from "../pool-guard.ts";

let dir: string, checkpoint: string, guard: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pool-guard-"));
  checkpoint = join(dir, "meta", "stamp");
  guard = join(dir, "pool-guard");
  mkdirSync(checkpoint, { recursive: true });
  writeFileSync(join(checkpoint, "queue.chkpt"), "queue at pools 7..9");
  writeFileSync(join(checkpoint, "vars.chkpt"), "vars");
  writeFileSync(join(checkpoint, "Spec_0.fp"), "fingerprints");
  for (const n of [7, 8, 9]) writeFileSync(join(checkpoint, String(n)), `states of pool ${n}`);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** What a resumed TLC's queue cleaner does: deletes pool files as it reads them. */
const cleanerDeletes = (...ns: number[]) => ns.forEach((n) => rmSync(join(checkpoint, String(n))));
/** What TLC does when it writes a checkpoint: new queue and variable files renamed into place. */
function tlcWritesCheckpoint(): void {
  for (const f of ["queue.chkpt", "vars.chkpt"]) {
    writeFileSync(join(checkpoint, `${f}.tmp`), `${f} of a newer checkpoint`);
    renameSync(join(checkpoint, `${f}.tmp`), join(checkpoint, f));
  }
}

describe("guardPool", () => {
  it("holds every pool file of the checkpoint, as hard links (no copy), and nothing else", async () => {
    const r = await guardPool(checkpoint, guard);
    expect(r).toEqual({ guarded: 3, restored: 0, copied: 0 });
    expect(readdirSync(guard).sort()).toEqual(["7", "8", "9", "checkpoint.json"]);
    expect(statSync(join(guard, "8")).ino).toBe(statSync(join(checkpoint, "8")).ino);
  });

  it("gives back what a resumed run killed before its first checkpoint deleted, with the checkpoint's contents", async () => {
    await guardPool(checkpoint, guard);
    cleanerDeletes(7, 8); // the resumed TLC read them, its cleaner deleted them, then it was killed
    writeFileSync(join(checkpoint, "10"), "written after the checkpoint");
    const r = await guardPool(checkpoint, guard); // the next resume
    expect(r.restored).toBe(2);
    expect(readFileSync(join(checkpoint, "7"), "utf8")).toBe("states of pool 7");
    expect(readFileSync(join(checkpoint, "8"), "utf8")).toBe("states of pool 8");
    // and it still guards them, in case this resume is killed early too
    cleanerDeletes(7);
    expect((await guardPool(checkpoint, guard)).restored).toBe(1);
    expect(readFileSync(join(checkpoint, "7"), "utf8")).toBe("states of pool 7");
  });

  it("discards a guard made for an older checkpoint instead of bringing back files TLC has retired", async () => {
    await guardPool(checkpoint, guard);
    tlcWritesCheckpoint(); // the resumed run made its own checkpoint, which no longer needs pool 7 ...
    cleanerDeletes(7); // ... and TLC deleted it as it committed
    const r = await guardPool(checkpoint, guard);
    expect(r.restored).toBe(0);
    expect(existsSync(join(checkpoint, "7"))).toBe(false);
    expect(readdirSync(guard).sort()).toEqual(["8", "9", "checkpoint.json"]);
  });

  it("still restores after the run folder has moved (the checkpoint is known by its contents)", async () => {
    await guardPool(checkpoint, guard);
    cleanerDeletes(9);
    const moved = join(dir, "elsewhere");
    mkdirSync(moved);
    renameSync(join(dir, "meta"), join(moved, "meta"));
    renameSync(guard, join(moved, "pool-guard"));
    const r = await guardPool(join(moved, "meta", "stamp"), join(moved, "pool-guard"));
    expect(r.restored).toBe(1);
    expect(readFileSync(join(moved, "meta", "stamp", "9"), "utf8")).toBe("states of pool 9");
  });

  it("starts over from a guard whose making was cut short (it has no identity yet)", async () => {
    mkdirSync(guard);
    writeFileSync(join(guard, "5"), "a stray file");
    const r = await guardPool(checkpoint, guard);
    expect(r.restored).toBe(0);
    expect(existsSync(join(checkpoint, "5"))).toBe(false);
    expect(readdirSync(guard).sort()).toEqual(["7", "8", "9", "checkpoint.json"]);
  });
});

describe("releasePool", () => {
  it("removes the guard, and leaves the checkpoint's own files alone", async () => {
    await guardPool(checkpoint, guard);
    await releasePool(guard);
    expect(existsSync(guard)).toBe(false);
    expect(readFileSync(join(checkpoint, "9"), "utf8")).toBe("states of pool 9");
    await releasePool(guard); // twice is fine
  });
});
