// ITF traces (Informal Trace Format, Apalache ADR-015) for TLC counterexamples.
//
// Files in traces/counterexamples/*.itf.json look like:
//
//   {
//     "#meta": { "format": "ITF", "source": "spec/Proto.tla", "outcome": "invariant Safe violated", … },
//     "vars": ["epoch", "members"],                 // sorted, every state defines each one
//     "states": [
//       { "#meta": { "index": 0, "action": "Initial predicate" }, "epoch": 0, "members": {"#set": []} },
//       { "#meta": { "index": 1, "action": "ReadMsg",
//                    "location": "line 40, col 3 to line 45, col 20 of module Proto" }, … }
//     ],
//     "loop": 0                                      // only for liveness lassos
//   }
//
// - "#meta".index is the 0-based position in "states" (TLC's state number is index + 1).
// - "loop" is the index of the state the behaviour returns to after the last state
//   (TLC's "Back to state N" gives loop N-1; TLC's "Stuttering" gives the last index).
// - Values follow scripts/tlc/formats/tla-values.ts: numbers (or {"#bigint": "…"}), strings,
//   booleans, arrays for sequences/tuples, {"#set": […]}, {"#map": [[k, v], …]},
//   plain objects for records, {"#unserializable": "name"} for model values.

import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { describeOutcome, type TlcResult } from "../messages.ts";
import { parseTlaState, TlaValueParseError, type ItfValue } from "./tla-values.ts";

export type ItfMeta = { [key: string]: unknown };

export interface ItfState {
  "#meta"?: ItfMeta;
  [variable: string]: ItfValue | ItfMeta | undefined;
}

export interface ItfTrace {
  "#meta"?: ItfMeta;
  params?: string[];
  vars: string[];
  states: ItfState[];
  loop?: number;
}

export class ItfError extends Error {
  override name = "ItfError";
}

/** Builds an ITF trace from TLC's error trace; `meta` goes into the trace's #meta. */
export function traceFromTlc(result: TlcResult, meta: ItfMeta = {}): ItfTrace {
  const steps = result.errorTrace ?? [];
  if (steps.length === 0) throw new ItfError("the TLC result has no error trace to convert");
  const parsed = steps.map((step) => {
    try {
      return parseTlaState(step.stateText);
    } catch (e) {
      if (e instanceof TlaValueParseError) {
        throw new ItfError(`cannot parse TLC state ${step.index} (${step.action}): ${e.message}`);
      }
      throw e;
    }
  });
  const vars = Object.keys(parsed[0]!).sort();
  const states = parsed.map((values, i) => {
    const step = steps[i]!;
    const names = Object.keys(values).sort();
    if (names.join() !== vars.join()) {
      throw new ItfError(`TLC state ${step.index} has variables [${names}] but state 1 has [${vars}]`);
    }
    const stateMeta: ItfMeta = { index: i, action: step.action };
    if (step.location) stateMeta.location = step.location;
    const state: ItfState = { "#meta": stateMeta };
    for (const v of vars) state[v] = values[v];
    return state;
  });
  const trace: ItfTrace = {
    "#meta": {
      format: "ITF",
      "format-description": "https://apalache-mc.org/docs/adr/015adr-trace.html",
      description: `TLC counterexample: ${describeOutcome(result.outcome)}`,
      ...(result.tlcVersion ? { tlcVersion: result.tlcVersion } : {}),
      ...(result.stuttering ? { stuttering: "the last state repeats forever" } : {}),
      ...meta,
    },
    vars,
    states,
  };
  if (result.loopsBackTo !== undefined) trace.loop = result.loopsBackTo - 1;
  return trace;
}

