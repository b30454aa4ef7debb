// The replay page (`npm run replay -- <trace> --html`): the model's run as a
// chart, with a column saying at each step whether the implementation's
// mapped state (conformance/model/refinement.ts) equals the model's, and a state
// panel showing the two side by side: every value that differs carries
// class "diff" and shows both. The first divergence is marked (class
// "divergence") in the header, on its row and in its panel.

import { formatParams } from "../../../conformance/model/step-labels.ts";
import type { ReplayReport, StepReport } from "../../../conformance/replay/replay-trace.ts";
import type { ModelState } from "../../../conformance/model/refinement.ts";
import type { ItfState } from "../../tlc/formats/itf.ts";
import { html, type Raw } from "./escape.ts";
import type { LoadedTrace } from "./load.ts";
import { renderPage } from "./page.ts";
import type { PanelState } from "./state-panel.ts";
import type { Conformance } from "./svg.ts";

export interface ReplayPageInput extends LoadedTrace {
  report: ReplayReport;
  /** The implementation's mapped state after each replayed step (replayTrace's onMapped). */
  mapped: ModelState[];
  mls: boolean;
}

const isBad = (s: StepReport) => s.differences.length > 0 || s.mlsProblems.length > 0 || s.refused !== undefined;

/** What differs at a step, one line each (the CLI prints the same facts). */
export function divergenceLines(s: StepReport): string[] {
  return [
    ...(s.refused ? [`the implementation refused the step: ${s.refused}`] : []),
    ...s.differences.map((d) => `${d.path}: model ${d.model}, implementation ${d.impl}`),
    ...s.mlsProblems.map((p) => `MLS: ${p}`),
  ];
}

function summary(s: StepReport): string {
  if (s.refused) return "step refused";
  const n = s.differences.length, m = s.mlsProblems.length;
  return [n ? `${n} field${n === 1 ? "" : "s"} differ${n === 1 ? "s" : ""}` : "", m ? `${m} MLS problem${m === 1 ? "" : "s"}` : ""].filter(Boolean).join(", ");
}

export function renderReplayPage(input: ReplayPageInput): string {
  const { trace, report } = input;
  const steps = report.steps;
  const first = steps.find(isBad);
  const conformance: Conformance[] = trace.states.map((_, i) => {
    const s = steps[i];
    if (!s) return { kind: "not-replayed" };
    return isBad(s) ? { kind: "differs", summary: summary(s) } : { kind: "same" };
  });
  const mapped = (i: number) => (steps[i] ? (input.mapped[i] as unknown as ItfState | undefined) : undefined);
  const impl = (i: number): PanelState | "not replayed" => {
    const state = mapped(i);
    if (!state) return "not replayed";
    const prev = i > 0 ? mapped(i - 1) : undefined;
    return prev ? { state, prev } : { state };
  };
  const who = `the implementation (variant ${report.variant}, MLS ${input.mls ? "on" : "off"})`;
  const banner: Raw = first
    ? html`<div class="banner divergence" data-step="${first.index}">✗ ${who} left the model at <a href="#step-${first.index}" data-goto="${first.index}">step ${first.index}</a> (${first.action}${formatParams(first.params)}):
<ul>${divergenceLines(first).map((l) => html`<li><code>${l}</code></li>`)}</ul>
${steps.length < trace.states.length ? html`<span class="note">The replay stopped there; ${trace.states.length - steps.length} step(s) not replayed.</span>` : ""}</div>`
    : html`<div class="banner ok">✓ ${who} followed all ${steps.length - 1} steps of the trace: at every step its mapped state equals the model's.</div>`;
  const stepNote = (i: number): Raw | undefined => {
    const s = steps[i];
    if (!s) return undefined;
    const rejected = s.rejected ? html`<div class="step-banner info">The reader rejected the entry: ${s.rejected}</div>` : "";
    if (!isBad(s)) return html`<div class="step-banner info">= The implementation's mapped state equals the model's.</div>${rejected}`;
    const cls = first && first.index === i ? "step-banner bad divergence" : "step-banner bad";
    return html`<div class="${cls}">≠ ${first && first.index === i ? "First divergence: " : ""}the implementation's mapped state differs from the model's (cells outlined in red show both):
<ul>${divergenceLines(s).map((l) => html`<li><code>${l}</code></li>`)}</ul></div>${rejected}`;
  };
  return renderPage({
    ...input,
    heading: "Replay",
    banner,
    chartOptions: { conformance, ...(first ? { divergence: first.index } : {}) },
    impl,
    implVariant: report.variant,
    stepNote,
    ...(first ? { initialStep: first.index } : {}),
  });
}
