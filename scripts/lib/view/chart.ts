// The chart model of a DCA trace: what the message sequence chart shows,
// computed from the ITF states alone, with no layout and no HTML. The page
// (page.ts, svg.ts) draws it; the tests count what it says.
//
// Arrows, exactly one per step of these kinds and none for any other step:
//   - an append (Join, Leave, DcWelcome, DcAdd, DcAddFirst, DcLateWelcome,
//     DcRemove): author → DS, labelled with the entry appended;
//   - a Read: DS → reader, labelled with the entry read, which is
//     prev.log[prev.st[u].cursor] (0-based) in the PREVIOUS state: the log is
//     compacted and cursors count from its retained part (DCA!Settle).
// Init, AllGone and Quiesced append nothing and read nothing: no arrow.

import { deriveStepParams, formatParams, stepParams, type StepParams, type StepReport } from "../../../conformance/replay.ts";
import type { ItfState, ItfTrace } from "../itf.ts";
import type { ItfValue } from "../tla-values.ts";

/** A user's lifeline (its UID) or the delivery service's. */
export type Lane = number | "ds";

export const APPEND_ACTIONS: readonly string[] = ["Join", "Leave", "DcWelcome", "DcAdd", "DcAddFirst", "DcLateWelcome", "DcRemove"];
export const READ_ACTION = "Read";

/**
 * Every step name a DCA trace can carry: DCA!Next's actions, and the Quiesced
 * claim of a recorded implementation run (conformance/room-commands.ts). Anything
 * else is not a trace of this model, and drawing it without an arrow would hide that.
 */
export const KNOWN_ACTIONS: readonly string[] = [...APPEND_ACTIONS, READ_ACTION, "AllGone", "Quiesced"];

/** Whether a step of this action draws an arrow (see the header). */
export const drawsArrow = (action: string) => action === READ_ACTION || APPEND_ACTIONS.includes(action);

export type Entry = Record<string, ItfValue>;

export interface Arrow {
  step: number;
  kind: "append" | "read";
  from: Lane;
  to: Lane;
  entry: Entry;
  label: string;
}

export type Status = "waiting" | "active" | "gone";

/** What the chart shows of one user after a step. */
export interface UserView {
  uid: number;
  status: Status;
  welcomed: boolean;
  /** Holds a Welcome it has read whose Add it has not read yet (R8). */
  tentative: boolean;
  /** Believes it is the DC (DCA!Believes). */
  believes: boolean;
  epoch: number;
  by: number;
}

export interface Row {
  index: number;
  /** The action as the trace names it; "Init" for state 0. */
  action: string;
  params: StepParams;
  paramsFrom: StepReport["paramsFrom"];
  /** e.g. "Read(2)", "DcWelcome(1 → 3)". */
  label: string;
  users: UserView[];
  believers: number[];
  arrow?: Arrow;
  /** The user that left (or crashed) at this step. */
  leaves?: number;
  /** Welcomed users whose epoch (number, committer) is new at this step. */
  epochChanged: number[];
  /** Length of the retained log after the step. */
  logLength: number;
}

export interface Violation {
  name: string;
  kind: string;
  /** The step where the property breaks: the last state. */
  step: number;
  /** For a liveness lasso: the step the behaviour returns to after the last one. */
  loop?: number;
}

export interface Chart {
  users: number;
  variant: string;
  rows: Row[];
  arrows: Arrow[];
  violation?: Violation;
}

