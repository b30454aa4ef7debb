// The shape of a trace of tla/DCA.tla, checked before anything uses it: the
// model's variables with DCA!TypeOK's types, the model's actions, a known
// variant. The replay (conformance/replay/replay-trace.ts) and the viewer
// (scripts/lib/view/chart.ts) both start here, so a malformed trace is bad input
// to both, refused with one line naming the file and the place, and never a
// "divergence" or a drawing of something the model cannot do.

import { VARIANTS } from "../../impl/types.ts";
import type { ItfTrace } from "../../scripts/tlc/formats/itf.ts";
import { isItfRecord } from "../../scripts/tlc/formats/tla-values.ts";

/** The trace is not one of tla/DCA.tla: bad input. The message names the file and the place. */
export class TraceError extends Error {
  override name = "TraceError";
}

/** DCA's variables, in the order ITF lists them (sorted). */
export const DCA_VARS = ["group", "log", "nextUid", "st"] as const;
/** DCA!Next's actions. */
export const MODEL_ACTIONS = ["Join", "Leave", "Read", "DcWelcome", "DcAdd", "DcAddFirst", "DcLateWelcome", "DcRemove", "DcSkip", "Revive", "AllGone"] as const;
/** The actions the Correct variant takes (AllGone is a stutter; the others are known-bad variants' steps). */
export const CORRECT_ACTIONS = ["Join", "Leave", "Read", "DcWelcome", "DcAdd", "DcRemove", "DcSkip", "Revive"] as const;
/** Not an action of the model: a recorded run's claim that nothing is left to do (conformance/validate/run-recorder.ts, checked as DCA!Quiescent). */
export const QUIESCED = "Quiesced";
/**
 * Every step name a DCA trace can carry. Anything else is not a trace of this
 * model: replaying or drawing it would hide that.
 */
export const KNOWN_ACTIONS: readonly string[] = [...MODEL_ACTIONS, QUIESCED];
/**
 * The steps of tla/DCA_Zombie.tla that are not DCA's (spec/zombie.md): a trace that has its
 * variable `announced` may take them too (tla/DCA_ZombieRecord.tla names the others as DCA's).
 */
export const ZOMBIE_ACTIONS = ["Announce", "Stop"] as const;

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
export const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
export const setOf = (v: unknown): unknown[] | undefined => (isRecord(v) && Array.isArray(v["#set"]) ? v["#set"] : undefined);

/** A value as a message quotes it, cut short. */
export const show = (v: unknown) => (v === undefined ? "nothing" : JSON.stringify(v).slice(0, 60));

/** Checks one value at a JSON path; throws a TraceError naming the path. */
type Check = (v: unknown, at: string) => void;

/**
 * Checks that the (already ITF-valid) trace is a trace of tla/DCA.tla whose
 * values have the model's types (DCA!TypeOK's shapes) and whose steps are the
 * model's actions, so that neither a replay nor a drawing meets a surprise.
 * Returns the number of users; throws a TraceError naming the file and the place.
 */
