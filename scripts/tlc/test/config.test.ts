// Reading a TLC model config (config.ts): its sections across lines and comments,
// and a constant it sets.

import { describe, expect, it } from "vitest";
import { configProperties, configSection, configVariant } from "../config.ts";

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

  it("reads the Variant constant a config sets, not one in a comment", () => {
    expect(configVariant('CONSTANTS\n  Users = 3\n  Variant = "Fast"\n')).toBe("Fast");
    expect(configVariant('CONSTANTS\n  \\* Variant = "Old"\n  Users = 3\n')).toBeUndefined();
  });
});