/** The trace is not one the viewer can show; the message names the file and the place. */
export class ViewError extends Error {
  override name = "ViewError";
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const setOf = (v: unknown): unknown[] | undefined => (isRecord(v) && Array.isArray(v["#set"]) ? v["#set"] : undefined);

const USER_FIELDS: [string, (v: unknown) => boolean, string][] = [
  ["status", (v) => v === "waiting" || v === "active" || v === "gone", `"waiting", "active" or "gone"`],
  ["cursor", isInt, "an integer"],
  ["welcomed", (v) => typeof v === "boolean", "a boolean"],
  ["tentative", (v) => isRecord(v) && typeof v.type === "string", "a record with a type"],
  ["epoch", isInt, "an integer"],
  ["by", isInt, "an integer"],
  ["ahead", (v) => setOf(v) !== undefined, "a set"],
];

const show = (v: unknown) => (v === undefined ? "nothing" : JSON.stringify(v).slice(0, 60));

/**
 * Checks that the (already ITF-valid) trace is a trace of tla/DCA.tla with the
 * fields the chart reads, so that drawing never meets a surprise.
 */
export function checkDcaTrace(trace: ItfTrace, file: string): number {
  const fail = (what: string): never => {
    throw new ViewError(`${file}: ${what}`);
  };
  for (const v of ["log", "st", "nextUid"]) {
    if (!trace.vars.includes(v)) fail(`$.vars: no variable "${v}" (not a trace of tla/DCA.tla)`);
  }
  if (trace.states.length === 0) fail("$.states: empty (a trace has at least an initial state)");
  let users = 0;
  trace.states.forEach((state, i) => {
    const at = `$.states[${i}]`;
    const st: unknown = state.st;
    if (!Array.isArray(st) || st.length === 0) return fail(`${at}.st: expected a non-empty sequence of user states, got ${show(st)}`);
    if (i === 0) users = st.length;
    else if (st.length !== users) fail(`${at}.st: ${st.length} users, but state 0 has ${users}`);
    st.forEach((s: unknown, k) => {
      if (!isRecord(s)) return fail(`${at}.st[${k}]: expected a record, got ${show(s)}`);
      for (const [field, ok, expected] of USER_FIELDS) {
        if (!ok(s[field])) fail(`${at}.st[${k}].${field}: expected ${expected}, got ${show(s[field])}`);
      }
    });
    const log: unknown = state.log;
    if (!Array.isArray(log)) return fail(`${at}.log: expected a sequence, got ${show(log)}`);
    log.forEach((e: unknown, k) => {
      if (!isRecord(e) || typeof e.type !== "string") fail(`${at}.log[${k}]: expected a record with a type, got ${show(e)}`);
    });
    if (!isInt(state.nextUid)) fail(`${at}.nextUid: expected an integer, got ${show(state.nextUid)}`);
    if (i > 0 && typeof state["#meta"]?.action !== "string") fail(`${at}["#meta"].action: missing (which action made this state?)`);
  });
  const violation = trace["#meta"]?.violation;
  if (violation !== undefined && !(isRecord(violation) && typeof violation.name === "string" && typeof violation.kind === "string")) {
    fail(`$["#meta"].violation: expected {kind, name} strings, got ${show(violation)}`);
  }
  return users;
}

/** A log entry in a few words, as the arrows and the legend say it. */
export function entryLabel(e: Entry): string {
  const n = (k: string) => String(e[k] as number);
  switch (e.type) {
    case "joined":
      return `joined ${n("uid")}`;
    case "left":
      return `left ${n("uid")}`;
    case "welcome":
      return `Welcome → ${n("target")} (e${n("epoch")})`;
    case "add":
      return `Add ${n("target")} (e${n("epoch")}→e${(e.epoch as number) + 1})`;
    case "remove":
      return `Remove ${n("target")} (e${n("epoch")}→e${(e.epoch as number) + 1})`;
    default:
      return String(e.type);
  }
}

type UserState = Record<string, ItfValue>;
const usersOf = (s: ItfState) => s.st as unknown as UserState[];
const logOf = (s: ItfState) => s.log as unknown as Entry[];

/** DCA!Believes: active, welcomed (not required by DcLowestAlive) and nobody ranked ahead. */
export function believes(s: UserState, variant: string): boolean {
  return s.status === "active" && (s.welcomed === true || variant === "DcLowestAlive") && setOf(s.ahead)!.length === 0;
}

function userViews(state: ItfState, variant: string): UserView[] {
  return usersOf(state).map((s, k) => ({
    uid: k + 1,
    status: s.status as Status,
    welcomed: s.welcomed as boolean,
    tentative: (s.tentative as Entry).type === "welcome",
    believes: believes(s, variant),
    epoch: s.epoch as number,
    by: s.by as number,
  }));
}

/**
 * A recorded actor must be the one the states show acting, where they show one:
 * otherwise the chart would draw a Read to the wrong user.
 */
function checkRecordedActor(trace: ItfTrace, i: number, action: string, params: StepParams, file: string): void {
  let derived: StepParams;
  try {
    derived = deriveStepParams(trace, i).params;
  } catch {
    return; // the states alone do not say who acted
  }
  if (derived.u !== undefined && derived.u !== params.u) {
    throw new ViewError(`${file}: step ${i} (${action}${formatParams(params)}): the recorded params name user ${String(params.u)}, but the states show user ${derived.u} acting`);
  }
}

/** The arrow of step i (> 0), or none; throws ViewError when the states contradict the action. */
function arrowOf(trace: ItfTrace, i: number, action: string, params: StepParams, file: string): Arrow | undefined {
  if (!drawsArrow(action)) return undefined;
  const fail = (what: string): never => {
    throw new ViewError(`${file}: step ${i} (${action}${formatParams(params)}): ${what}`);
  };
  const u = params.u;
  if (!isInt(u) || u < 1 || u > usersOf(trace.states[0]!).length) return fail(`no acting user (params ${show(params)})`);
  const prev = trace.states[i - 1]!, next = trace.states[i]!;
  const arrow = (kind: Arrow["kind"], entry: Entry): Arrow =>
    kind === "read" ? { step: i, kind, from: "ds", to: u, entry, label: entryLabel(entry) } : { step: i, kind, from: u, to: "ds", entry, label: entryLabel(entry) };
  if (action === READ_ACTION) {
    const cursor = usersOf(prev)[u - 1]!.cursor as number;
    const entry = logOf(prev)[cursor];
    if (!entry) return fail(`user ${u}'s cursor ${cursor} is past the end of the log (${logOf(prev).length} entries)`);
    return arrow("read", entry);
  }
  // Join and Leave entries may be dropped at once by the compaction (nobody
  // active is left to read them), so they are rebuilt from the action itself.
  if (action === "Join") return arrow("append", { type: "joined", uid: u });
  if (action === "Leave") return arrow("append", { type: "left", uid: u });
  // A DC's own cursor is at most the old log length, so its entry is retained, last.
  const log = logOf(next);
  const entry = log[log.length - 1];
  if (!entry) return fail("the log is empty after the append");
  return arrow("append", entry);
}

export function buildChart(trace: ItfTrace, file: string): Chart {
  const users = checkDcaTrace(trace, file);
  const meta = trace["#meta"] ?? {};
  const variant = typeof meta.variant === "string" ? meta.variant : "Correct";
  const rows: Row[] = [];
  trace.states.forEach((state, i) => {
    const action = i === 0 ? "Init" : String(state["#meta"]!.action);
    if (i > 0 && !KNOWN_ACTIONS.includes(action)) {
      throw new ViewError(`${file}: step ${i}: unknown action ${JSON.stringify(action)} (DCA's: ${KNOWN_ACTIONS.join(", ")})`);
    }
    let params: StepParams = {};
    let paramsFrom: StepReport["paramsFrom"] = "none";
    if (i > 0) {
      try {
        ({ params, from: paramsFrom } = stepParams(trace, i));
      } catch (e) {
        // Only a step that draws an arrow needs to know who acted.
        if (drawsArrow(action)) throw new ViewError(`${file}: ${(e as Error).message}`);
      }
    }
    const arrow = i > 0 ? arrowOf(trace, i, action, params, file) : undefined;
    if (paramsFrom === "recorded" && drawsArrow(action)) checkRecordedActor(trace, i, action, params, file);
    const views = userViews(state, variant);
    const before = i > 0 ? rows[i - 1]!.users : undefined;
    rows.push({
      index: i,
      action,
      params,
      paramsFrom,
      label: `${action}${formatParams(params)}`,
      users: views,
      believers: views.filter((v) => v.believes).map((v) => v.uid),
      ...optional("arrow", arrow),
      ...(action === "Leave" && params.u !== undefined ? { leaves: params.u } : {}),
      epochChanged: views
        .filter((v, k) => v.welcomed && (!before || !before[k]!.welcomed || before[k]!.epoch !== v.epoch || before[k]!.by !== v.by))
        .map((v) => v.uid),
      logLength: logOf(state).length,
    });
  });
  const chart: Chart = { users, variant, rows, arrows: rows.flatMap((r) => (r.arrow ? [r.arrow] : [])) };
  const v = meta.violation as { name: string; kind: string } | undefined;
  if (v) {
    chart.violation = { name: v.name, kind: v.kind, step: rows.length - 1, ...optional("loop", trace.loop) };
  }
  return chart;
}

/** `{[key]: value}` when value is defined, else `{}`: for spreading optional fields into an object. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
