// The state panel of one step: every variable of the state, in TLA+ notation
// (itfToTla), laid out for reading: `st` as a table (one column per user),
// the log as a numbered list, records field by field. Values that changed
// since the previous step have class "changed". On the replay page the
// implementation's mapped state is shown against the model's: a value that
// differs has class "diff" and shows both.

import { canonical } from "../../../conformance/model/diff.ts";
import type { ItfState } from "../../tlc/formats/itf.ts";
import { isItfRecord, itfToTla, type ItfValue } from "../../tlc/formats/tla-values.ts";
import { Believes, readUsers } from "../../../conformance/model/state-view.ts";
import type { Variant } from "../../../impl/types.ts";
import { html, raw, type Raw } from "./escape.ts";

type Rec = Record<string, ItfValue>;

const same = (a: ItfValue | undefined, b: ItfValue | undefined) =>
  a === undefined || b === undefined ? a === b : canonical(a) === canonical(b);
const tla = (v: ItfValue | undefined) => (v === undefined ? "(absent)" : itfToTla(v));
const isRec = (v: ItfValue | undefined): v is Rec => isItfRecord(v);
const NO_WELCOME = canonical({ type: "none" }); // tla/DCA.tla: NoWelcome == [type |-> "none"]
/**
 * Like `tla`, but for a table cell: DCA's NoWelcome by its name, and a record of
 * more than two fields with one field per line.
 */
const pretty = (v: ItfValue | undefined) =>
  isRec(v) && canonical(v) === NO_WELCOME
    ? "NoWelcome"
    : isRec(v) && Object.keys(v).length > 2 ? `[${Object.entries(v as Rec).map(([k, x]) => `${k} |-> ${itfToTla(x)}`).join(",\n ")}]` : tla(v);

export interface PanelState {
  state: ItfState;
  prev?: ItfState;
}

export interface PanelInput {
  vars: string[];
  variant: string;
  /** Replay page: the implementation's variant (default: the trace's), for its "believes DC" row. */
  implVariant?: string;
  model: PanelState;
  /** Replay page: the implementation's mapped state at this step (absent: not replayed). */
  impl?: PanelState | "not replayed";
}

/** One value cell: the model's value, flagged if it changed, and the implementation's if it differs. */
function cell(model: ItfValue | undefined, prev: ItfValue | undefined, impl: ItfValue | undefined | null, tag = "td", extra = ""): Raw {
  const changed = prev !== undefined && !same(model, prev);
  const differs = impl !== null && !same(model, impl);
  const cls = [changed ? "changed" : "", differs ? "diff" : "", extra].filter(Boolean).join(" ");
  const implPart = differs ? html`<div class="impl-value" title="the implementation's mapped value">impl: ${pretty(impl ?? undefined)}</div>` : "";
  return raw(`<${tag}${cls ? ` class="${cls}"` : ""}>${html`<span class="v">${pretty(model)}</span>${implPart}`}</${tag}>`);
}

/** Entries of `now` that `before` did not end with: the log is compacted at the front and appended at the back. */
export function appendedCount(before: ItfValue[], now: ItfValue[]): number {
  const b = before.map(canonical), n = now.map(canonical);
  for (let dropped = 0; dropped <= b.length; dropped++) {
    const kept = b.slice(dropped);
    if (kept.length <= n.length && kept.every((e, j) => e === n[j])) return n.length - kept.length;
  }
  return n.length;
}

function stTable(input: PanelInput, implState: ItfState | undefined): Raw {
  const { model } = input;
  const st = model.state.st as unknown as Rec[];
  const prevSt = model.prev?.st as unknown as Rec[] | undefined;
  const implSt = implState?.st as unknown as Rec[] | undefined;
  const fields = Object.keys(st[0] ?? {});
  const head = st.map((_, k) => html`<th scope="col">user ${k + 1}</th>`);
  // DCA!Believes per user, through the typed view of st.
  const believers = (state: ItfState | undefined, variant: string) => (state ? readUsers(state).map((u) => Believes(u, variant as Variant)) : undefined);
  const nowAll = believers(model.state, input.variant)!;
  const beforeAll = believers(model.prev, input.variant);
  const implAll = believers(implState, input.implVariant ?? input.variant);
  const dcRow = st.map((_, k) => {
    const now = nowAll[k]!;
    const before = beforeAll ? beforeAll[k]! : now;
    const implNow = implAll ? implAll[k]! : now;
    return cell(now, before, implAll ? implNow : null, "td", now ? "dc-yes" : "");
  });
  const rows = fields.map((f) => {
    const cells = st.map((s, k) => cell(s[f], prevSt?.[k]?.[f], implSt ? implSt[k]?.[f] : null, "td", f === "status" ? `status-${String(s[f])}` : ""));
    return html`<tr><th scope="row">${f}</th>${cells}</tr>`;
  });
  return html`<table class="st"><thead><tr><th>st</th>${head}</tr></thead><tbody>
<tr class="derived"><th scope="row" title="DCA!Believes(u): active, welcomed and nobody ranked ahead; computed, not a variable">believes DC</th>${dcRow}</tr>
${rows}</tbody></table>`;
}

