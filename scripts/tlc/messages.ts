// Parsing of TLC's `-tool` output.
//
// With -tool, TLC frames each message as
//   @!@!@STARTMSG <code>:<class> @!@!@
//   <body lines>
//   @!@!@ENDMSG <code> @!@!@
// <code> is a tlc2.output.EC constant and <class> a tlc2.output.MP class:
// 0 NONE (information), 1 ERROR, 2 TLCBUG, 3 WARNING, 4 STATE (trace output).
// SANY's own output ("Parsing file …", parse and semantic errors) and Java
// exceptions are printed unframed. Markers are not always at the start of a
// line (TLC prints ": @!@!@STARTMSG 5001:0 @!@!@" inside an exception message)
// and messages can nest (an EC 1000 "unexpected exception" wraps the message
// of the exception), so the splitter keeps a stack of open messages.

export interface TlcMessage {
  code: number;
  severity: number;
  body: string;
  /** 1-based line of the STARTMSG marker in the output. */
  line: number;
}

export type TlcEvent =
  | { type: "message"; message: TlcMessage }
  | { type: "text"; text: string; line: number }
  | { type: "framing-error"; reason: string; line: number };

/** MP message classes (the number after the colon in STARTMSG). */
export const Severity = { NONE: 0, ERROR: 1, TLCBUG: 2, WARNING: 3, STATE: 4 } as const;

const MARKER = /@!@!@(STARTMSG (-?\d+):(-?\d+)|ENDMSG (-?\d+)) @!@!@/g;

/** Streaming splitter: push chunks as they arrive, call end() at EOF. */
export class TlcOutputSplitter {
  private pending = "";
  private lineNo = 0;
  private stack: { code: number; severity: number; line: number; lines: string[] }[] = [];

  push(chunk: string): TlcEvent[] {
    this.pending += chunk;
    const events: TlcEvent[] = [];
    let nl: number;
    while ((nl = this.pending.indexOf("\n")) >= 0) {
      const line = this.pending.slice(0, nl).replace(/\r$/, "");
      this.pending = this.pending.slice(nl + 1);
      this.line(line, events);
    }
    return events;
  }

  end(): TlcEvent[] {
    const events: TlcEvent[] = [];
    if (this.pending !== "") this.line(this.pending, events);
    this.pending = "";
    for (const open of this.stack.reverse()) {
      events.push({
        type: "framing-error",
        reason: `message ${open.code} started at line ${open.line} was never ended`,
        line: open.line,
      });
    }
    this.stack = [];
    return events;
  }

  private line(line: string, events: TlcEvent[]): void {
    this.lineNo++;
    let rest = 0;
    let sawMarker = false;
    for (const m of line.matchAll(MARKER)) {
      sawMarker = true;
      this.text(line.slice(rest, m.index), events, true);
      rest = m.index + m[0].length;
      if (m[2] !== undefined) {
        this.stack.push({ code: Number(m[2]), severity: Number(m[3]), line: this.lineNo, lines: [] });
        continue;
      }
      const code = Number(m[4]);
      const open = this.stack.pop();
      if (!open) {
        events.push({ type: "framing-error", reason: `ENDMSG ${code} without a matching STARTMSG`, line: this.lineNo });
      } else if (open.code !== code) {
        events.push({
          type: "framing-error",
          reason: `ENDMSG ${code} does not match STARTMSG ${open.code} of line ${open.line}`,
          line: this.lineNo,
        });
      } else {
        const body = open.lines.join("\n").replace(/\n+$/, "");
        // A nested message's text also belongs to the message that wraps it.
        this.stack.at(-1)?.lines.push(body);
        events.push({ type: "message", message: { code, severity: open.severity, body, line: open.line } });
      }
    }
    if (!sawMarker) this.text(line, events, false);
    else this.text(line.slice(rest), events, true);
  }

  /** Text outside markers: part of the open message's body, or a stray line. */
  private text(s: string, events: TlcEvent[], fragment: boolean): void {
    if (fragment && s.trim() === "") return;
    const open = this.stack.at(-1);
    if (open) open.lines.push(s);
    else events.push({ type: "text", text: s, line: this.lineNo });
  }
}

