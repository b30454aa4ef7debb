// The correspondence map (docs/correspondence.md, `npm run map`): it is up to date,
// every action and property of the model has an implementation annotation and a
// test, and every `@spec` annotation names something the model defines. Each check
// is shown to have teeth on small in-memory inputs.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  buildMap,
  findAnnotations,
  gaps,
  parseActions,
  parseRequirements,
  parseSpecProperties,
  parseTlaNames,
  renderMarkdown,
  requirementGaps,
  unknownReferences,
  type MapInputs,
} from "../scripts/lib/correspondence.ts";
import { generate, MAP_FILE } from "../scripts/lib/map-inputs.ts";

const ACTIONS = ["Join", "Leave", "Read", "DcWelcome", "DcAdd", "DcAddFirst", "DcLateWelcome", "DcSkip", "DcRemove", "Revive", "AllGone"];
const PROPERTIES = [
  "TypeOK", "UniquePendings", "UidsEnumerate", "QuiescentNoPendings", "QuiescentEqualEpochs", "QuiescentAllWelcomed",
  "QuiescentWelcomesAdded", "CommitEpochsIncreaseByOne", "NoDoubleCommit", "CommitsFromBelievedDc", "AtMostOneBelievesDc",
  "NoFork", "ViewMatchesGroup", "QuiescentNotStranded", "QuiescentSomeDc", "JoinerEventuallyWelcomed", "EventuallyConverged",
  "NoWelcomeOrAddAfterLeft",
  // tla/DCA_Inputs.tla
  "LeftNotRepeated", "LeftIsKnown", "JoinedIsNext", "LastArrivalCoversKnown", "SkippedIsExpected",
];

describe("the committed map (docs/correspondence.md)", async () => {
  const { map, markdown } = await generate();

  it("is what npm run map generates (not stale)", () => {
    expect(readFileSync(MAP_FILE, "utf8"), "docs/correspondence.md is stale: run npm run map").toBe(markdown);
  });

  it("has one row per requirement R1..R16, per action of Next and per property of the spec", () => {
    expect(map.rows.filter((r) => r.kind === "requirement").map((r) => r.id)).toEqual(Array.from({ length: 16 }, (_, i) => `R${i + 1}`));
    expect(map.rows.filter((r) => r.kind === "action").map((r) => r.id)).toEqual(ACTIONS);
    expect(map.rows.filter((r) => r.kind === "property").map((r) => r.id).sort()).toEqual([...PROPERTIES].sort());
    for (const r of map.rows.filter((r) => r.kind !== "requirement")) expect(r.tla.map((t) => t.name), r.id).toEqual([r.id]);
  });

  it("every action and property of the model has an implementation annotation and a test", () => {
    expect(gaps(map)).toEqual([]);
  });

  it("every requirement has an implementation annotation and a test", () => {
    expect(requirementGaps(map)).toEqual([]);
  });

  it("every @spec annotation names something the model defines, and every spec property is defined", () => {
    expect(map.unknown).toEqual([]);
    expect(map.undefinedProperties).toEqual([]);
  });

  it("counts replayed steps for the actions of the correct algorithm", () => {
    for (const a of ["Join", "Leave", "Read", "DcWelcome", "DcAdd", "DcRemove", "DcSkip", "Revive"]) {
      expect(map.rows.find((r) => r.id === a)?.steps, a).toBeGreaterThan(0);
    }
  });
});

// --- Teeth: small in-memory inputs ---------------------------------------------------

const SPEC = `# Mini
## 2. Requirements
- **R1 — Creation.** the first.
- **R2 — The log.** the second.
## 4. Properties
| property | TLA+ operator | kind |
|---|---|---|
| Good. | \`Safe\` | invariant |
| Moves. | \`Steps\` | step property |
## 5. Other
| x | \`NotAProperty\` | y |
`;

const TLA = `---- MODULE Mini ----
CONSTANTS
    N,    \\* users
    Mode
VARIABLES
    x,    \\* a counter
    y
Helper(a) == a + 1
Inc(u) ==
    /\\ x' = Helper(x)
    /\\ UNCHANGED y
Dec ==
    /\\ x' = x - 1
    /\\ UNCHANGED y
Step(u) == Inc(u)
           \\/ Dec
Next ==
    \\/ \\E u \\in Users : Step(u)
    \\/ Stop
Users == 1..N
Stop == UNCHANGED <<x, y>>
Safe == x >= 0
Steps == [][x' # x]_x
====
`;

