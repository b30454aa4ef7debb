// Reading a trace for the viewer: ITF validation (scripts/tlc/formats/itf.ts), then
// the DCA trace's shape (conformance/model/vocabulary.ts) and the chart model
// (chart.ts). Every way a trace can be unusable ends in an ItfError,
// TraceError or ViewError naming the file.

import { TraceError } from "../../../conformance/model/vocabulary.ts";
import { ItfError, readItf, type ItfTrace } from "../../tlc/formats/itf.ts";
import { buildChart, ViewError, type Chart } from "./chart.ts";

export interface LoadedTrace {
  file: string;
  trace: ItfTrace;
  chart: Chart;
}

export async function loadTrace(file: string): Promise<LoadedTrace> {
  const trace = await readItf(file);
  return { file, trace, chart: buildChart(trace, file) };
}

/** An input problem (as opposed to a bug in the viewer): reported in one line, exit status 2. */
export const isInputError = (e: unknown): e is Error => e instanceof ItfError || e instanceof TraceError || e instanceof ViewError;

/** One line, whatever the error: input problems say what is wrong; anything else says it is unexpected. */
export function oneLine(e: unknown): string {
  const text = isInputError(e) ? e.message : `unexpected ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
  return text.replace(/\s*\n\s*/g, "; ");
}