// ---------------------------------------------------------------------------
// Validation

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
const key = (path: string, k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`);

/** Returns the JSON path and reason of the first non-ITF part of `v`, if any. */
function invalidValue(v: unknown, path: string): string | undefined {
  if (typeof v === "boolean" || typeof v === "string") return undefined;
  if (typeof v === "number") return Number.isSafeInteger(v) ? undefined : `${path}: ${v} is not a safe integer (use {"#bigint": "…"})`;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const bad = invalidValue(v[i], `${path}[${i}]`);
      if (bad) return bad;
    }
    return undefined;
  }
  if (!isObject(v)) return `${path}: ${v === null ? "null" : typeof v} is not an ITF value`;
  const special = Object.keys(v).filter((k) => k.startsWith("#"));
  if (special.length === 0) {
    for (const [k, x] of Object.entries(v)) {
      const bad = invalidValue(x, key(path, k));
      if (bad) return bad;
    }
    return undefined;
  }
  const tag = special[0]!;
  if (Object.keys(v).length !== 1) return `${path}: an object with "${tag}" must have no other keys`;
  const body = v[tag];
  const at = key(path, tag);
  switch (tag) {
    case "#bigint":
      return typeof body === "string" && /^-?\d+$/.test(body) ? undefined : `${at}: expected a string of digits`;
    case "#unserializable":
      return typeof body === "string" ? undefined : `${at}: expected a string`;
    case "#set":
    case "#tup":
      return Array.isArray(body) ? invalidValue(body, at) : `${at}: expected an array`;
    case "#map": {
      if (!Array.isArray(body)) return `${at}: expected an array of [key, value] pairs`;
      for (let i = 0; i < body.length; i++) {
        const pair: unknown = body[i];
        if (!Array.isArray(pair) || pair.length !== 2) return `${at}[${i}]: expected a [key, value] pair`;
        const bad = invalidValue(pair, `${at}[${i}]`);
        if (bad) return bad;
      }
      return undefined;
    }
    default:
      return `${at}: unknown ITF tag "${tag}"`;
  }
}

/** Checks that `data` is an ITF trace; throws ItfError naming `source` and the JSON path. */
export function validateItf(data: unknown, source: string): ItfTrace {
  const fail = (what: string): never => {
    throw new ItfError(`${source}: ${what}`);
  };
  if (!isObject(data)) return fail("$: expected a JSON object (an ITF trace)");
  if (data["#meta"] !== undefined && !isObject(data["#meta"])) fail(`$["#meta"]: expected an object`);
  const vars = data.vars;
  if (vars === undefined) fail("$.vars: missing (the list of variable names)");
  if (!Array.isArray(vars) || !vars.every((v) => typeof v === "string")) fail("$.vars: expected an array of strings");
  const names = vars as string[];
  if (data.params !== undefined && !(Array.isArray(data.params) && data.params.every((p) => typeof p === "string"))) {
    fail("$.params: expected an array of strings");
  }
  const states = data.states;
  if (!Array.isArray(states)) return fail("$.states: missing or not an array");
  states.forEach((state: unknown, i) => {
    const at = `$.states[${i}]`;
    if (!isObject(state)) return fail(`${at}: expected an object`);
    if (state["#meta"] !== undefined && !isObject(state["#meta"])) fail(`${at}["#meta"]: expected an object`);
    for (const v of names) {
      if (!(v in state)) fail(`${key(at, v)}: state is missing variable "${v}"`);
      const bad = invalidValue(state[v], key(at, v));
      if (bad) fail(bad);
    }
    const extra = Object.keys(state).filter((k) => k !== "#meta" && !names.includes(k));
    if (extra.length > 0) fail(`${at}: keys not listed in $.vars: ${extra.join(", ")}`);
  });
  if (data.loop !== undefined) {
    const loop = data.loop;
    if (typeof loop !== "number" || !Number.isInteger(loop) || loop < 0 || loop >= states.length) {
      fail(`$.loop: expected a state index in 0..${states.length - 1}`);
    }
  }
  return data as unknown as ItfTrace;
}

export async function readItf(path: string): Promise<ItfTrace> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new ItfError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ItfError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return validateItf(data, path);
}

/** Canonical key order so that stored traces diff cleanly. */
function canonical(trace: ItfTrace): ItfTrace {
  const out = {} as ItfTrace; // filled in key order
  if (trace["#meta"]) out["#meta"] = trace["#meta"];
  if (trace.params) out.params = trace.params;
  out.vars = trace.vars;
  out.states = trace.states.map((s) => {
    const state: ItfState = {};
    if (s["#meta"]) state["#meta"] = s["#meta"];
    for (const v of trace.vars) state[v] = s[v];
    return state;
  });
  if (trace.loop !== undefined) out.loop = trace.loop;
  return out;
}

/** Writes a validated trace as 2-space JSON, atomically (temp file + rename). */
export async function writeItf(path: string, trace: ItfTrace): Promise<void> {
  validateItf(trace, path);
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, `${JSON.stringify(canonical(trace), null, 2)}\n`);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined); // no half-written leftover beside the target
    throw e;
  }
}
