// Draws a chart model (chart.ts) as a message sequence chart in SVG: one
// column per lifeline (the DS log first, then users 1..N), one row per step.
// Two SVGs: the lifeline heads (sticky at the top of the page) and the body.
//
// Hooks for tests and the page script (the only classes they rely on):
//   .lifeline[data-user=u] / .lifeline[data-role=ds]   one per lifeline
//   .step[data-step=i]            a row; clicking it selects the step
//   .arrow[data-step][data-kind][data-entry]           one per arrow (chart.ts)
//   .dc[data-step][data-user]     a user that believes it is the DC there
//   .leave[data-step][data-user]  the ✕ where a user leaves
//   .violation / .divergence      on the row where the property / replay breaks

import type { Arrow, Chart, Lane, Row, UserView } from "./chart.ts";
import { html, raw, type Raw } from "./escape.ts";

export const LAYOUT = { label: 175, col: 125, head: 44, row: 36, right: 260 } as const;

/** Per step on the replay page: does the implementation's mapped state equal the model's? */
export type Conformance = { kind: "same" } | { kind: "differs"; summary: string } | { kind: "not-replayed" };

export interface ChartOptions {
  conformance?: Conformance[];
  /** The first step whose implementation state differs from the model's. */
  divergence?: number;
}

/** The colour family of a log entry, named in the legend. */
export function entryClass(type: unknown): string {
  return type === "joined" || type === "left" || type === "skipped" ? "membership" : type === "welcome" ? "welcome" : type === "add" || type === "remove" ? "commit" : "other";
}

const laneX = (lane: Lane) => LAYOUT.label + LAYOUT.col * (lane === "ds" ? 0.5 : lane + 0.5);
const rowY = (i: number) => i * LAYOUT.row;

function segmentClass(u: UserView): string | undefined {
  if (u.status === "waiting") return "waiting";
  if (u.status === "gone") return undefined;
  if (u.welcomed) return "member";
  return u.tentative ? "tentative" : "joining";
}

function lifelines(chart: Chart): Raw {
  const h = LAYOUT.row;
  const ds = html`<g class="lifeline" data-role="ds"><line class="seg ds" x1="${laneX("ds")}" x2="${laneX("ds")}" y1="0" y2="${chart.rows.length * h}"/></g>`;
  const users = Array.from({ length: chart.users }, (_, k) => {
    const uid = k + 1;
    const x = laneX(uid);
    const segs = chart.rows.map((row) => {
      // At a Leave the lifeline runs to the ✕ in the middle of the row, in its previous style.
      const leaving = row.leaves === uid && row.index > 0;
      const view = leaving ? chart.rows[row.index - 1]!.users[k]! : row.users[k]!;
      const cls = segmentClass(view);
      if (!cls) return "";
      const y1 = rowY(row.index), y2 = leaving ? y1 + h / 2 : y1 + h;
      return html`<line class="seg ${cls}" x1="${x}" x2="${x}" y1="${y1}" y2="${y2}"/>`;
    });
    return html`<g class="lifeline" data-user="${uid}">${segs}</g>`;
  });
  return html`<g class="lifelines">${ds}${users}</g>`;
}

function arrowSvg(a: Arrow, y: number): Raw {
  const x1 = laneX(a.from), x2 = laneX(a.to);
  const dir = x2 > x1 ? 1 : -1;
  const cls = entryClass(a.entry.type);
  // Labels start just right of the DS lifeline (every arrow has the DS at its left end), so they line up.
  const tx = Math.min(x1, x2) + 10;
  return html`<g class="arrow ${a.kind} ${cls}" data-step="${a.step}" data-kind="${a.kind}" data-entry="${String(a.entry.type)}">
<title>${a.kind === "read" ? `user ${a.to} reads: ${a.label}` : `user ${a.from} appends: ${a.label}`}</title>
<line x1="${x1 + dir * 6}" x2="${x2 - dir * 7}" y1="${y + 8}" y2="${y + 8}" marker-end="url(#head-${cls})"/>
<text class="arrow-label" x="${tx}" y="${y + 2}">${a.label}</text></g>`;
}

