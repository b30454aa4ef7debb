import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { configProperties, configSection, configVariant, defaultSpec } from "../scripts/tlc/config.ts";

describe("this repository's configs, as the TLC driver reads them (its own tests: scripts/tlc/test/config.test.ts)", () => {
  it("reads the project's liveness mutant configs as checking exactly one property", () => {
    const text = readFileSync("tla/Liveness_AddBeforeWelcome.cfg", "utf8");
    expect(configProperties(text)).toEqual(["JoinerEventuallyWelcomed"]);
  });

  it("reads the variant a config selects, not one in a comment", () => {
    expect(configVariant(readFileSync("tla/Mutant_NoSkipOwnAdd.cfg", "utf8"))).toBe("NoSkipOwnAdd");
    expect(configVariant(readFileSync("tla/MC_ci.cfg", "utf8"))).toBe("Correct");
  });

  it("reads the CI config's properties", () => {
    const text = readFileSync("tla/MC_ci_liveness.cfg", "utf8");
    expect(configProperties(text)).toContain("EventuallyConverged");
    expect(configSection(text, "INVARIANTS")).toContain("NoFork");
  });
});

describe("which module a config checks", () => {
  it("the .tla named like the config, else the model", () => {
    expect(defaultSpec("tla/MC_ci.cfg")).toBe(join("tla", "MC_ci.tla")); // the model with DCA_Inputs
    // The long resumable run's key covers the module: MC_full checks the model itself.
    expect(defaultSpec("tla/MC_full.cfg")).toBe(join("tla", "DCA.tla"));
    expect(defaultSpec("tla/Mutant_NoSkipOwnAdd.cfg")).toBe(join("tla", "DCA.tla"));
  });
});
