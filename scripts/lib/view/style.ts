// The page's stylesheet, inlined. System fonts only (no web fonts: the page
// must not touch the network). Colours carry meaning and are named in the
// legend: slate = membership entries (joined/left), violet = Welcome,
// green = Commit (Add/Remove); blue lifeline = member, amber = tentative
// Welcome, gold band = believes it is the DC, red = something is wrong.

export const STYLE = `
:root {
  --ink: #1d2430; --muted: #6a7382; --line: #dde2ea; --bg: #f7f8fa;
  --membership: #56657a; --welcome: #7a3fc0; --commit: #1e7d45; --other: #8a6d00;
  --member: #2d5b9a; --tentative: #d48a00; --joining: #8d96a5; --waiting: #c4cad4;
  --dc: #f2c230; --bad: #c62828; --bad-bg: #fdecea; --sel: #fff3c4; --good: #1e7d45;
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #fff; }
code, .mono, .v, .impl-value { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
header.top { padding: 14px 20px 10px; border-bottom: 1px solid var(--line); background: var(--bg); }
header.top h1 { margin: 0 0 4px; font-size: 19px; }
header.top p.desc { margin: 0 0 8px; color: var(--ink); }
dl.meta { display: grid; grid-template-columns: max-content minmax(0, 1fr) max-content minmax(0, 1fr); gap: 1px 14px; margin: 0; font-size: 12.5px; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.banner { margin: 10px 0 0; padding: 8px 12px; border-radius: 6px; border: 1px solid; font-weight: 600; }
.banner.violation, .banner.divergence { color: var(--bad); background: var(--bad-bg); border-color: #f3b4ae; }
.banner.ok { color: var(--good); background: #e9f6ee; border-color: #b3dcc2; }
.banner ul { margin: 4px 0 0; padding-left: 20px; font-weight: 400; color: var(--ink); }
.banner a { color: inherit; }
details.legend { margin: 8px 0 0; font-size: 12.5px; }
details.legend summary { cursor: pointer; color: var(--muted); }
.legend-grid { display: flex; flex-wrap: wrap; gap: 4px 40px; font-size: 12px; margin-top: 6px; }
.legend-group h4 { margin: 0 0 2px; font-size: 11.5px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: .04em; }
.legend-group div { display: flex; align-items: center; gap: 8px; line-height: 1.35; }
.legend-grid svg { flex: none; }
main.layout { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 0; }
.chart-col { flex: none; padding: 0 0 24px 0; }
svg.heads { position: sticky; top: 0; z-index: 2; background: rgba(255,255,255,.95); border-bottom: 1px solid var(--line); display: block; }
svg.chart { display: block; }
aside.panel { flex: 1 1 420px; min-width: 420px; position: sticky; top: 0; max-height: 100vh; overflow: auto; padding: 12px 18px 24px; border-left: 1px solid var(--line); background: #fff; }
aside.panel h2 { margin: 0 0 6px; font-size: 16px; }
aside.panel h3 { margin: 14px 0 4px; font-size: 13px; text-transform: none; color: var(--muted); }
aside.panel h3 small { font-weight: 400; }
aside.panel h4.diff { margin: 10px 0 4px; color: var(--bad); font-size: 12.5px; }
.hint { color: var(--muted); font-size: 12px; margin: 0 0 6px; }
.note { color: var(--muted); font-size: 12.5px; margin: 4px 0; }
.step-banner { margin: 6px 0; padding: 6px 10px; border-radius: 5px; font-size: 13px; }
.step-banner.bad { background: var(--bad-bg); color: var(--bad); font-weight: 600; }
.step-banner.info { background: var(--bg); }
.step-banner ul { margin: 2px 0 0; padding-left: 18px; font-weight: 400; color: var(--ink); }
table.st, table.rec { border-collapse: collapse; font-size: 12.5px; }
table.st th, table.st td, table.rec th, table.rec td { border: 1px solid var(--line); padding: 2px 7px; text-align: left; vertical-align: top; }
table.st thead th { background: var(--bg); }
table.st tbody th, table.rec th { font-weight: 500; color: var(--muted); white-space: nowrap; }
table.st tr.derived th { font-style: italic; }
td.dc-yes .v { color: #8a6a00; font-weight: 700; }
td.status-gone .v { color: var(--muted); text-decoration: line-through; }
td.status-waiting .v { color: var(--muted); }
.changed { background: #fff1b8; box-shadow: inset 3px 0 0 #e0a800; }
td.changed .v, li.changed code, p.changed .v { font-weight: 600; }
.diff { outline: 2px solid var(--bad); outline-offset: -2px; }
.impl-value { color: var(--bad); }
.v, .impl-value { white-space: pre; }
ol.log { margin: 0; padding-left: 28px; font-size: 12.5px; }
ol.log li { padding: 1px 4px; }
ol.log.diff, p.empty.diff { outline: 2px solid var(--bad); }
p.empty { margin: 2px 0; font: 12.5px ui-monospace, "DejaVu Sans Mono", monospace; color: var(--muted); }
.cursor { color: var(--member); font-size: 11.5px; white-space: nowrap; }
span.scalar { padding: 1px 6px; font-weight: 400; color: var(--ink); }
/* the chart */
.lifeline-head rect { fill: #fff; stroke: var(--member); stroke-width: 1.2; }
.lifeline-head.ds rect { fill: #3a4350; stroke: #3a4350; }
.lifeline-head text { font-size: 13px; font-weight: 600; fill: var(--ink); }
.lifeline-head.ds text { fill: #fff; }
.col-title { font-size: 11.5px; fill: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.lifelines { pointer-events: none; }
.seg { stroke-linecap: butt; }
.seg.ds { stroke: #3a4350; stroke-width: 4; }
.seg.waiting { stroke: var(--waiting); stroke-width: 1.5; stroke-dasharray: 2 4; }
.seg.joining { stroke: var(--joining); stroke-width: 2; stroke-dasharray: 6 4; }
.seg.tentative { stroke: var(--tentative); stroke-width: 3; stroke-dasharray: 7 3; }
.seg.member { stroke: var(--member); stroke-width: 3; }
.step { cursor: pointer; outline: none; }
.row-bg { fill: transparent; }
.step:hover .row-bg { fill: rgba(45, 91, 154, .06); }
.step.in-loop .row-bg { fill: rgba(198, 40, 40, .04); }
.step.violation .row-bg, .step.divergence .row-bg { fill: rgba(198, 40, 40, .12); }
.step.selected .row-bg { fill: rgba(255, 208, 50, .26); stroke: #e0b400; stroke-width: 1; }
.step.violation.selected .row-bg, .step.divergence.selected .row-bg { fill: rgba(198, 40, 40, .2); stroke: var(--bad); }
.step-index { font: 12px ui-monospace, "DejaVu Sans Mono", monospace; fill: var(--muted); }
.step-label { font-size: 13px; fill: var(--ink); }
.step.selected .step-label { font-weight: 600; }
.muted { fill: var(--muted); color: var(--muted); }
.arrow line, .legend-arrow line { stroke-width: 1.8; }
:is(.arrow, .legend-arrow).read line { stroke-dasharray: 5 3; stroke-width: 1.4; }
.arrow-label { font-size: 12px; paint-order: stroke; stroke: #fff; stroke-width: 3.5px; stroke-linejoin: round; }
:is(.arrow, .legend-arrow).membership line { stroke: var(--membership); } .arrow.membership .arrow-label { fill: var(--membership); }
:is(.arrow, .legend-arrow).welcome line { stroke: var(--welcome); } .arrow.welcome .arrow-label { fill: var(--welcome); }
:is(.arrow, .legend-arrow).commit line { stroke: var(--commit); } .arrow.commit .arrow-label { fill: var(--commit); }
:is(.arrow, .legend-arrow).other line { stroke: var(--other); } .arrow.other .arrow-label { fill: var(--other); }
.arrow.append .arrow-label { font-weight: 600; }
.head-membership path { fill: var(--membership); } .head-welcome path { fill: var(--welcome); }
.head-commit path { fill: var(--commit); } .head-other path { fill: var(--other); } .head-loop path { fill: var(--bad); }
rect.dc, rect.legend-dc { fill: var(--dc); opacity: .75; }
rect.dc.multi { fill: var(--bad); opacity: .7; }
.dc-tag { font-size: 10.5px; font-weight: 700; fill: #8a6a00; }
.multi-dc .dc-tag { fill: var(--bad); }
.epoch { font: 10.5px ui-monospace, "DejaVu Sans Mono", monospace; fill: var(--member); }
text.leave, text.legend-leave { font-size: 17px; font-weight: 700; fill: var(--bad); }
.row-note { font-size: 12.5px; }
.row-note .bad { fill: var(--bad); font-weight: 600; }
.row-note .warn { fill: #b26a00; font-weight: 600; }
.row-note .same { fill: var(--good); }
path.loop { fill: none; stroke: var(--bad); stroke-width: 1.8; stroke-dasharray: 4 3; }
/* the index page */
table.index { border-collapse: collapse; margin: 16px 20px; font-size: 13.5px; }
table.index th, table.index td { border-bottom: 1px solid var(--line); padding: 5px 12px 5px 0; text-align: left; vertical-align: top; }
table.index td.num { text-align: right; }
table.index .bad { color: var(--bad); font-weight: 600; }
`;
