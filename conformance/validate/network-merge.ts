// One behaviour of the model from one networked run (spec/network.md): the
// delivery service's log (the order of every append) merged with every client's
// recording of its own steps (impl/client/step-record.ts), mapped to the model's
// variables by the refinement mapping (conformance/model/refinement.ts) and written as
// ITF, so TLC can check it with tla/DCA_Validate.tla (npm run validate).
//
// The order rebuilt: each append at its log index (the DS's `joined`/`left` as
// Join/Leave, a DC's entry as its DC step, matched to that client's recorded DC
// steps in order); each client's steps in the order it took them; a read of entry
// i after the append of entry i, and as early as that allows (reads are local:
// they commute with every other member's steps); a revive where the log was as long
// as its reviver had read. A recorded DC step whose entry
// never reached the log is allowed only as the last steps of a user the log
// announces as left (a fenced zombie's step, refused by the DS).
//
// A run of the batched rules (clients with batch: true, spec/batching.md section 4) is
// told by its log: every welcome, add and remove carries `targets` there, none does
// under today's rules, and a log with both is refused. It is mapped by the batched
// refinement mapping (conformance/model/batch-refinement.ts), its DC steps labelled with
// their entries' targets and the trace's header saying `batch: true`, so
// `npm run validate` checks it against tla/DCA_BatchValidate.tla.

import { creatorState, joinerState } from "../../impl/rules.ts";
import { isBatched, targetsOf, type LogEntry, type MemberState, type Uid, type Variant } from "../../impl/types.ts";
import type { RecordedStep } from "../../impl/client/step-record.ts";
import type { ItfState, ItfTrace } from "../../scripts/tlc/formats/itf.ts";
import { modelHash } from "../generate/model-source-hash.ts";
import { coreEntryToBatch, coreMemberToBatch, toBatchModel } from "../model/batch-refinement.ts";
import { toModel, type ModelState, type Revival } from "../model/refinement.ts";
import { DCA_VARS } from "../model/vocabulary.ts";
import { batchItfParams } from "./run-recorder.ts";

/** The recordings and the log do not make one behaviour: names the user, step or log index and why. */
export class MergeError extends Error {
  override readonly name = "MergeError";
}

const ENTRY_OF: Record<string, LogEntry["type"]> = {
  DcWelcome: "welcome",
  DcLateWelcome: "welcome",
  DcAdd: "add",
  DcAddFirst: "add",
  DcRemove: "remove",
  DcSkip: "skipped",
};

/** Whom a DC's entry is about: the target of a Welcome or Commit, the joiner of a skip (R16). */
const aboutOf = (e: LogEntry): Uid | undefined => (e.type === "skipped" ? e.uid : "target" in e ? e.target : undefined);

export interface MergedRun {
  trace: ItfTrace;
  /** The run is of the batched rules (its log's entries carry targets). */
  batched: boolean;
  /** The merged steps, as "Action(u → target)", in order. */
  order: string[];
  /** Recorded DC steps of fenced users that never reached the log. */
  dropped: number;
}

/**
 * Whether the log was written under the batched rules: its welcome, add and remove
 * entries all carry `targets`, or none does. `expected` (the caller's setting, if it
 * knows it) must agree. A log without such entries is whatever `expected` says (today's
 * rules by default).
 */
export function logIsBatched(log: readonly LogEntry[], expected?: boolean): boolean {
  const lists = log.flatMap((e, i) => (e.type === "welcome" || e.type === "add" || e.type === "remove" ? [{ i, e, batched: isBatched(e) }] : []));
  const withList = lists.find((x) => x.batched);
  const without = lists.find((x) => !x.batched);
  if (withList && without) {
    throw new MergeError(`log index ${withList.i}: a ${withList.e.type} with targets (the batched rules), but log index ${without.i}: a ${without.e.type} without (one target per entry): one room runs one setting`);
  }
  const batched = withList ? true : without ? false : (expected ?? false);
  if (expected !== undefined && expected !== batched) {
    const at = withList ?? without!;
    throw new MergeError(`the merge was asked for ${expected ? "the batched rules (batch: true)" : "today's rules (batch: false)"}, but log index ${at.i} is a ${at.e.type} ${batched ? "with" : "without"} targets`);
  }
  return batched;
}