function logList(log: ItfValue[], prev: ItfValue[] | undefined, st: Rec[], cls: string): Raw {
  const fresh = prev ? appendedCount(prev, log) : 0;
  const items = log.map((e, j) => {
    const next = st.flatMap((s, k) => (s.status === "active" && s.cursor === j ? [k + 1] : []));
    const who = next.length ? html` <span class="cursor" title="the next entry these users read">◂ next for ${next.join(", ")}</span>` : "";
    return html`<li${raw(j >= log.length - fresh ? ' class="changed"' : "")}><code>${itfToTla(e)}</code>${who}</li>`;
  });
  const dropped = prev ? prev.length + fresh - log.length : 0;
  const note = dropped > 0 ? html`<p class="note">${dropped} entr${dropped === 1 ? "y" : "ies"} read by every active user dropped at this step (DCA!Settle).</p>` : "";
  const body = log.length ? html`<ol class="log ${cls}">${items}</ol>` : html`<p class="empty ${cls}">&lt;&lt;&gt;&gt; (empty)</p>`;
  return html`${note}${body}`;
}

function recordTable(model: ItfValue, prev: ItfValue | undefined, impl: ItfValue | undefined | null): Raw {
  const m = model as Rec;
  const p = isRec(prev) ? (prev as Rec) : undefined;
  const i = impl === null ? null : isRec(impl) ? (impl as Rec) : undefined;
  const rows = Object.keys(m).map((f) => html`<tr><th scope="row">${f}</th>${cell(m[f], p?.[f], i === null ? null : i?.[f])}</tr>`);
  return html`<table class="rec">${rows}</table>`;
}

export function renderStatePanel(input: PanelInput): Raw {
  const { model, vars } = input;
  const implState = input.impl && input.impl !== "not replayed" ? input.impl.state : undefined;
  const implPrev = input.impl && input.impl !== "not replayed" ? input.impl.prev : undefined;
  const parts: Raw[] = [];
  if (input.impl === "not replayed") parts.push(html`<p class="note">The implementation did not replay this step (the replay stopped at its first divergence).</p>`);
  // The users' states first: they are what a step changes and what the properties talk about.
  const order = [...["st", "log", "group", "nextUid"].filter((v) => vars.includes(v)), ...vars.filter((v) => !["st", "log", "group", "nextUid"].includes(v))];
  for (const v of order) {
    const value = model.state[v] as ItfValue;
    if (v === "st") parts.push(html`<h3>st <small>(local state of each user)</small></h3>${stTable(input, implState)}`);
    else if (v === "log") {
      const st = model.state.st as unknown as Rec[];
      const mLog = value as ItfValue[];
      const iLog = implState?.log as ItfValue[] | undefined;
      const differs = iLog !== undefined && !same(mLog, iLog);
      parts.push(html`<h3>log <small>(retained part, ${mLog.length} entr${mLog.length === 1 ? "y" : "ies"})</small></h3>
${logList(mLog, model.prev?.log as ItfValue[] | undefined, st, differs ? "diff" : "")}
${differs ? html`<h4 class="diff">the implementation's log</h4>${logList(iLog, implPrev?.log as ItfValue[] | undefined, implState!.st as unknown as Rec[], "diff")}` : ""}`);
    } else {
      const prev = model.prev?.[v] as ItfValue | undefined;
      const impl = implState ? (implState[v] as ItfValue | undefined) : null;
      parts.push(
        isRec(value)
          ? html`<h3>${v}</h3>${recordTable(value, prev, impl)}`
          : html`<h3>${v} = ${cell(value, prev, impl, "span", "scalar")}</h3>`,
      );
    }
  }
  return html`${parts}`;
}