// ---------------------------------------------------------------------------
// Summary of a whole run.

export interface TraceStep {
  /** TLC's 1-based state number. */
  index: number;
  /** "Initial predicate" or the action's label, e.g. "ReadMsg" or "ReadMsg(2)". */
  action: string;
  /** e.g. "line 21, col 15 to line 25, col 57 of module Inv". */
  location?: string;
  /** The raw TLA+ text of the state. */
  stateText: string;
}

export type TlcOutcome =
  | { kind: "ok" }
  | { kind: "invariant"; name: string }
  | { kind: "property"; name?: string }
  | { kind: "deadlock" }
  | { kind: "assumption"; name?: string }
  | { kind: "error"; message: string };

export interface TlcResult {
  tlcVersion?: string;
  outcome: TlcOutcome;
  statesGenerated?: number;
  distinctStates?: number;
  statesLeft?: number;
  depth?: number;
  seconds?: number;
  /**
   * The counterexample: the first trace TLC printed. With -continue TLC goes on after
   * a violation and prints a trace for each one it finds (see laterTraces).
   */
  errorTrace?: TraceStep[];
  /** How many traces (counterexamples) TLC printed: more than 1 only with -continue. */
  counterexamples?: number;
  /** With -continue: the traces TLC printed after the first, in order (absent if none). */
  laterTraces?: TraceStep[][];
  /** Liveness lasso: the 1-based state the behaviour returns to after the last state. */
  loopsBackTo?: number;
  /** The lasso is TLC's "Stuttering": the last state repeats forever. */
  stuttering?: boolean;
  warnings: string[];
  /** Messages whose code this parser does not know (kept for inspection). */
  unknown: { code: number; severity: number; text: string }[];
}

/** EC codes this module interprets (names from tlc2.output.EC). */
export const EC = {
  GENERAL: 1000,
  TLC_NESTED_EXPRESSION: 2103,
  TLC_ASSUMPTION_FALSE: 2104,
  TLC_INVARIANT_VIOLATED_INITIAL: 2107,
  TLC_PROPERTY_VIOLATED_INITIAL: 2108,
  TLC_INVARIANT_VIOLATED_BEHAVIOR: 2110,
  TLC_ACTION_PROPERTY_VIOLATED_BEHAVIOR: 2112,
  TLC_DEADLOCK_REACHED: 2114,
  TLC_TEMPORAL_PROPERTY_VIOLATED: 2116,
  TLC_BEHAVIOR_UP_TO_THIS_POINT: 2121,
  TLC_BACK_TO_STATE: 2122,
  TLC_STARTING: 2185,
  TLC_FINISHED: 2186,
  TLC_CHECKING_TEMPORAL_PROPS: 2192,
  TLC_SUCCESS: 2193,
  TLC_SEARCH_DEPTH: 2194,
  TLC_CHECKPOINT_START: 2195,
  TLC_CHECKPOINT_END: 2196,
  TLC_CHECKPOINT_RECOVER_START: 2197,
  TLC_CHECKPOINT_RECOVER_END: 2198,
  TLC_STATS: 2199,
  TLC_PROGRESS_STATS: 2200,
  TLC_STATE_PRINT1: 2216,
  TLC_STATE_PRINT2: 2217,
  TLC_STATE_PRINT3: 2218,
  TLC_SANY_END: 2219,
  TLC_SANY_START: 2220,
  TLC_VERSION: 2262,
  TLC_COUNTER_EXAMPLE: 2264,
  TLC_PARSING_FAILED: 3002,
} as const;

/** Informational codes that need no interpretation (start-up, coverage, checkpoints …). */
const INFO_CODES = new Set([
  2187, 2188, 2189, 2190, 2191, 2195, 2196, 2197, 2198, 2201, 2202, 2207, 2208, 2211, 2212, 2221, 2267, 2268,
  2269, 2271, 2772, 2773, 2774, 2775, 2776, 2777,
]);

const num = (s: string | undefined) => (s === undefined ? undefined : Number(s.replace(/,/g, "")));

