// Choosing which behaviours of the DCA model become replayable traces: the DCA
// half (tla/DCA_Record.tla): the recorded `step` of a state, its key, the finer
// details of a step, and quiescence read off the state (through the typed view,
// conformance/model/state-view.ts). The generic half, the
// cover of a keyed graph by paths and the ranking of random walks, is the TLC
// package's (scripts/tlc/graph-cover.ts).

import { isItfRecord, type ItfValue } from "../../scripts/tlc/formats/tla-values.ts";
import { Believes, GroupDead, Quiescent, view, type ModelLike, type Msg, type UserState } from "../model/state-view.ts";

// ---------------------------------------------------------------------------
// The DCA model (tla/DCA.tla through tla/DCA_Record.tla)

export { CORRECT_ACTIONS, DCA_VARS, MODEL_ACTIONS as DCA_ACTIONS } from "../model/vocabulary.ts";

/** The recorded step of DCA_Record: the action and its parameters. */
export interface DcaStep {
  action: string;
  params: { [name: string]: ItfValue };
}

/** Splits DCA_Record's `step` variable ([action |-> "Read", u |-> 2]) into action and params. */
export function stepOf(state: { [name: string]: ItfValue }): DcaStep {
  const step: unknown = state.step;
  if (!isItfRecord(step) || typeof step.action !== "string") {
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

/** DCA!Quiescent for the Correct variant: every active user has read the whole log and nobody has DC work. */
export const isQuiescent = (state: ModelLike): boolean => Quiescent(state, "Correct").length === 0;

/** DCA!GroupDead: no active user is a member of the group's latest epoch. */
export const isGroupDead = (state: ModelLike): boolean => GroupDead(state);

/**
 * Finer coverage than the action and its parameters, read off the state before the
 * step (Correct variant): what kind of entry a Read consumes and what the reader
 * makes of it (R3, R4, R7-R9), who leaves (R5, R12), whether a Welcome carries
 * removes (R7) or replaces a tentative one (R8, R12), and whether a skip comes
 * before the joiner's Welcome or after it (R16). Only used to choose traces.
 */
export function detailKeys(pre: ModelLike, step: DcaStep): string[] {
  const state = view(pre);
  const u = step.params.u;
  const s = typeof u === "number" ? state.st[u - 1] : undefined;
  if (!s) return [];
  if (step.action === "Read") {
    const m = state.log[s.cursor];
    if (!m) return [];
    return [`Read entry=${readOutcome(s, m)}`];
  }
  if (step.action === "Leave") {
    const role =
      s.adding !== 0 ? "dc-mid-add" : Believes(s, "Correct") ? "dc" : s.welcomed ? "member" : s.tentative ? "joiner-tentative" : "joiner";
    return [`Leave role=${role}`];
  }
  if (step.action === "Revive") {
    // R15: the reviver keeps joiners behind it, or is alone; a tentative Welcome of the dead group is dropped.
    const out = [s.pendingAdds.length > 0 ? "Revive with-joiners" : "Revive alone"];
    if (s.tentative) out.push("Revive drops-tentative");
    return out;
  }
  if (step.action === "DcSkip") {
    // R16: the joiner left before its Welcome, or between its Welcome and its Add (the prepared Commit discarded).
    return [s.adding !== 0 ? "DcSkip mid-add" : "DcSkip before-welcome"];
  }
  if (step.action === "DcWelcome") {
    const out: string[] = [];
    if (s.pendingRemoves.length > 0) out.push("DcWelcome carries-removes");
    // More than one joiner waiting: the DC must take the earliest (R11).
    if (s.pendingAdds.length > 1) out.push("DcWelcome with-a-choice-of-joiners");
    const t = typeof step.params.target === "number" ? state.st[step.params.target - 1] : undefined;
    if (t?.tentative) out.push("DcWelcome replaces-tentative");
    return out;
  }
  return [];
}

/** What user s does with log entry m (DCA!OnMessage and CommitOutcome, Correct variant). */
function readOutcome(s: UserState, m: Msg): string {
  switch (m.type) {
    case "joined":
    case "left":
    case "skipped":
      return m.type;
    case "welcome":
      if (m.target !== s.uid) return "welcome-other";
      if (s.welcomed) return "welcome-self-repeat";
      return s.tentative ? "welcome-self-replaces" : "welcome-self";
    default: {
      if (!s.welcomed) {
        const w = s.tentative;
        const confirms = m.type === "add" && m.target === s.uid && w !== null && m.sender === w.sender && m.epoch + 1 === w.epoch;
        if (!confirms) return "commit-before-welcome";
        // The Welcome tells the joiner of leaves it never saw (R7): the case a joiner
        // ignoring the Welcome's removes gets wrong.
        // R15: removes of users of a dead group (below every member of the Welcome) are dropped.
        const lowest = Math.min(...w.members);
        if (s.pendingRemoves.some((x) => x < lowest)) return "add-confirms-welcome-dropping-stale-removes";
        const unseen = w.removes.some((x) => !s.pendingRemoves.includes(x));
        return unseen ? "add-confirms-welcome-with-unseen-removes" : "add-confirms-welcome";
      }
      if (m.sender === s.uid) return "commit-own";
      return m.epoch === s.epoch && m.parent === s.by ? `${m.type}-apply` : `${m.type}-reject`;
    }
  }
}
