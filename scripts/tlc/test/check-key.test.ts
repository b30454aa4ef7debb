// A TLC result records the key of what it checked (scripts/tlc/check-key.ts), so a
// reader such as make verify's summary never reports a result of an older model.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resultIsCurrent } from "../check-key.ts";
import { resolveTlc } from "../resolve.ts";
import { runTlc } from "../run.ts";

const SPECS = new URL("fixtures/tlc/specs/", import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), "run-key-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("resultIsCurrent (real TLC)", () => {
  it("holds for a fresh result, and not once the spec or the config changed, or the files are gone", async () => {
    for (const f of ["Ok.tla", "Ok.cfg"]) cpSync(join(SPECS, f), join(tmp, f));
    const spec = join(tmp, "Ok.tla"), config = join(tmp, "Ok.cfg");
    await runTlc({ spec, config, jar: await resolveTlc({ log: () => {} }), workers: 1, quiet: true, outDir: join(tmp, "out") });
    const result = () => JSON.parse(readFileSync(join(tmp, "out", "result.json"), "utf8"));
    expect(result().modelKey).toMatch(/^[0-9a-f]{16}$/);
    expect(resultIsCurrent(result())).toBe(true);

    const original = readFileSync(config, "utf8");
    appendFileSync(config, "CHECK_DEADLOCK TRUE\n");
    expect(resultIsCurrent(result())).toBe(false);
    writeFileSync(config, original);
    expect(resultIsCurrent(result())).toBe(true);
    appendFileSync(spec, "\\* a comment is a change too: the key hashes the text\n");
    expect(resultIsCurrent(result())).toBe(false);

    expect(resultIsCurrent({ ...result(), modelKey: undefined })).toBe(false); // a result from before keys
    expect(resultIsCurrent({ ...result(), spec: join(tmp, "Gone.tla") })).toBe(false);
  }, 60_000);
});
