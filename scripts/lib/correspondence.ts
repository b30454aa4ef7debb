// The auditor's correspondence map (docs/correspondence.md, `npm run map`):
// requirement / TLA+ action / property  →  TLA+ definition, implementation
// annotations (`@spec DCA!<Name> R<n>`, or `DCA_Inputs!<Name>` for the module that
// extends the model), tests, and replayed steps per action.
//
// Everything here is pure: text in, data or text out. scripts/map.ts reads the
// files and runs the replay; test/correspondence.test.ts feeds in-memory inputs.

/** A requirement of spec/dca.md: a line `- **R<n> — Title.**`. */
export interface Requirement {
  id: string;
  title: string;
  line: number;
}

/** A name the TLA+ module defines or declares, with the line it starts on. */
export interface TlaName {
  name: string;
  line: number;
  kind: "operator" | "constant" | "variable";
}

/** A property of spec/dca.md section 4 (its tables), with the kind the table gives. */
export interface SpecProperty {
  name: string;
  kind: string;
  line: number;
}

/** A TLA+ definition, the module file it is in, and how annotations qualify it ("DCA", "DCA_Inputs"). */
export type TlaDefinition = TlaName & { file: string; module: string };

/** One `@spec` annotation: the names (without `DCA!`), their modules, and requirement ids it carries. */
export interface Annotation {
  file: string;
  line: number;
  names: string[];
  /** The module each of `names` was qualified with ("DCA", "DCA_Inputs"), in the same order. */
  modules: string[];
  requirements: string[];
}

/** A source file by path (relative to the repository root) and text. */
export interface SourceFile {
  path: string;
  text: string;
}

/** Where a file refers to an item: its path and the line (annotation first, else first mention). */
export interface Ref {
  file: string;
  line: number;
}

export type RowKind = "requirement" | "action" | "property";

export interface Row {
  kind: RowKind;
  /** "R7", or the TLA+ operator name. */
  id: string;
  /** Requirement title, or the property's kind ("invariant", "step property", …). */
  label: string;
  /** The requirement's line in the spec (requirements only). */
  specLine?: number;
  /** TLA+ definitions: the item's own (actions, properties) or those annotated with it (requirements). */
  tla: TlaDefinition[];
  impl: Ref[];
  tests: Ref[];
  /** Replayed steps (actions only). */
  steps?: number;
}

export interface MapInputs {
  specPath: string;
  spec: string;
  tlaPath: string;
  tla: string;
  /**
   * Modules that EXTEND the model and add definitions only (tla/DCA_Inputs.tla): their
   * operators can be properties and annotation targets (`@spec DCA_Inputs!<Name>`).
   */
  extraModules?: SourceFile[];
  /** impl/*.ts and conformance/*.ts */
  code: SourceFile[];
  /** test/*.ts */
  tests: SourceFile[];
  /** Steps replayed per model action (conformance/replay/replay-all.ts replayAll). */
  steps: ReadonlyMap<string, number>;
}

const byPath = (a: { file: string; line: number }, b: { file: string; line: number }): number =>
  a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line;

const lines = (text: string): string[] => text.split(/\r?\n/);

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// --- spec/dca.md ------------------------------------------------------------------

const REQUIREMENT = /^- \*\*(R\d+) — (.+?)\.?\*\*/;

export function parseRequirements(md: string): Requirement[] {
  const out: Requirement[] = [];
  lines(md).forEach((text, i) => {
    const m = REQUIREMENT.exec(text);
    if (m) out.push({ id: m[1]!, title: m[2]!, line: i + 1 });
  });
  return out;
}

/** The operators in the second column of the tables of section 4 ("## 4. …" up to the next "## "). */
export function parseSpecProperties(md: string): SpecProperty[] {
  const out: SpecProperty[] = [];
  let inSection = false;
  lines(md).forEach((text, i) => {
    if (/^## /.test(text)) inSection = /^## 4\./.test(text);
    if (!inSection || !text.startsWith("|")) return;
    const cells = text.split("|").slice(1, -1).map((c) => c.trim());
    const name = /^`(\w+)`$/.exec(cells[1] ?? "");
    if (name) out.push({ name: name[1]!, kind: cells[2] ?? "", line: i + 1 });
  });
  return out;
}

// --- tla/DCA.tla ------------------------------------------------------------------

const DEFINITION = /^([A-Za-z_][A-Za-z0-9_]*)\s*(?:\([^)]*\))?\s*==/;

