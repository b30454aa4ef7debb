// Choosing which behaviours of the DCA model become replayable traces: the DCA
// half (tla/DCA_Record.tla): the recorded `step` of a state, its key, the finer
// details of a step, and quiescence read off the state. The generic half, the
// cover of a keyed graph by paths and the ranking of random walks, is the TLC
// package's (scripts/tlc/graph-cover.ts).

import type { ItfValue } from "../../scripts/tlc/formats/tla-values.ts";

// ---------------------------------------------------------------------------
// The DCA model (tla/DCA.tla through tla/DCA_Record.tla)

export { CORRECT_ACTIONS, DCA_VARS, MODEL_ACTIONS as DCA_ACTIONS } from "../model/vocabulary.ts";

/** The recorded step of DCA_Record: the action and its parameters. */
export interface DcaStep {
  action: string;
  params: { [name: string]: ItfValue };
}

type Rec = { [k: string]: ItfValue };
/** `v` as a record ([a |-> …] in TLA+), or undefined if it is anything else. */
const asRec = (v: ItfValue | undefined): Rec | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !Object.keys(v).some((k) => k.startsWith("#")) ? (v as Rec) : undefined;

/** Splits DCA_Record's `step` variable ([action |-> "Read", u |-> 2]) into action and params. */
export function stepOf(state: { [name: string]: ItfValue }): DcaStep {
  const step = asRec(state.step);
  if (!step || typeof step.action !== "string") {
    throw new Error(`the state has no step record with an action (step = ${JSON.stringify(state.step)})`);
  }
  const { action, ...params } = step;
  return { action: action as string, params };
}

const PARAM_ORDER = ["u", "target"];

/** "DcRemove u=1 target=2": the action, then u, target and any other parameter by name. */
export function stepKey(step: DcaStep): string {
  const names = Object.keys(step.params).sort((a, b) => {
    const [ia, ib] = [PARAM_ORDER.indexOf(a), PARAM_ORDER.indexOf(b)];
    return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib) || (a < b ? -1 : a > b ? 1 : 0);
  });
  return [step.action, ...names.map((n) => `${n}=${JSON.stringify(step.params[n])}`)].join(" ");
}

const setItems = (v: ItfValue | undefined): ItfValue[] => {
  if (typeof v === "object" && v !== null && !Array.isArray(v) && "#set" in v && Array.isArray(v["#set"])) return v["#set"];
  throw new Error(`expected a set, got ${JSON.stringify(v)}`);
};
const seqItems = (v: ItfValue | undefined): ItfValue[] => {
  if (Array.isArray(v)) return v;
  // The empty function and the empty sequence are the same value.
  if (typeof v === "object" && v !== null && "#map" in v && Array.isArray(v["#map"]) && v["#map"].length === 0) return [];
  throw new Error(`expected a sequence, got ${JSON.stringify(v)}`);
};

/** st as an array: index i is user i + 1 (TLC prints a function on 1..n as a sequence). */
export function usersOf(state: { [name: string]: ItfValue }): Rec[] {
  return seqItems(state.st).map((s, i) => {
    const r = asRec(s);
    if (!r) throw new Error(`st[${i + 1}] is not a record`);
    return r;
  });
}

/** DCA!Believes for the Correct variant: active, welcomed, nobody ranked before it. */
export function believes(s: Rec): boolean {
  return s.status === "active" && s.welcomed === true && setItems(s.ahead).length === 0;
}

/** DCA!HasWork for the Correct variant. */
export function hasWork(s: Rec): boolean {
  if (s.status !== "active") return false;
  if (s.adding !== 0) return true;
  return believes(s) && (seqItems(s.pendingAdds).length > 0 || seqItems(s.pendingRemoves).length > 0);
}

/** DCA!Quiescent: every active user has read the whole log and nobody has DC work. */
export function isQuiescent(state: { [name: string]: ItfValue }): boolean {
  const len = seqItems(state.log).length;
  const users = usersOf(state);
  return users.every((s) => s.status !== "active" || s.cursor === len) && !users.some(hasWork);
}

/** DCA!GroupDead: no active user is a member of the group's latest epoch. */
export function isGroupDead(state: { [name: string]: ItfValue }): boolean {
  const group = asRec(state.group);
  if (!group) throw new Error("group is not a record");
  const users = usersOf(state);
  return !setItems(group.members).some((m) => typeof m === "number" && users[m - 1]?.status === "active");
}

/**
 * Finer coverage than the action and its parameters, read off the state before the
 * step (Correct variant): what kind of entry a Read consumes and what the reader
 * makes of it (R3, R4, R7-R9), who leaves (R5, R12), and whether a Welcome carries
 * removes (R7) or replaces a tentative one (R8, R12). Only used to choose traces.
 */
export function detailKeys(pre: { [name: string]: ItfValue }, step: DcaStep): string[] {
  const users = usersOf(pre);
  const u = step.params.u;
  const s = typeof u === "number" ? users[u - 1] : undefined;
  if (!s) return [];
  if (step.action === "Read") {
    const log = seqItems(pre.log);
    const m = asRec(log[s.cursor as number]);
    if (!m) return [];
    return [`Read entry=${readOutcome(u as number, s, m)}`];
  }
  if (step.action === "Leave") {
    const tentative = asRec(s.tentative)?.type === "welcome";
    const role =
      s.adding !== 0 ? "dc-mid-add" : believes(s) ? "dc" : s.welcomed ? "member" : tentative ? "joiner-tentative" : "joiner";
    return [`Leave role=${role}`];
  }
  if (step.action === "DcWelcome") {
    const out: string[] = [];
    if (seqItems(s.pendingRemoves).length > 0) out.push("DcWelcome carries-removes");
    // More than one joiner waiting: the DC must take the earliest (R11).
    if (seqItems(s.pendingAdds).length > 1) out.push("DcWelcome with-a-choice-of-joiners");
    const t = typeof step.params.target === "number" ? users[step.params.target - 1] : undefined;
    if (t && asRec(t.tentative)?.type === "welcome") out.push("DcWelcome replaces-tentative");
    return out;
  }
  return [];
}

/** What user u does with log entry m (DCA!OnMessage and CommitOutcome, Correct variant). */
function readOutcome(u: number, s: Rec, m: Rec): string {
  switch (m.type) {
    case "joined":
    case "left":
      return m.type;
    case "welcome":
      if (m.target !== u) return "welcome-other";
      if (s.welcomed) return "welcome-self-repeat";
      return asRec(s.tentative)?.type === "welcome" ? "welcome-self-replaces" : "welcome-self";
    default: {
      if (!s.welcomed) {
        const w = asRec(s.tentative);
        const confirms =
          m.type === "add" && m.target === u && w?.type === "welcome" && m.sender === w.sender && (m.epoch as number) + 1 === w.epoch;
        if (!confirms) return "commit-before-welcome";
        // The Welcome tells the joiner of leaves it never saw (R7): the case a joiner
        // ignoring the Welcome's removes gets wrong.
        const own = seqItems(s.pendingRemoves);
        const unseen = seqItems(w!.removes).some((x) => !own.includes(x));
        return unseen ? "add-confirms-welcome-with-unseen-removes" : "add-confirms-welcome";
      }
      if (m.sender === u) return "commit-own";
      return m.epoch === s.epoch && m.parent === s.by ? `${String(m.type)}-apply` : `${String(m.type)}-reject`;
    }
  }
}