/** "4 states generated, 4 distinct states found, 0 states left on queue." (also inside 2200 progress lines). */
export function parseStats(text: string): { generated?: number; distinct?: number; left?: number } {
  return {
    generated: num(/([\d,]+) states generated/.exec(text)?.[1]),
    distinct: num(/([\d,]+) distinct states found/.exec(text)?.[1]),
    left: num(/([\d,]+) states left on queue/.exec(text)?.[1]),
  };
}

/** A 2200 progress report: "Progress(4) at <date>: 9 states generated (…), 8 distinct states found (…), 3 states left on queue." */
export function parseProgress(text: string): { depth?: number; generated?: number; distinct?: number; left?: number } {
  return { depth: num(/Progress\((\d+)\)/.exec(text)?.[1]), ...parseStats(text) };
}

/** A 2198 report: "Recovery completed. 822384 states examined. 351301 states on queue." */
export function parseRecovery(text: string): { examined?: number; left?: number } {
  return {
    examined: num(/([\d,]+) states examined/.exec(text)?.[1]),
    left: num(/([\d,]+) states on queue/.exec(text)?.[1]),
  };
}

/**
 * Seconds from "Finished in …". TLC prints "539ms", "07s", "01min 03s",
 * "02h 05min" or "3d 04h" (coarser units drop the finer ones).
 */
export function parseDuration(text: string): number | undefined {
  const m = /Finished in\s+(.+?)\s+at\b/.exec(text) ?? /Finished in\s+(.+)$/m.exec(text);
  if (!m) return undefined;
  const units: Record<string, number> = { ms: 0.001, s: 1, min: 60, h: 3600, d: 86400 };
  let total = 0;
  let any = false;
  for (const part of m[1]!.trim().split(/\s+/)) {
    const pm = /^(\d+)(ms|s|min|h|d)$/.exec(part);
    if (!pm) return undefined;
    total += Number(pm[1]) * units[pm[2]!]!;
    any = true;
  }
  return any ? Math.round(total * 1000) / 1000 : undefined;
}

// "4: <ReadMsg line 40, col 3 to line 45, col 20 of module Proto>" — the label is
// the action's operator name (TLC 1.7.x prints no arguments; later versions may
// print "ReadMsg(2)"), "Initial predicate", or the whole Next when it is not a
// disjunction of named actions.
const STATE_HEADER = /^(?:State )?(\d+): <(.*)>\s*$/;
const LOCATION = /^(.*?)\s+(line \d+, col \d+ to line \d+, col \d+ of module \S+)$/;

export function parseTraceState(body: string): TraceStep | undefined {
  const nl = body.indexOf("\n");
  const header = STATE_HEADER.exec(nl < 0 ? body : body.slice(0, nl));
  if (!header) return undefined;
  const label = header[2]!.trim();
  const loc = LOCATION.exec(label);
  const step: TraceStep = {
    index: Number(header[1]),
    action: loc ? loc[1]! : label,
    stateText: nl < 0 ? "" : body.slice(nl + 1).trim(),
  };
  if (loc) step.location = loc[2]!;
  return step;
}

/** Joins TLC's multi-line text into one line. */
const oneLine = (s: string) => s.split("\n").map((l) => l.trim()).filter(Boolean).join(" ");

/** SANY prints its errors unframed between "Starting SANY" and "SANY finished". */
function sanyErrors(lines: string[]): string {
  const keep = lines.filter((l) => !/^(Parsing file |Semantic processing of module |Linting of module )/.test(l.trim()));
  const text = oneLine(keep.join("\n"));
  // The parser's "Residual stack trace" repeats what the error already said.
  return text.replace(/\s*Residual stack trace follows:.*$/, "");
}