function inputs(over: Partial<MapInputs> = {}): MapInputs {
  return {
    specPath: "spec/mini.md",
    spec: SPEC,
    tlaPath: "tla/Mini.tla",
    tla: TLA,
    code: [
      { path: "impl/a.ts", text: "/** @spec DCA!Inc R1 — increments. */\nexport const inc = 1;\n// @spec DCA!Dec R2\n// @spec DCA!Stop\n" },
      { path: "conformance/p.ts", text: "x\n/** @spec DCA!Safe */\n/** @spec DCA!Steps — the step property. */\n" },
    ],
    tests: [
      { path: "test/a.test.ts", text: "it('Inc and Dec', () => {});\n// @spec DCA!Stop R2\nit('Safe, Steps', () => {});\nit('R1', () => {});\n" },
    ],
    steps: new Map([["Inc", 3], ["Dec", 2]]),
    ...over,
  };
}

describe("parsing", () => {
  it("requirements, the spec's property tables (section 4 only), TLA+ definitions with lines, constants and variables", () => {
    expect(parseRequirements(SPEC)).toEqual([
      { id: "R1", title: "Creation", line: 3 },
      { id: "R2", title: "The log", line: 4 },
    ]);
    expect(parseSpecProperties(SPEC).map((p) => [p.name, p.kind])).toEqual([["Safe", "invariant"], ["Steps", "step property"]]);
    const names = parseTlaNames(TLA);
    expect(names.filter((n) => n.kind === "operator").map((n) => `${n.name}:${n.line}`)).toEqual([
      "Helper:8", "Inc:9", "Dec:12", "Step:15", "Next:17", "Users:20", "Stop:21", "Safe:22", "Steps:23",
    ]);
    expect(names.filter((n) => n.kind !== "operator").map((n) => n.name)).toEqual(["N", "Mode", "x", "y"]);
  });

  it("the actions of Next, with a disjunction of actions (Step) expanded and the quantified set (Users) skipped", () => {
    expect(parseActions(TLA)).toEqual(["Inc", "Dec", "Stop"]);
  });

  it("annotations: the run of DCA!<Name> and R<n> tokens after @spec, with file:line", () => {
    expect(findAnnotations(inputs().code)).toEqual([
      { file: "conformance/p.ts", line: 2, names: ["Safe"], modules: ["DCA"], requirements: [] },
      { file: "conformance/p.ts", line: 3, names: ["Steps"], modules: ["DCA"], requirements: [] },
      { file: "impl/a.ts", line: 1, names: ["Inc"], modules: ["DCA"], requirements: ["R1"] },
      { file: "impl/a.ts", line: 3, names: ["Dec"], modules: ["DCA"], requirements: ["R2"] },
      { file: "impl/a.ts", line: 4, names: ["Stop"], modules: ["DCA"], requirements: [] },
    ]);
  });

  it("a complete example has no gaps and links everything", () => {
    const map = buildMap(inputs());
    expect(gaps(map)).toEqual([]);
    expect(requirementGaps(map)).toEqual([]);
    expect(map.unknown).toEqual([]);
    const md = renderMarkdown(map, inputs());
    expect(md).toContain("| `Inc` | action | [Inc](../tla/Mini.tla#L9) | [a.ts:1](../impl/a.ts#L1) | [a.test.ts:1](../test/a.test.ts#L1) | 3 |");
    expect(md).toContain("| `Stop` | action | [Stop](../tla/Mini.tla#L21) | [a.ts:4](../impl/a.ts#L4) | [a.test.ts:2](../test/a.test.ts#L2) | 0 |");
    expect(md).toContain("| [**R2**](../spec/mini.md#L4) — The log | requirement | [Dec](../tla/Mini.tla#L12) | [a.ts:3](../impl/a.ts#L3) | [a.test.ts:2](../test/a.test.ts#L2) |  |");
    expect(md).toContain("| `Steps` | step property | [Steps](../tla/Mini.tla#L23) |");
  });
});