function rowSvg(chart: Chart, row: Row, opts: ChartOptions, width: number): Raw {
  const y0 = rowY(row.index), mid = y0 + LAYOUT.row / 2;
  const v = chart.violation;
  const classes = ["step"];
  if (v && v.step === row.index && v.loop === undefined) classes.push("violation");
  if (v?.loop !== undefined && row.index >= v.loop) classes.push("in-loop");
  if (opts.divergence === row.index) classes.push("divergence");
  if (row.believers.length > 1) classes.push("multi-dc");
  const dc = row.believers.map((u) => {
    const x = laneX(u);
    return html`<rect class="dc${row.believers.length > 1 ? " multi" : ""}" data-step="${row.index}" data-user="${u}" x="${x - 5}" y="${y0 + 1}" width="10" height="${LAYOUT.row - 2}" rx="3"><title>user ${u} believes it is the DC</title></rect>`;
  });
  // A "DC" tag where a run of belief starts, so the filled band is named without cluttering every row.
  const tags = row.believers
    .filter((u) => row.index === 0 || !chart.rows[row.index - 1]!.believers.includes(u))
    .map((u) => html`<text class="dc-tag" x="${laneX(u) - 8}" y="${y0 + 31}" text-anchor="end">DC</text>`);
  const epochs = row.epochChanged.map((u) => {
    const view = row.users[u - 1]!;
    return html`<text class="epoch" x="${laneX(u) + 9}" y="${y0 + 31}">e${view.epoch}/${view.by}<title>user ${u} is now in epoch ${view.epoch}, made by ${view.by === 0 ? "nobody (genesis)" : `user ${view.by}'s Commit`}</title></text>`;
  });
  const leave = row.leaves
    ? html`<text class="leave" data-step="${row.index}" data-user="${row.leaves}" x="${laneX(row.leaves)}" y="${mid + 5}" text-anchor="middle">✕<title>user ${row.leaves} leaves (or crashes and the DS announces it)</title></text>`
    : "";
  const notes: Raw[] = [];
  if (row.believers.length > 1) notes.push(html`<tspan class="warn">⚠ ${row.believers.length} users believe they are the DC</tspan>`);
  if (v && v.step === row.index) {
    notes.push(html`<tspan class="bad">✗ ${v.name}</tspan>`);
    const how = v.loop === undefined ? "violated here" : v.loop === row.index ? "↺ stutters here forever" : `↺ loops back to step ${v.loop}`;
    notes.push(html`<tspan class="bad">${how}</tspan>`);
  }
  const c = opts.conformance?.[row.index];
  if (c) {
    notes.push(
      c.kind === "same"
        ? html`<tspan class="same">= same state</tspan>`
        : c.kind === "differs"
          ? html`<tspan class="bad">${opts.divergence === row.index ? "≠ first divergence" : `≠ ${c.summary}`}</tspan>`
          : html`<tspan class="muted">not replayed</tspan>`,
    );
  }
  const noteX = LAYOUT.label + LAYOUT.col * (chart.users + 1) + 30;
  return html`<g class="${classes.join(" ")}" data-step="${row.index}" tabindex="-1">
<rect class="row-bg" x="0" y="${y0}" width="${width}" height="${LAYOUT.row}"/>
<text class="step-index" x="34" y="${mid + 4}" text-anchor="end">${row.index}</text>
<text class="step-label" x="44" y="${mid + 4}">${row.label}${row.paramsFrom === "derived" ? raw('<tspan class="muted"> *</tspan>') : ""}</text>
${dc}${tags}${epochs}${row.arrow ? arrowSvg(row.arrow, y0 + 10) : ""}${leave}
${notes.map((n, k) => html`<text class="row-note" x="${noteX}" y="${mid + 4 + (k - (notes.length - 1) / 2) * 14}">${n}</text>`)}</g>`;
}

/** The lasso's return: an arc in the right margin from the last row up to the loop row. */
function loopArc(chart: Chart): Raw {
  const v = chart.violation;
  if (v?.loop === undefined) return html``;
  const x = LAYOUT.label + LAYOUT.col * (chart.users + 1) + 14;
  const from = rowY(v.step) + LAYOUT.row / 2, to = rowY(v.loop) + LAYOUT.row / 2;
  const d = from === to ? `M ${x - 4} ${from - 4} a 8 8 0 1 1 0 8` : `M ${x - 6} ${from} C ${x + 10} ${from}, ${x + 10} ${to}, ${x - 4} ${to}`;
  return html`<path class="loop" d="${d}" marker-end="url(#head-loop)"><title>the behaviour returns to step ${v.loop} and repeats forever</title></path>`;
}

const MARKERS = ["membership", "welcome", "commit", "other", "loop"]
  .map((c) => `<marker id="head-${c}" class="head-${c}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>`)
  .join("");

/** Whether the chart has anything to say in its right margin (else the state panel gets the room). */
const hasNotes = (chart: Chart, opts: ChartOptions) =>
  opts.conformance !== undefined || chart.violation !== undefined || chart.rows.some((r) => r.believers.length > 1);

export function chartWidth(chart: Chart, opts: ChartOptions = {}): number {
  return LAYOUT.label + LAYOUT.col * (chart.users + 1) + (hasNotes(chart, opts) ? LAYOUT.right : 20);
}

/** The heads (sticky) and the body of the chart. */
export function renderChart(chart: Chart, opts: ChartOptions = {}): { heads: Raw; body: Raw } {
  const width = chartWidth(chart, opts);
  const height = chart.rows.length * LAYOUT.row + 8;
  const head = (lane: Lane, text: string, cls: string) =>
    html`<g class="lifeline-head ${cls}"><rect x="${laneX(lane) - 52}" y="8" width="104" height="28" rx="6"/><text x="${laneX(lane)}" y="27" text-anchor="middle">${text}</text></g>`;
  const heads = html`<svg class="heads" width="${width}" height="${LAYOUT.head}" viewBox="0 0 ${width} ${LAYOUT.head}" role="img" aria-label="lifelines">
<text class="col-title" x="10" y="27">step · action</text>
${head("ds", "DS log", "ds")}${Array.from({ length: chart.users }, (_, k) => head(k + 1, `user ${k + 1}`, "user"))}
${hasNotes(chart, opts) ? html`<text class="col-title" x="${LAYOUT.label + LAYOUT.col * (chart.users + 1) + 30}" y="27">${opts.conformance ? "implementation" : "notes"}</text>` : ""}</svg>`;
  const body = html`<svg class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="message sequence chart">
<defs>${raw(MARKERS)}</defs>
${lifelines(chart)}
<g class="rows">${chart.rows.map((r) => rowSvg(chart, r, opts, width))}</g>
${loopArc(chart)}</svg>`;
  return { heads, body };
}