/** Operator definitions (a line starting `Name ==` or `Name(args) ==`), constants and variables. */
export function parseTlaNames(tla: string): TlaName[] {
  const out: TlaName[] = [];
  let declaring: "constant" | "variable" | undefined;
  lines(tla).forEach((text, i) => {
    const def = DEFINITION.exec(text);
    if (def) {
      declaring = undefined;
      out.push({ name: def[1]!, line: i + 1, kind: "operator" });
      return;
    }
    const head = /^(CONSTANTS?|VARIABLES?)\b(.*)$/.exec(text);
    let rest = text;
    if (head) {
      declaring = head[1]!.startsWith("C") ? "constant" : "variable";
      rest = head[2]!;
    } else if (declaring && !/^\s/.test(text)) {
      declaring = undefined;
    }
    if (!declaring) return;
    const code = rest.replace(/\\\*.*$/, "");
    for (const m of code.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) out.push({ name: m[0], line: i + 1, kind: declaring });
    if (head === null && code.trim() !== "" && !code.trim().endsWith(",")) declaring = undefined;
  });
  return out;
}

/** The text of operator `name`'s definition, up to the next definition. */
function definitionBody(tla: string, name: string): string | undefined {
  const all = lines(tla);
  const start = all.findIndex((l) => DEFINITION.exec(l)?.[1] === name);
  if (start < 0) return undefined;
  let end = start + 1;
  while (end < all.length && !DEFINITION.test(all[end]!) && !/^\(\*|^=+\s*$/.test(all[end]!)) end++;
  return all
    .slice(start, end)
    .join("\n")
    .replace(/\\\*.*$/gm, "")
    .replace(DEFINITION, "");
}

/**
 * The actions of the next-state relation: the operators `Next` names, with any
 * operator that is only a disjunction of other operators (`DcStep`) expanded.
 */
export function parseActions(tla: string, next = "Next"): string[] {
  const defined = new Set(parseTlaNames(tla).filter((n) => n.kind === "operator").map((n) => n.name));
  const out: string[] = [];
  const visit = (op: string): void => {
    const body = definitionBody(tla, op);
    if (body === undefined) return;
    const called = [...body.matchAll(/(?<!\\in\s*)\b([A-Z][A-Za-z0-9_]*)\b/g)].map((m) => m[1]!).filter((n) => defined.has(n));
    for (const name of called) {
      if (out.includes(name)) continue;
      const inner = definitionBody(tla, name) ?? "";
      const onlyDisjunction = inner.replace(/\b[A-Z]\w*\s*(\([^)]*\))?/g, "").replace(/\\\//g, "").trim() === "";
      if (onlyDisjunction) visit(name);
      else out.push(name);
    }
  };
  visit(next);
  return out;
}

// --- annotations and tests ----------------------------------------------------------

/**
 * `@spec` annotations: after `@spec`, the run of tokens `<Module>!<Name>` and `R<n>`
 * (the first other token ends it, e.g. the "—" before a description).
 */
export function findAnnotations(files: readonly SourceFile[]): Annotation[] {
  const out: Annotation[] = [];
  for (const f of files) {
    lines(f.text).forEach((text, i) => {
      const at = text.indexOf("@spec");
      if (at < 0) return;
      const names: string[] = [];
      const modules: string[] = [];
      const requirements: string[] = [];
      for (const token of text.slice(at + "@spec".length).trim().split(/\s+/)) {
        const name = /^([A-Z]\w*)!([A-Za-z_]\w*)$/.exec(token);
        if (name) {
          modules.push(name[1]!);
          names.push(name[2]!);
        } else if (/^R\d+$/.test(token)) requirements.push(token);
        else break;
      }
      out.push({ file: f.path, line: i + 1, names, modules, requirements });
    });
  }
  return out.sort(byPath);
}

/**
 * Annotations that name something the model does not define, or a requirement the spec
 * does not have. `DCA!X` must be defined in the model (`tla`); `M!X`, for a module M of
 * `extra` (which extends the model), in M or in the model.
 */
export function unknownReferences(
  annotations: readonly Annotation[],
  tla: readonly TlaName[],
  requirements: readonly Requirement[],
  extra: ReadonlyMap<string, readonly TlaName[]> = new Map(),
): string[] {
  const names = new Set(tla.map((n) => n.name));
  const reqs = new Set(requirements.map((r) => r.id));
  const out: string[] = [];
  for (const a of annotations) {
    if (a.names.length === 0 && a.requirements.length === 0) out.push(`${a.file}:${a.line}: @spec names nothing (expected DCA!<Name> or R<n>)`);
    a.names.forEach((n, k) => {
      const module = a.modules[k] ?? "DCA";
      const own = extra.get(module);
      if (module !== "DCA" && !own) out.push(`${a.file}:${a.line}: ${module}!${n}: ${module} is not a module of the model`);
      else if (!names.has(n) && !own?.some((d) => d.name === n)) out.push(`${a.file}:${a.line}: ${module}!${n} is not defined in the model`);
    });
    for (const r of a.requirements) if (!reqs.has(r)) out.push(`${a.file}:${a.line}: ${r} is not a requirement of the spec`);
  }
  return out;
}

const carries = (a: Annotation, kind: RowKind, id: string): boolean => (kind === "requirement" ? a.requirements : a.names).includes(id);

/**
 * The tests that check an item: per test file, the line of a `@spec` annotation
 * naming it, else the first line mentioning it as a whole word (`NoFork`, `R8`).
 */
export function findTests(tests: readonly SourceFile[], annotations: readonly Annotation[], kind: RowKind, id: string): Ref[] {
  const word = new RegExp(`(?<![\\w!])${escapeRe(id)}(?!\\w)`);
  const out: Ref[] = [];
  for (const f of tests) {
    const annotated = annotations.find((a) => a.file === f.path && carries(a, kind, id));
    if (annotated) {
      out.push({ file: f.path, line: annotated.line });
      continue;
    }
    const i = lines(f.text).findIndex((l) => word.test(l));
    if (i >= 0) out.push({ file: f.path, line: i + 1 });
  }
  return out.sort(byPath);
}

// --- the map ----------------------------------------------------------------------

/** "tla/DCA_Inputs.tla" → "DCA_Inputs". */
const moduleName = (path: string): string => (path.split("/").pop() ?? path).replace(/\.tla$/, "");

export interface CorrespondenceMap {
  rows: Row[];
  /** Annotations naming nothing the model or the spec defines. */
  unknown: string[];
  /** Properties of spec section 4 the model does not define. */
  undefinedProperties: string[];
}

export function buildMap(inputs: MapInputs): CorrespondenceMap {
  const requirements = parseRequirements(inputs.spec);
  const tlaNames = parseTlaNames(inputs.tla);
  // The model first (annotated as DCA!), then the modules extending it (M!), each with its names.
  const modules = [
    { path: inputs.tlaPath, module: "DCA", names: tlaNames },
    ...(inputs.extraModules ?? []).map((f) => ({ path: f.path, module: moduleName(f.path), names: parseTlaNames(f.text) })),
  ];
  const extra = new Map(modules.slice(1).map((m) => [m.module, m.names]));
  const operators = new Map<string, TlaDefinition>();
  for (const m of modules) {
    for (const n of m.names) if (n.kind === "operator" && !operators.has(n.name)) operators.set(n.name, { ...n, file: m.path, module: m.module });
  }
  const actions = parseActions(inputs.tla);
  const specProperties = parseSpecProperties(inputs.spec);
  const codeAnnotations = findAnnotations(inputs.code);
  const testAnnotations = findAnnotations(inputs.tests);
  const implRefs = (kind: RowKind, id: string): Ref[] =>
    codeAnnotations.filter((a) => carries(a, kind, id)).map((a) => ({ file: a.file, line: a.line }));

  // In the model's order: the model's own definitions first, then the extra modules'.
  const order = (name: string): number => {
    const d = operators.get(name);
    return d === undefined ? Infinity : (d.module === "DCA" ? 0 : 1e6) + d.line;
  };

  const rows: Row[] = [];
  for (const r of requirements) {
    const withIt = codeAnnotations.filter((a) => a.requirements.includes(r.id));
    const tla = [...new Set(withIt.flatMap((a) => a.names))]
      .map((n) => operators.get(n))
      .filter((n): n is TlaDefinition => n !== undefined)
      .sort((a, b) => order(a.name) - order(b.name));
    rows.push({
      kind: "requirement",
      id: r.id,
      label: r.title,
      specLine: r.line,
      tla,
      impl: implRefs("requirement", r.id),
      tests: findTests(inputs.tests, testAnnotations, "requirement", r.id),
    });
  }
  for (const a of actions) {
    rows.push({
      kind: "action",
      id: a,
      label: "action",
      tla: operators.has(a) ? [operators.get(a)!] : [],
      impl: implRefs("action", a),
      tests: findTests(inputs.tests, testAnnotations, "action", a),
      steps: inputs.steps.get(a) ?? 0,
    });
  }
  const properties = [...specProperties].sort((a, b) => order(a.name) - order(b.name) || a.line - b.line);
  for (const p of properties) {
    rows.push({
      kind: "property",
      id: p.name,
      label: p.kind,
      tla: operators.has(p.name) ? [operators.get(p.name)!] : [],
      impl: implRefs("property", p.name),
      tests: findTests(inputs.tests, testAnnotations, "property", p.name),
    });
  }
  return {
    rows,
    unknown: unknownReferences([...codeAnnotations, ...testAnnotations], tlaNames, requirements, extra),
    undefinedProperties: specProperties.filter((p) => !operators.has(p.name)).map((p) => p.name),
  };
}

/** Actions and properties of the model without an implementation annotation or without a test. */
export function gaps(map: CorrespondenceMap): string[] {
  const out: string[] = [];
  for (const r of map.rows) {
    if (r.kind === "requirement") continue;
    const module = r.tla[0]?.module ?? "DCA";
    if (r.impl.length === 0) out.push(`${r.kind} ${r.id}: no implementation annotation (@spec ${module}!${r.id})`);
    if (r.tests.length === 0) out.push(`${r.kind} ${r.id}: no test`);
  }
  return out;
}

/** Requirements without an implementation annotation or without a test. */
export function requirementGaps(map: CorrespondenceMap): string[] {
  const out: string[] = [];
  for (const r of map.rows) {
    if (r.kind !== "requirement") continue;
    if (r.impl.length === 0) out.push(`requirement ${r.id}: no implementation annotation (@spec ${r.id})`);
    if (r.tests.length === 0) out.push(`requirement ${r.id}: no test`);
  }
  return out;
}

// --- markdown ---------------------------------------------------------------------

/** A relative link from docs/ to `file` at `line`. */
const link = (file: string, line: number, text = `${file.split("/").pop()}:${line}`): string => `[${text}](../${file}#L${line})`;

const cell = (parts: string[]): string => (parts.length ? parts.join("<br>") : "**none**");

export function renderMarkdown(map: CorrespondenceMap, inputs: Pick<MapInputs, "specPath" | "tlaPath" | "extraModules">): string {
  const extra = (inputs.extraModules ?? []).map((f) => `[${f.path}](../${f.path})`);
  const out: string[] = [
    "# Correspondence map: spec ↔ TLA+ ↔ implementation ↔ tests",
    "",
    "<!-- Generated by `npm run map` (scripts/map.ts). Do not edit by hand; `npm run map -- --check` fails when it is stale. -->",
    "",
    `One row per requirement of [${inputs.specPath}](../${inputs.specPath}) (R1–R14), per action of the`,
    `next-state relation of [${inputs.tlaPath}](../${inputs.tlaPath}) (\`Next\`, with \`DcStep\` expanded), and per`,
    extra.length
      ? `property of the spec's section 4 tables, in the model's order (then those of ${extra.join(", ")}, which extends it). Columns:`
      : "property of the spec's section 4 tables, in the model's order. Columns:",
    "",
    "- **TLA+** — the operator's definition. For a requirement: the operators the",
    "  implementation annotates together with it (`@spec DCA!DcWelcome R10 R11 R12`).",
    "- **implementation** — every `@spec` annotation naming the item in `impl/*.ts` and",
    "  `conformance/*.ts` (the property checkers the conformance and random tests run).",
    "- **tests** — per file in `test/`, its `@spec` annotation naming the item, else the",
    "  first line that mentions the item by name (`NoFork`, `R8`).",
    "- **replayed steps** — for an action, how many steps of the committed model traces",
    "  (`traces/model/`) the implementation replayed with its state equal to the model's",
    "  (`replayAll(traceFiles(), { mls: false })` of `conformance/replay/replay-all.ts`). Known-bad",
    "  actions (`DcAddFirst`, `DcLateWelcome`) never occur in traces of the correct model.",
    "",
    "Regenerate with `npm run map`; `test/correspondence.test.ts` fails when this file is",
    "stale, when an action or property has no annotation or no test, and when an",
    "annotation names something the model does not define.",
    "",
    "| item | kind | TLA+ | implementation | tests | replayed steps |",
    "|---|---|---|---|---|---|",
  ];
  for (const r of map.rows) {
    const item =
      r.kind === "requirement" ? `${link(inputs.specPath, r.specLine!, `**${r.id}**`)} — ${r.label}` : `\`${r.id}\``;
    const kind = r.kind === "requirement" ? "requirement" : r.kind === "action" ? "action" : r.label;
    const tla = cell(r.tla.map((t) => link(t.file, t.line, t.name)));
    const impl = cell(r.impl.map((x) => link(x.file, x.line)));
    const tests = cell(r.tests.map((x) => link(x.file, x.line)));
    const steps = r.steps === undefined ? "" : String(r.steps);
    out.push(`| ${item} | ${kind} | ${tla} | ${impl} | ${tests} | ${steps} |`);
  }
  const missing = [...gaps(map), ...requirementGaps(map)];
  out.push("", "## Gaps", "");
  if (missing.length) out.push(...missing.map((m) => `- ${m}`));
  else out.push("None: every requirement, action and property has an implementation annotation and a test.");
  out.push("");
  return out.join("\n");
}