/**
 * `quiesced`: the run ended with every client idle (read the whole log, nothing
 * to do, nothing unacknowledged): the trace then ends with a Quiesced claim, which
 * TLC checks as DCA!Quiescent (tla/DCA_Validate.tla) — a client that wrongly
 * believes it has nothing to do is caught there.
 */
export function mergeRun(
  log: readonly LogEntry[],
  recordings: ReadonlyMap<Uid, readonly RecordedStep[]>,
  opts: { variant?: Variant; quiesced?: boolean; /** The clients' setting, checked against the log (default: read from it). */ batch?: boolean } = {},
): MergedRun {
  const variant = opts.variant ?? "Correct";
  const batched = logIsBatched(log, opts.batch);
  if (batched && variant !== "Correct") throw new MergeError(`a run of the batched rules is checked with variant Correct only, not ${variant}`);

  const users = Math.max(1, ...log.map((e) => (e.type === "joined" ? e.uid : 1)));
  const leftAt = new Map<Uid, number>();
  log.forEach((e, i) => e.type === "left" && leftAt.set(e.uid, i));

  // Each DC's entries on the log, in order, matched to its recorded DC steps in order.
  const dcEntries = new Map<Uid, number[]>();
  log.forEach((e, i) => {
    if (e.type === "welcome" || e.type === "add" || e.type === "remove" || e.type === "skipped") dcEntries.set(e.sender, [...(dcEntries.get(e.sender) ?? []), i]);
  });
  const matched = new Map<RecordedStep, number>();
  let dropped = 0;
  const queues = new Map<Uid, RecordedStep[]>();
  for (const [u, steps] of recordings) {
    const mine = dcEntries.get(u) ?? [];
    let k = 0;
    const kept: RecordedStep[] = [];
    steps.forEach((s, n) => {
      if (s.uid !== u) throw new MergeError(`user ${u}'s recording, step ${n + 1}: recorded by user ${s.uid}`);
      if (s.action === "Read" || s.action === "Revive") return kept.push(s);
      const type = ENTRY_OF[s.action];
      if (!type) throw new MergeError(`user ${u}'s recording, step ${n + 1}: unknown action ${JSON.stringify(s.action)}`);
      const at = mine[k];
      if (at === undefined) {
        if (leftAt.has(u) && steps.slice(n).every((x) => x.action !== "Read")) {
          dropped++;
          return;
        }
        throw new MergeError(`user ${u}'s recording, step ${n + 1}: ${s.action}(${u} → ${s.target}) has no entry on the log (user ${u} made ${mine.length} entries)`);
      }
      const e = log[at]!;
      if (e.type !== type || aboutOf(e) !== s.target) {
        throw new MergeError(`user ${u}'s recording, step ${n + 1}: ${s.action}(${u} → ${s.target}), but user ${u}'s entry number ${k + 1} (log index ${at}) is a ${e.type} for ${aboutOf(e)}`);
      }
      matched.set(s, at);
      k++;
      kept.push(s);
    });
    if (k < mine.length) throw new MergeError(`log index ${mine[k]}: a ${log[mine[k]!]!.type} by user ${u} that user ${u} never recorded`);
    queues.set(u, kept);
  }
  for (const e of log) if (e.type === "joined" && !queues.has(e.uid)) queues.set(e.uid, []);
  if (!queues.has(1)) queues.set(1, []);

  const members = new Map<Uid, MemberState>([[1, creatorState()]]);
  const revivals: Revival[] = [];
  let nextUid = 2;
  let appended = 0;
  const states: ItfState[] = [];
  const order: string[] = [];
  /** The state now through the refinement mapping of the run's rules. */
  const mapped = (): ModelState => {
    const now = log.slice(0, appended);
    if (!batched) return toModel({ log: now, revivals, nextUid, users, members });
    return toBatchModel({ log: now.map(coreEntryToBatch), revivals, nextUid, users, members: new Map([...members].map(([u, s]) => [u, coreMemberToBatch(s)])) });
  };
  /** `entry`: the DC step's entry, whose targets label a batched step. */
  const push = (action: string, params: { u?: Uid; target?: Uid }, entry?: LogEntry) => {
    const targets = entry === undefined ? undefined : entry.type === "skipped" ? [entry.uid] : "target" in entry ? targetsOf(entry) : undefined;
    const shown = batched ? targets?.join(",") : params.target;
    const label = params.u === undefined ? action : `${action}(${params.u}${shown === undefined ? "" : ` → ${shown}`})`;
    if (states.length > 0) order.push(label);
    const itfParams = batched ? batchItfParams({ ...(params.u === undefined ? {} : { u: params.u }), ...(targets ? { targets: [...targets] } : {}) }) : params;
    states.push({ "#meta": { index: states.length, action, params: itfParams }, ...mapped() });
  };
  push("Init", {});

  const uids = [...queues.keys()].sort((a, b) => a - b);
  const ptr = new Map<Uid, number>(uids.map((u) => [u, 0]));
  for (;;) {
    let progress = false;
    for (const u of uids) {
      const q = queues.get(u)!;
      for (;;) {
        const s = q[ptr.get(u)!];
        if (!s) break;
        const before = members.get(u);
        if (!before || before.status !== "active") break;
        if (s.action === "Read") {
          if (s.logIndex >= appended) break;
          if (s.logIndex !== before.cursor) throw new MergeError(`user ${u}'s recording: a read of log index ${s.logIndex}, but its cursor is ${before.cursor}`);
          members.set(u, s.state);
          ptr.set(u, ptr.get(u)! + 1);
          push("Read", { u });
        } else if (s.action === "Revive") {
          // A revive appends nothing: it is placed where the log was as long as the reviver had read (R15).
          if (s.logIndex !== appended) break;
          members.set(u, s.state);
          revivals.push({ uid: u, logLength: appended });
          ptr.set(u, ptr.get(u)! + 1);
          push("Revive", { u });
        } else {
          if (matched.get(s) !== appended) break;
          appended++;
          members.set(u, s.state);
          ptr.set(u, ptr.get(u)! + 1);
          push(s.action, { u, target: s.target! }, log[appended - 1]);
        }
        progress = true;
      }
    }
    if (progress) continue;
    if (appended >= log.length) break;
    const e = log[appended]!;
    if (e.type === "joined") {
      if (e.uid !== nextUid) throw new MergeError(`log index ${appended}: joined ${e.uid}, but the next UID is ${nextUid}`);
      appended++;
      nextUid++;
      const present = [...members].filter(([, m]) => m.status === "active").map(([v]) => v);
      members.set(e.uid, joinerState(e.uid, appended, present, variant));
      push("Join", { u: e.uid });
    } else if (e.type === "left") {
      const s = members.get(e.uid);
      if (!s || s.status !== "active") throw new MergeError(`log index ${appended}: left ${e.uid}, who is not an active user`);
      appended++;
      members.set(e.uid, { ...s, status: "gone" });
      push("Leave", { u: e.uid });
    } else {
      const u = e.sender;
      const s = queues.get(u)?.[ptr.get(u) ?? 0];
      throw new MergeError(`log index ${appended}: a ${e.type} by user ${u}, but user ${u}'s next recorded step is ${s ? `${s.action} (log index ${s.logIndex})` : "none"}`);
    }
  }
  for (const u of uids) {
    const rest = queues.get(u)!.length - ptr.get(u)!;
    if (rest > 0) {
      const s = queues.get(u)![ptr.get(u)!]!;
      throw new MergeError(`user ${u}'s recording: ${rest} steps could not be placed, from ${s.action} of log index ${s.logIndex} (user ${u} is ${members.get(u)?.status ?? "unknown"})`);
    }
  }
  if (opts.quiesced) push("Quiesced", {});
  return {
    trace: {
      "#meta": {
        format: "ITF",
        "format-description": "https://apalache-mc.org/docs/adr/015adr-trace.html",
        description: batched
          ? "A networked run of the batched rules (batch: true): the DS's log merged with every client's recorded steps (spec/network.md), mapped to the batched model's variables"
          : "A networked run: the DS's log merged with every client's recorded steps (spec/network.md), mapped to the model's variables",
        source: "impl-network",
        variant,
        users,
        ...(batched ? { batch: true } : { modelHash: modelHash() }),
      },
      vars: [...DCA_VARS],
      states,
    },
    batched,
    order,
    dropped,
  };
}
