// A project's settings for the driver (settings.ts, tlc.config.json): a folder
// without the file gets the driver's defaults, a bad file is refused naming the field.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SettingsError, tlcSettings } from "../settings.ts";

const dir = mkdtempSync(join(tmpdir(), "tlc-settings-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("TLC driver settings", () => {
  it("are the driver's own defaults where no tlc.config.json is", () => {
    expect(tlcSettings(dir)).toEqual({ cacheFolder: "tlc-driver" });
  });
  it("refuse a bad file, naming the field", () => {
    writeFileSync(join(dir, "tlc.config.json"), JSON.stringify({ cacheFolder: "../up" }));
    expect(() => tlcSettings(dir)).toThrow(SettingsError);
    expect(() => tlcSettings(dir)).toThrow(/cacheFolder: expected a folder name/);
    writeFileSync(join(dir, "tlc.config.json"), JSON.stringify({ defaultModule: "Spec" }));
    expect(() => tlcSettings(dir)).toThrow(/defaultModule: expected a module file name/);
    writeFileSync(join(dir, "tlc.config.json"), "{");
    expect(() => tlcSettings(dir)).toThrow(/tlc\.config\.json: /);
  });
});