export function checkDcaTrace(trace: ItfTrace, file: string): number {
  const fail = (what: string): never => {
    throw new TraceError(`${file}: ${what}`);
  };
  const want = (ok: boolean, at: string, v: unknown, expected: string) => {
    if (!ok) fail(`${at}: expected ${expected}, got ${show(v)}`);
  };
  for (const v of ["log", "st", "nextUid"]) { // the viewer can do without group
    if (!trace.vars.includes(v)) fail(`$.vars: no variable "${v}" (not a trace of tla/DCA.tla)`);
  }
  if (trace.states.length === 0) fail("$.states: empty (a trace has at least an initial state)");
  // Whom a DC believes in depends on the variant: an unknown one must not pass as Correct.
  const variant = trace["#meta"]?.variant;
  if (variant !== undefined && !(VARIANTS as readonly unknown[]).includes(variant)) {
    fail(`$["#meta"].variant: unknown variant ${show(variant)} (tla/DCA.tla's: ${VARIANTS.join(", ")})`);
  }
  let users = 0;
  // A trace of the model with announced users (tla/DCA_Zombie.tla): its variable and its two steps.
  const zombie = trace.vars.includes("announced");
  const known = zombie ? [...KNOWN_ACTIONS, ...ZOMBIE_ACTIONS] : KNOWN_ACTIONS;
  // The model's value types; UIDs are 1..Users, 0 is NoUid.
  const nat: Check = (v, at) => want(isInt(v) && v >= 0, at, v, "a natural number");
  const uid: Check = (v, at) => want(isInt(v) && v >= 1 && v <= users, at, v, `a UID (1..${users})`);
  const uidOrNone: Check = (v, at) => want(isInt(v) && v >= 0 && v <= users, at, v, `a UID (1..${users}) or 0 (none)`);
  const uidSet: Check = (v, at) => {
    want(setOf(v) !== undefined, at, v, "a set of UIDs");
    setOf(v)!.forEach((x, k) => uid(x, `${at}["#set"][${k}]`));
  };
  const uidSeq: Check = (v, at) => {
    want(Array.isArray(v), at, v, "a sequence of UIDs");
    (v as unknown[]).forEach((x, k) => uid(x, `${at}[${k}]`));
  };
  const record = (fields: Record<string, Check>): Check => (v, at) => {
    want(isItfRecord(v), at, v, "a record"); // not an ITF set or map
    for (const [f, check] of Object.entries(fields)) check((v as Record<string, unknown>)[f], `${at}.${f}`);
  };
  const commit = { target: uid, epoch: nat, sender: uid, parent: uidOrNone };
  // DCA!Messages, by type.
  const ENTRIES: Record<string, Check> = {
    joined: record({ uid }),
    left: record({ uid }),
    skipped: record({ uid, sender: uid }),
    welcome: record({ target: uid, epoch: nat, sender: uid, members: uidSet, removes: uidSeq }),
    add: record(commit),
    remove: record(commit),
  };
  const entry: Check = (v, at) => {
    const type = isRecord(v) ? v.type : undefined;
    if (typeof type !== "string" || !Object.hasOwn(ENTRIES, type)) {
      return isRecord(v) ? want(false, `${at}.type`, type, `"joined", "left", "skipped", "welcome", "add" or "remove"`) : want(false, at, v, "a log entry (a record)");
    }
    ENTRIES[type]!(v, at);
  };
  const group = record({ epoch: nat, by: uidOrNone, members: uidSet, removed: uidSet });
  trace.states.forEach((state, i) => {
    const at = `$.states[${i}]`;
    const st: unknown = state.st;
    if (!Array.isArray(st) || st.length === 0) return fail(`${at}.st: expected a non-empty sequence of user states, got ${show(st)}`);
    if (i === 0) users = st.length;
    else if (st.length !== users) fail(`${at}.st: ${st.length} users, but state 0 has ${users}`);
    const log: unknown = state.log;
    if (!Array.isArray(log)) return fail(`${at}.log: expected a sequence, got ${show(log)}`);
    log.forEach((e: unknown, k) => entry(e, `${at}.log[${k}]`));
    // A cursor counts the retained entries read: 0..Len(log) at every step (DCA!TypeOK), not only where a Read uses it.
    const user = record({
      status: (v, p) => want(v === "waiting" || v === "active" || v === "gone", p, v, `"waiting", "active" or "gone"`),
      cursor: (v, p) => want(isInt(v) && v >= 0 && v <= log.length, p, v, `a cursor in 0..${log.length} (the log's length)`),
      welcomed: (v, p) => want(typeof v === "boolean", p, v, "a boolean"),
      tentative: (v, p) => {
        if (isRecord(v) && v.type === "none") return; // NoWelcome
        want(isRecord(v) && v.type === "welcome", p, v, `NoWelcome ([type |-> "none"]) or a welcome entry`);
        entry(v, p);
      },
      epoch: nat,
      by: uidOrNone,
      members: uidSet,
      ahead: uidSet,
      pendingAdds: uidSeq,
      pendingRemoves: uidSeq,
      adding: uidOrNone,
    });
    st.forEach((s: unknown, k) => user(s, `${at}.st[${k}]`));
    if (!isInt(state.nextUid)) fail(`${at}.nextUid: expected an integer, got ${show(state.nextUid)}`);
    if (trace.vars.includes("group")) group(state.group, `${at}.group`);
    if (zombie) uidSet(state.announced, `${at}.announced`);
    if (i === 0) return;
    const action: unknown = state["#meta"]?.action;
    if (typeof action !== "string") return fail(`${at}["#meta"].action: missing (which action made this state?)`);
    if (!known.includes(action)) {
      fail(`step ${i}: unknown action ${JSON.stringify(action)} (tla/DCA.tla's actions: ${MODEL_ACTIONS.join(", ")}; a recorded run may also claim ${QUIESCED}${zombie ? `; tla/DCA_Zombie.tla adds ${ZOMBIE_ACTIONS.join(", ")}` : ""})`);
    }
  });
  const violation = trace["#meta"]?.violation;
  if (violation !== undefined && !(isRecord(violation) && typeof violation.name === "string" && typeof violation.kind === "string")) {
    fail(`$["#meta"].violation: expected {kind, name} strings, got ${show(violation)}`);
  }
  return users;
}