describe("teeth", () => {
  it("a typo in an annotation (DCA!DcWelcom) or an unknown requirement fails", () => {
    const tla = "DcWelcome(d) ==\n    /\\ TRUE\n";
    const reqs = parseRequirements(SPEC);
    const typo = findAnnotations([{ path: "impl/x.ts", text: "/** @spec DCA!DcWelcom R1 — typo */\n// @spec R99\n// @spec nothing\n" }]);
    expect(unknownReferences(typo, parseTlaNames(tla), reqs)).toEqual([
      "impl/x.ts:1: DCA!DcWelcom is not defined in the model",
      "impl/x.ts:2: R99 is not a requirement of the spec",
      "impl/x.ts:3: @spec names nothing (expected DCA!<Name> or R<n>)",
    ]);
    const ok = findAnnotations([{ path: "impl/x.ts", text: "/** @spec DCA!DcWelcome R1 */\n" }]);
    expect(unknownReferences(ok, parseTlaNames(tla), reqs)).toEqual([]);
    // A module that extends the model: its own names and the model's, qualified with it.
    const extra = new Map([["DCA_Inputs", parseTlaNames("LeftIsKnown ==\n    TRUE\n")]]);
    const qualified = findAnnotations([
      { path: "impl/y.ts", text: "// @spec DCA_Inputs!LeftIsKnown DCA_Inputs!DcWelcome R1\n// @spec DCA!LeftIsKnown\n// @spec DCA_Input!LeftIsKnown\n" },
    ]);
    expect(unknownReferences(qualified, parseTlaNames(tla), reqs, extra)).toEqual([
      "impl/y.ts:2: DCA!LeftIsKnown is not defined in the model",
      "impl/y.ts:3: DCA_Input!LeftIsKnown: DCA_Input is not a module of the model",
    ]);
    // Through the whole map too:
    const map = buildMap(inputs({ code: [...inputs().code, { path: "impl/b.ts", text: "// @spec DCA!Inx\n" }] }));
    expect(map.unknown).toEqual(["impl/b.ts:1: DCA!Inx is not defined in the model"]);
  });

  it("an action or a property without an implementation annotation fails", () => {
    const code = inputs().code.map((f) => ({ ...f, text: f.text.replace("// @spec DCA!Dec R2\n", "").replace("/** @spec DCA!Safe */", "") }));
    expect(gaps(buildMap(inputs({ code })))).toEqual([
      "action Dec: no implementation annotation (@spec DCA!Dec)",
      "property Safe: no implementation annotation (@spec DCA!Safe)",
    ]);
  });

  it("an action or a property without a test fails", () => {
    const tests = [{ path: "test/a.test.ts", text: "it('Inc and Dec', () => {});\nit('Safe', () => {});\n" }];
    expect(gaps(buildMap(inputs({ tests })))).toEqual(["action Stop: no test", "property Steps: no test"]);
  });

  it("a requirement without annotation or test is reported", () => {
    const tests = [{ path: "test/a.test.ts", text: "Inc Dec Stop Safe Steps R1\n" }];
    const code = inputs().code.map((f) => ({ ...f, text: f.text.replace("DCA!Dec R2", "DCA!Dec") }));
    expect(requirementGaps(buildMap(inputs({ tests, code })))).toEqual(["requirement R2: no implementation annotation (@spec R2)", "requirement R2: no test"]);
  });

  it("a name is matched as a whole word: DcAdd is not found in DcAddFirst, R1 not in R10", () => {
    const tla = "DcAdd ==\n    /\\ TRUE\nNext == DcAdd\n";
    const map = buildMap({
      ...inputs(),
      spec: "- **R1 — One.**\n",
      tla,
      code: [{ path: "impl/a.ts", text: "// @spec DCA!DcAdd R1\n" }],
      tests: [{ path: "test/a.test.ts", text: "DcAddFirst DCA!DcAdd R10\n" }],
    });
    expect(map.rows.map((r) => [r.id, r.tests.length])).toEqual([["R1", 0], ["DcAdd", 0]]);
  });

  it("the output changes, so --check and the staleness test fail, when an annotation moves, a test appears or step counts change", () => {
    const base = renderMarkdown(buildMap(inputs()), inputs());
    expect(renderMarkdown(buildMap(inputs()), inputs())).toBe(base); // deterministic
    const moved = inputs().code.map((f) => (f.path === "impl/a.ts" ? { ...f, text: `\n${f.text}` } : f));
    expect(renderMarkdown(buildMap(inputs({ code: moved })), inputs())).not.toBe(base);
    const more = [...inputs().tests, { path: "test/b.test.ts", text: "Safe\n" }];
    expect(renderMarkdown(buildMap(inputs({ tests: more })), inputs())).not.toBe(base);
    expect(renderMarkdown(buildMap(inputs({ steps: new Map([["Inc", 4]]) })), inputs())).not.toBe(base);
    // Input order does not matter: files are sorted.
    expect(renderMarkdown(buildMap(inputs({ code: [...inputs().code].reverse() })), inputs())).toBe(base);
  });
});
