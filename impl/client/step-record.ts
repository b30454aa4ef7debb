// A network client's recording of its own steps, for checking a real run with TLC
// (spec/network.md): one JSON line per model step this member took — the action,
// its parameters, the log index it read or its append landed at, and its st[u]
// after the step. The server's log plus every client's recording is merged into
// one behaviour of the model (conformance/validate/network-merge.ts): of DCA.tla, or of
// the batched model when the clients run batch: true (the log's entries say which).
//
// The line is written before the state file counts the step; on restart the
// recording is cut back to the saved count, so a step the client takes again
// after a crash is recorded once.

import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import type { MemberState, Uid } from "../types.ts";

export interface RecordedStep {
  uid: Uid;
  /** "Read", or a DC step: "DcWelcome", "DcAdd", "DcRemove", "DcSkip", "DcAddFirst", "DcLateWelcome", "Revive". */
  action: string;
  target?: Uid;
  /** The log index read, or where the DC's entry landed (-1 until known); for Revive the log length it saw. */
  logIndex: number;
  /** st[u] after the step (cursor absolute, from the log's start). */
  state: MemberState;
}

export class StepRecorder {
  constructor(private readonly path: string) {}

  /** Cuts the recording back to its first `steps` lines (what the saved state counts). */
  truncate(steps: number): void {
    if (!existsSync(this.path)) {
      writeFileSync(this.path, "");
      return;
    }
    const lines = readFileSync(this.path, "utf8").split("\n").filter((l) => l.length > 0);
    writeFileSync(this.path, lines.slice(0, steps).map((l) => `${l}\n`).join(""));
  }

  append(step: RecordedStep): void {
    // The model's st[u] has no MLS bytes: a tentative Welcome is recorded without them.
    const state = step.state.tentative ? { ...step.state, tentative: { ...step.state.tentative, welcome: undefined } } : step.state;
    appendFileSync(this.path, `${JSON.stringify({ ...step, state })}\n`);
  }
}

/** Reads a recording; a bad line is an error naming the file and line. */
export function readRecording(path: string): RecordedStep[] {
  const lines = readFileSync(path, "utf8").split("\n");
  const out: RecordedStep[] = [];
  lines.forEach((l, i) => {
    if (!l.trim()) return;
    try {
      const s = JSON.parse(l) as RecordedStep;
      if (!Number.isInteger(s.uid) || typeof s.action !== "string" || !Number.isInteger(s.logIndex) || !s.state) throw new Error("missing fields");
      out.push(s);
    } catch (e) {
      throw new Error(`${path}:${i + 1}: not a recorded step (${(e as Error).message})`);
    }
  });
  return out;
}