/** Interprets the events of a complete run. */
export function summarize(events: Iterable<TlcEvent>): TlcResult {
  const result: TlcResult = { outcome: { kind: "ok" }, warnings: [], unknown: [] };
  let outcome: TlcOutcome | undefined; // first violation/error wins
  let framing: { reason: string; line: number } | undefined;
  // Every trace TLC printed: one, or with -continue one per violation found. A state
  // numbered no higher than the one before (TLC numbers each trace from 1) starts the next.
  const traces: TraceStep[][] = [];
  const addState = (step: TraceStep) => {
    const current = traces.at(-1);
    if (current && step.index > current.at(-1)!.index) current.push(step);
    else traces.push([step]);
  };
  let inSany = false;
  const sanyText: string[] = [];
  const strays: string[] = [];
  let success = false;
  let finished = false;
  let progress: ReturnType<typeof parseStats> | undefined;
  let parsingFailed = false;

  const fail = (o: TlcOutcome) => {
    outcome ??= o;
  };
  const addDetail = (detail: string) => {
    if (outcome?.kind === "error") outcome = { kind: "error", message: `${outcome.message} (${detail})` };
  };

  for (const ev of events) {
    if (ev.type === "framing-error") {
      framing ??= ev;
      continue;
    }
    if (ev.type === "text") {
      if (inSany) sanyText.push(ev.text);
      else if (ev.text.trim() !== "") strays.push(ev.text.trim());
      continue;
    }
    const { code, severity, body } = ev.message;
    switch (code) {
      case EC.TLC_VERSION:
        result.tlcVersion = body.trim();
        break;
      case EC.TLC_SANY_START:
        inSany = true;
        break;
      case EC.TLC_SANY_END:
        inSany = false;
        break;
      case EC.TLC_STARTING:
        break;
      case EC.TLC_FINISHED:
        finished = true;
        result.seconds = parseDuration(body);
        break;
      case EC.TLC_SUCCESS:
        success = true;
        break;
      case EC.TLC_STATS: {
        const s = parseStats(body);
        result.statesGenerated = s.generated;
        result.distinctStates = s.distinct;
        result.statesLeft = s.left;
        break;
      }
      case EC.TLC_PROGRESS_STATS:
        progress = parseStats(body);
        break;
      case EC.TLC_SEARCH_DEPTH:
        result.depth = num(/depth of the complete state graph search is ([\d,]+)/.exec(body)?.[1]);
        break;
      case EC.TLC_CHECKING_TEMPORAL_PROPS:
        break;
      case EC.TLC_INVARIANT_VIOLATED_BEHAVIOR:
      case EC.TLC_INVARIANT_VIOLATED_INITIAL: {
        fail({ kind: "invariant", name: /Invariant (\S+) is violated/.exec(body)?.[1] ?? "?" });
        // The initial-state variant carries the state itself instead of a 2217 trace.
        const st = /is violated by the initial state:\n([\s\S]*)$/.exec(body);
        if (st) addState({ index: 1, action: "Initial predicate", stateText: st[1]!.trim() });
        break;
      }
      case EC.TLC_PROPERTY_VIOLATED_INITIAL:
      case EC.TLC_ACTION_PROPERTY_VIOLATED_BEHAVIOR: {
        const name = /(?:Property|property) (\S+) is violated/.exec(body)?.[1];
        fail(name === undefined ? { kind: "property" } : { kind: "property", name });
        break;
      }
      case EC.TLC_TEMPORAL_PROPERTY_VIOLATED:
        fail({ kind: "property" });
        break;
      case EC.TLC_DEADLOCK_REACHED:
        fail({ kind: "deadlock" });
        break;
      case EC.TLC_ASSUMPTION_FALSE: {
        const where = /^Assumption (.*) is false\.?$/m.exec(body)?.[1];
        fail(where === undefined ? { kind: "assumption" } : { kind: "assumption", name: where });
        break;
      }
      case EC.TLC_BEHAVIOR_UP_TO_THIS_POINT:
      case EC.TLC_COUNTER_EXAMPLE:
        break; // headers of the trace that follows
      case EC.TLC_STATE_PRINT1:
      case EC.TLC_STATE_PRINT2: {
        const step = parseTraceState(body);
        if (step) addState(step);
        else fail({ kind: "error", message: `unrecognised trace state at output line ${ev.message.line}: ${oneLine(body)}` });
        break;
      }
      case EC.TLC_STATE_PRINT3: {
        // "3: Stuttering": the previous state repeats forever (of the first counterexample only).
        if (traces.length > 1) break;
        result.stuttering = true;
        if (traces.length > 0) result.loopsBackTo = traces[0]!.at(-1)!.index;
        break;
      }
      case EC.TLC_BACK_TO_STATE: {
        // "1: Back to state: <Step line …>" (older TLCs: "Back to state 1").
        const m = /^(\d+): Back to state\b/.exec(body) ?? /Back to state:?\s*(\d+)/.exec(body);
        if (!m) fail({ kind: "error", message: `unrecognised "Back to state" message: ${oneLine(body)}` });
        else if (traces.length <= 1) result.loopsBackTo = Number(m[1]); // of the first counterexample only
        break;
      }
      case EC.TLC_NESTED_EXPRESSION: {
        // Where an evaluation error happened; the innermost position is the most useful.
        const positions = body.split("\n").filter((l) => /^\d+\. /.test(l.trim()));
        const where = positions.at(-1)?.trim().replace(/^\d+\.\s*/, "");
        if (outcome?.kind === "error") addDetail(`at ${where ?? oneLine(body)}`);
        else fail({ kind: "error", message: oneLine(body) });
        break;
      }
      case EC.TLC_PARSING_FAILED: {
        parsingFailed = true;
        const details = sanyErrors(sanyText);
        fail({ kind: "error", message: details ? `${oneLine(body)} ${details}` : oneLine(body) });
        break;
      }
      default:
        if (severity === Severity.WARNING) result.warnings.push(oneLine(body));
        else if (severity === Severity.ERROR || severity === Severity.TLCBUG) {
          fail({ kind: "error", message: oneLine(body) || `TLC error message ${code}` });
        } else if (!INFO_CODES.has(code)) {
          result.unknown.push({ code, severity, text: oneLine(body) });
          // An unknown state-class message means trace output we do not understand.
          if (severity !== Severity.NONE) {
            fail({ kind: "error", message: `unexpected TLC message ${code}:${severity}: ${oneLine(body)}` });
          }
        }
    }
  }

  if (result.statesGenerated === undefined && progress) {
    result.statesGenerated = progress.generated;
    result.distinctStates = progress.distinct;
    result.statesLeft = progress.left;
  }
  if (traces.length > 0) {
    result.errorTrace = traces[0]!;
    result.counterexamples = traces.length;
    if (traces.length > 1) result.laterTraces = traces.slice(1);
  }
  // Whatever SANY printed besides its progress lines on a successful parse (e.g. warnings).
  const sany = sanyErrors(sanyText);
  if (sany && !parsingFailed && finished) result.warnings.push(`SANY: ${sany}`);

  if (framing) {
    result.outcome = { kind: "error", message: `malformed TLC output at line ${framing.line}: ${framing.reason}` };
  } else if (!finished) {
    const after = !outcome
      ? ""
      : outcome.kind === "error"
        ? `; TLC reported: ${outcome.message}`
        : ` (after reporting: ${describeOutcome(outcome)})`;
    const extra = sany ? `; SANY said: ${sany}` : strays.length > 0 ? `; last output: ${strays.at(-1)}` : "";
    result.outcome = { kind: "error", message: `TLC output ended before TLC finished${after}${extra}` };
  } else if (outcome) {
    result.outcome = outcome;
  } else if (!success) {
    result.outcome = { kind: "error", message: "TLC finished without reporting success or a violation" };
  }
  return result;
}

/** Splits and summarizes a complete output text. */
export function parseTlcOutput(text: string): TlcResult {
  const splitter = new TlcOutputSplitter();
  return summarize([...splitter.push(text), ...splitter.end()]);
}

export function describeOutcome(o: TlcOutcome): string {
  switch (o.kind) {
    case "ok":
      return "no error found";
    case "invariant":
      return `invariant ${o.name} violated`;
    case "property":
      return o.name ? `property ${o.name} violated` : "temporal property violated";
    case "deadlock":
      return "deadlock reached";
    case "assumption":
      return o.name ? `assumption ${o.name} is false` : "assumption is false";
    case "error":
      return `error: ${o.message}`;
  }
}
