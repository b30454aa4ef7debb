// This repository's TLC driver settings (tlc.config.json): the driver names no
// project (its own tests: scripts/tlc/test/settings.test.ts); this file gives the
// cache folder and the default module.

import { describe, expect, it } from "vitest";
import { tlcSettings } from "../scripts/tlc/settings.ts";

describe("TLC driver settings", () => {
  it("are this project's in its root", () => {
    expect(tlcSettings()).toEqual({ cacheFolder: "dca-verified", defaultModule: "DCA.tla" });
  });
});
