// The chart model of a DCA trace: what the message sequence chart shows,
// computed from the ITF states alone, with no layout and no HTML. The page
// (page.ts, svg.ts) draws it; the tests count what it says.
//
// Arrows, exactly one per step of these kinds and none for any other step:
//   - an append (Join, Leave, DcWelcome, DcAdd, DcAddFirst, DcLateWelcome,
//     DcRemove, DcSkip): author → DS, labelled with the entry appended;
//   - a Read: DS → reader, labelled with the entry read, which is
//     prev.log[prev.st[u].cursor] (0-based) in the PREVIOUS state: the log is
//     compacted and cursors count from its retained part (DCA!Settle).
// Init, AllGone, Quiesced and Revive (R15: a new group, nothing appended) append
// nothing and read nothing: no arrow.
// Each append is checked against what the model's action appends (type,
// sender, target; the log grows by that one entry) before it is drawn.

import { canonical } from "../../../conformance/model/diff.ts";
import { deriveStepParams, formatParams, stepParams, type ParamsFrom, type StepParams } from "../../../conformance/model/step-labels.ts";
import { Believes, readUsers } from "../../../conformance/model/state-view.ts";
import { checkDcaTrace, isInt, show } from "../../../conformance/model/vocabulary.ts";
import type { Variant } from "../../../impl/types.ts";
import type { ItfState, ItfTrace } from "../../tlc/formats/itf.ts";
import type { ItfValue } from "../../tlc/formats/tla-values.ts";

/** A user's lifeline (its UID) or the delivery service's. */
export type Lane = number | "ds";

export const APPEND_ACTIONS: readonly string[] = ["Join", "Leave", "DcWelcome", "DcAdd", "DcAddFirst", "DcLateWelcome", "DcRemove", "DcSkip"];
export const READ_ACTION = "Read";

/** The type of the entry each appending action puts on the log (tla/DCA.tla; DcAddFirst sends the Add, DcLateWelcome the Welcome). */
const APPENDED_TYPE: Record<string, string> = {
  Join: "joined",
  Leave: "left",
  DcWelcome: "welcome",
  DcLateWelcome: "welcome",
  DcAdd: "add",
  DcAddFirst: "add",
  DcRemove: "remove",
  DcSkip: "skipped",
};

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
  paramsFrom: ParamsFrom;
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

/** A log entry in a few words, as the arrows and the legend say it. */
export function entryLabel(e: Entry): string {
  const n = (k: string) => String(e[k] as number);
  switch (e.type) {
    case "joined":
      return `joined ${n("uid")}`;
    case "left":
      return `left ${n("uid")}`;
    case "skipped":
      return `skipped ${n("uid")}`;
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

/** st of a state through the typed view (the trace's shape is checked first: checkDcaTrace). */
const usersOf = (s: ItfState) => readUsers(s);
const logOf = (s: ItfState) => s.log as unknown as Entry[];

function userViews(state: ItfState, variant: string): UserView[] {
  return usersOf(state).map((s) => ({
    uid: s.uid,
    status: s.status,
    welcomed: s.welcomed,
    tentative: s.tentative !== null,
    believes: Believes(s, variant as Variant),
    epoch: s.epoch,
    by: s.by,
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

const entries = (n: number) => (n === 1 ? "1 entry" : `${n} entries`);
const sameSeq = (a: Entry[], b: Entry[]) => a.length === b.length && a.every((e, j) => canonical(e) === canonical(b[j]!));

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
  const before = logOf(prev), after = logOf(next);
  if (action === READ_ACTION) {
    const cursor = usersOf(prev)[u - 1]!.cursor;
    const entry = before[cursor];
    if (!entry) return fail(`user ${u} has read the whole log (cursor ${cursor} of ${entries(before.length)}): nothing to read`);
    return arrow("read", entry);
  }
  const type = APPENDED_TYPE[action]!;
  if (action === "Join" || action === "Leave") {
    // DCA!Settle may drop the new entry at once (nobody active is left to read
    // it), so the entry is rebuilt from the action; the log after must be the
    // log before plus it, less the k first entries, and every other user
    // active throughout must have its cursor moved back by that k.
    const entry: Entry = { type, uid: u };
    const k = before.length + 1 - after.length;
    if (k < 0) fail(`the log grew by ${entries(after.length - before.length)}; ${action} appends one`);
    if (!sameSeq([...before, entry].slice(k), after)) fail(`the log after is not the log before plus "${entryLabel(entry)}" (less a prefix every active user has read)`);
    const was = usersOf(prev), now = usersOf(next);
    const off = was.findIndex((s, j) => j + 1 !== u && s.status === "active" && now[j]!.status === "active" && now[j]!.cursor !== s.cursor - k);
    if (off >= 0) fail(`the log dropped its first ${entries(k)}, but user ${off + 1}'s cursor went from ${String(was[off]!.cursor)} to ${String(now[off]!.cursor)}`);
    return arrow("append", entry);
  }
  // A DC step appends one entry and drops none (the DC is active and its
  // cursor does not move, so DCA!Settle has nothing more to drop): the new
  // entry is the last one, and it is the DC's.
  if (after.length !== before.length + 1) fail(`the log went from ${entries(before.length)} to ${entries(after.length)}; ${action} appends exactly one`);
  if (!sameSeq(before, after.slice(0, -1))) fail("the entries before the appended one changed");
  const entry = after[after.length - 1]!;
  if (entry.type !== type) fail(`${action} appends an entry of type ${type}, but the log ends with "${entryLabel(entry)}"`);
  if (entry.sender !== u) fail(`the appended entry's sender is user ${show(entry.sender)}, not the acting user ${u}`);
  // Whom the entry is about: a Welcome's or Commit's target, a skip's joiner (R16).
  const about = entry.type === "skipped" ? entry.uid : entry.target;
  if (params.target !== undefined && about !== params.target) {
    fail(`the appended entry's target is user ${show(about)}, but the params name user ${show(params.target)}`);
  }
  return arrow("append", entry);
}

export function buildChart(trace: ItfTrace, file: string): Chart {
  const users = checkDcaTrace(trace, file);
  const meta = trace["#meta"] ?? {};
  const variant = typeof meta.variant === "string" ? meta.variant : "Correct";
  const rows: Row[] = [];
  trace.states.forEach((state, i) => {
    const action = i === 0 ? "Init" : String(state["#meta"]!.action);
    let params: StepParams = {};
    let paramsFrom: ParamsFrom = "none";
    if (i > 0) {
      try {
        ({ params, from: paramsFrom } = stepParams(trace, i));
      } catch (e) {
        // Only a step that draws an arrow needs to know who acted.
        if (drawsArrow(action)) throw new ViewError(`${file}: ${(e as Error).message}`);
      }
    }
    // The recorded actor first: its contradiction is the clearer message.
    if (paramsFrom === "recorded" && drawsArrow(action)) checkRecordedActor(trace, i, action, params, file);
    const arrow = i > 0 ? arrowOf(trace, i, action, params, file) : undefined;
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
