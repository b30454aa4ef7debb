import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { configProperties, configSection, configVariant, defaultSpec } from "../scripts/tlc/config.ts";

describe("TLC config sections", () => {
  it("lists properties across lines, singular and plural keywords, ignoring comments", () => {
    const cfg = `\\* PROPERTIES FakeInComment
SPECIFICATION Spec
PROPERTY A
PROPERTIES
  B C \\* trailing comment D
(* block
   E *)
INVARIANTS X
  Y
PROPERTIES F`;
    expect(configProperties(cfg)).toEqual(["A", "B", "C", "F"]);
    expect(configSection(cfg, "INVARIANTS")).toEqual(["X", "Y"]);
  });

  it("is empty when there is no such section", () => {
    expect(configProperties("INIT Init\nNEXT Next\nINVARIANT Inv\n")).toEqual([]);
  });

  it("reads the project's liveness mutant configs as checking exactly one property", () => {
    const text = readFileSync("tla/Liveness_AddBeforeWelcome.cfg", "utf8");
    expect(configProperties(text)).toEqual(["JoinerEventuallyWelcomed"]);
  });

  it("reads the variant a config selects, not one in a comment", () => {
    expect(configVariant(readFileSync("tla/Mutant_NoSkipOwnAdd.cfg", "utf8"))).toBe("NoSkipOwnAdd");
    expect(configVariant(readFileSync("tla/MC_ci.cfg", "utf8"))).toBe("Correct");
    expect(configVariant('CONSTANTS\n  \\* Variant = "Old"\n  Users = 3\n')).toBeUndefined();
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
