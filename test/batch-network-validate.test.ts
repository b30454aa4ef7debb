// TLC validates recorded runs of the real client with batch: true against the batched
// model (tla/DCA_BatchValidate.tla), through what `npm run validate` runs
// (conformance/validate/validate-recorded.ts, which tells a batched run by its form):
//  - over the network: a real DS (WebSocket, loopback) and network clients on real MLS,
//    each recording its steps (impl/client/step-record.ts); three clients join while the
//    DC is not reading (one Welcome and one Add for all three), then two leave at once
//    (one Remove); the DS's log and the recordings merged (network-merge.ts) are accepted;
//  - in-process: impl/room.ts with batch: true, recorded by RunRecorder, the same story;
//  - teeth: the same runs with the test-only batchRank "None" (batch-mates that do not
//    rank each other) are rejected, at the Read where the second joiner of the batch
//    enters the group with the wrong rank: the test computes that step from the run and
//    asserts it; the network run with its log tampered so that the batched Welcome leaves
//    out a joiner is rejected at that DcWelcome; and a batched run is never checked
//    against DCA.tla's single-target model, nor a single-target run against the batched
//    one (refused, naming the mismatch).
// The command itself (npm run validate) is run on a batched network recording and on a
// mixed one. Budget: 60 s (about 25 s measured alone: two network runs, three in-process
// runs, six TLC runs, two commands).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { NetworkClient } from "../impl/client/client.ts";
import { readRecording, StepRecorder, type RecordedStep } from "../impl/client/step-record.ts";
import { Room } from "../impl/room.ts";
import type { LogEntry, Uid } from "../impl/types.ts";
import { mergeRun, MergeError } from "../conformance/validate/network-merge.ts";
import { RunRecorder } from "../conformance/validate/run-recorder.ts";
import { TraceInputError, validateRun } from "../conformance/validate/trace-validate.ts";
import { validateRecordedRun } from "../conformance/validate/validate-recorded.ts";
import { validateBatchRun } from "../conformance/validate/batch-validate.ts";
import { TraceError } from "../conformance/model/vocabulary.ts";
import type { ItfTrace } from "../scripts/tlc/formats/itf.ts";
import { skipWithoutTlc, testJar } from "./local-tlc.ts";
import { heldConnection, loopbackRoom, until } from "./loopback-room.ts";

const dir = mkdtempSync(join(tmpdir(), "dca-batch-validate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Rank = "Uid" | "None";
const describeEntries = (log: LogEntry[]) => log.flatMap((e) => (e.type === "welcome" || e.type === "add" || e.type === "remove" ? [`${e.type} ${(e.targets ?? [e.target]).join(",")}`] : []));

/** Users 1 (the DC) and 2; then 3, 4, 5 join while 1 is not reading; then 3 and 4 leave while 1 is not reading. Every client records its steps. */
async function networkRun(batchRank: Rank) {
  const room = await loopbackRoom({ graceMs: 60000, heartbeatMs: 60000 });
  const recorded: [NetworkClient, string][] = [];
  let started = 0;
  const make = async (connect?: ReturnType<typeof heldConnection>["connect"]) => {
    const path = join(dir, `net-${batchRank}-${++started}.steps.jsonl`);
    const c = await room.join({ ...(connect ? { connect } : {}), batch: true, batchRank, recorder: new StepRecorder(path) });
    recorded.push([c, path]);
    return c;
  };
  const quiet = async (n: number) => {
    const length = (await room.log()).length;
    const alive = room.clients.filter((c) => !c.hasLeft);
    return alive.length === n && alive.every((c) => c.state!.cursor === length && c.view?.members.length === n) && new Set(alive.map((c) => c.view!.safetyNumber)).size === 1;
  };
  const dc = heldConnection(room.url);
  await make(dc.connect);
  await make();
  await until("1 and 2 in one epoch", () => quiet(2));
  dc.ctl.holding = true;
  const joiners = await Promise.all([make(), make(), make()]);
  await until("the DC's connection has the three arrivals", () => dc.ctl.held().filter((e) => e.type === "joined").length === 3);
  dc.ctl.release();
  await until("5 members in one epoch", () => quiet(5));
  dc.ctl.holding = true;
  for (const c of joiners.slice(0, 2)) c.leave();
  await until("the DC's connection has the two departures", () => dc.ctl.held().filter((e) => e.type === "left").length === 2);
  dc.ctl.release();
  await until("3 members in one epoch", () => quiet(3));
  const log = await room.log();
  const recordings = new Map<Uid, RecordedStep[]>(recorded.map(([c, path]) => [c.uid!, readRecording(path)]));
  return { log, recordings };
}

/** The same story on impl/room.ts with batch: true, recorded by RunRecorder; every member reads and the DC works until nothing is left, after each phase. */
async function inProcessRun(batchRank: Rank): Promise<{ log: LogEntry[]; trace: ItfTrace }> {
  const room = await Room.create({ batch: true, batchRank });
  const rec = new RunRecorder(room, 5);
  const dcStep: Record<string, (u: Uid) => unknown> = {
    DcWelcome: (u) => room.dcWelcome(u),
    DcAdd: (u) => room.dcAdd(u),
    DcRemove: (u) => room.dcRemove(u),
    DcSkip: (u) => room.dcSkip(u),
    Revive: (u) => room.revive(u),
  };
  const settle = async () => {
    for (let moved = true; moved; ) {
      moved = false;
      for (const u of room.uids()) {
        while (room.state(u).status === "active" && room.state(u).cursor < room.log.length) {
          await room.read(u);
          rec.record("Read", { u });
          moved = true;
        }
      }
      const next = /^(\w+)\((\d+)/.exec(room.enabledDcSteps()[0] ?? "");
      if (next) {
        await dcStep[next[1]!]!(Number(next[2]));
        rec.record(next[1]!, { u: Number(next[2]) });
        moved = true;
      }
    }
  };
  const join = async () => rec.record("Join", { u: await room.join() });
  await join();
  await settle();
  for (let k = 0; k < 3; k++) await join();
  await settle();
  for (const u of [3, 4]) {
    room.leave(u);
    rec.record("Leave", { u });
  }
  await settle();
  rec.record("Quiesced", {});
  return { log: room.log, trace: rec.toItf() };
}

/** `npm run validate -- file` as a process (TLA2TOOLS_JAR: the test's jar, or one that does not exist). */
function validateCommand(file: string, jar?: string) {
  return spawnSync(process.execPath, ["--import", "./scripts/register-ts-node.mjs", "scripts/validate.ts", file, "--name", "batch-cli"], {
    encoding: "utf8",
    env: { ...process.env, TLA2TOOLS_JAR: jar ?? testJar().jar },
  });
}

/** Where batch-mates that do not rank each other leave the model: the step at which the second joiner of the first batch of two or more (here 4) enters the group. */
function secondBatchMateEnters(trace: ItfTrace, log: LogEntry[]): number {
  const batch = log.find((e): e is Extract<LogEntry, { type: "welcome" }> => e.type === "welcome" && (e.targets?.length ?? 0) >= 2)!.targets!;
  const second = batch[1]!;
  const welcomed = (k: number) => (trace.states[k]!.st as { welcomed: boolean }[])[second - 1]!.welcomed;
  const k = trace.states.findIndex((s, i) => i > 0 && !welcomed(i - 1) && welcomed(i));
  expect(trace.states[k]!["#meta"]).toMatchObject({ action: "Read", params: { u: second } });
  return k;
}

describe("recorded runs of the client with batch: true", () => {
  it("over the network: the log has a batched Welcome, Add and Remove; the merge is a run of the batched rules", async () => {
    const { log, recordings } = await networkRun("Uid");
    expect(describeEntries(log)).toEqual(["welcome 2", "add 2", "welcome 3,4,5", "add 3,4,5", "remove 3,4"]);
    const merged = mergeRun(log, recordings, { quiesced: true });
    expect(merged.batched).toBe(true);
    expect(merged.trace["#meta"]).toMatchObject({ batch: true });
    expect(merged.order).toContain("DcWelcome(1 → 3,4,5)");
    expect(merged.order).toContain("DcRemove(1 → 3,4)");
    // The clients' setting is checked against the log: asking for today's rules is refused by name.
    expect(() => mergeRun(log, recordings, { batch: false })).toThrow(MergeError);
    expect(() => mergeRun(log, recordings, { batch: false })).toThrow(/asked for today's rules \(batch: false\), but log index \d+ is a welcome with targets/);
    const mixed = log.map((e) => (e.type === "remove" ? { ...e, targets: undefined } : e));
    expect(() => mergeRun(mixed, recordings)).toThrow(/a welcome with targets \(the batched rules\), but log index \d+: a remove without/);
  }, 20_000);

  describe.skipIf(skipWithoutTlc)("TLC against the batched model", () => {
    it("accepts the network run; rejects it with a Welcome leaving out a joiner at that DcWelcome, and with batch-mates unranked where the second one enters", async () => {
      const good = await networkRun("Uid");
      const ok = await validateRecordedRun(mergeRun(good.log, good.recordings, { quiesced: true }).trace, { name: "batch-net", jar: testJar() });
      expect(ok.rules).toBe("batched");
      expect(ok.result.accepted).toBe(true);

      // The DS's log tampered: the batched Welcome leaves out joiner 5 (its list {3, 4}). Rejected at that DcWelcome.
      const tampered = good.log.map((e) => (e.type === "welcome" && e.targets?.length === 3 ? { ...e, targets: [3, 4] } : e));
      const cut = mergeRun(tampered, good.recordings, { quiesced: true });
      const welcomeStep = cut.order.indexOf("DcWelcome(1 → 3,4)") + 1;
      expect(welcomeStep).toBeGreaterThan(0);
      const t = await validateRecordedRun(cut.trace, { name: "batch-net-tampered", jar: testJar() });
      expect([t.result.accepted, t.result.leftAt?.step]).toEqual([false, welcomeStep]);

      const bad = await networkRun("None");
      const trace = mergeRun(bad.log, bad.recordings, { quiesced: true }).trace;
      const v = await validateRecordedRun(trace, { name: "batch-net-rank-none", jar: testJar() });
      expect(v.rules).toBe("batched");
      expect(v.result.accepted).toBe(false);
      const step = secondBatchMateEnters(trace, bad.log);
      expect(v.result.leftAt!.step).toBe(step);

      // The command: npm run validate tells the recording is batched, and says so.
      const file = join(dir, "net-rank-none.itf.json");
      writeFileSync(file, JSON.stringify(trace));
      const cli = validateCommand(file);
      expect(cli.stdout).toContain("checked against the batched rules (tla/DCA_BatchValidate.tla");
      expect(cli.stdout).toContain(`rejected: the implementation left the batched rules at step ${step} (Read(4))`);
      expect(cli.status).toBe(1);
    }, 60_000);

    it("accepts the in-process run (impl/room.ts, RunRecorder), and rejects it with batch-mates unranked at that step", async () => {
      const good = await inProcessRun("Uid");
      expect(describeEntries(good.log)).toEqual(["welcome 2", "add 2", "welcome 3,4,5", "add 3,4,5", "remove 3,4"]);
      const ok = await validateRecordedRun(good.trace, { name: "batch-room", jar: testJar() });
      expect([ok.rules, ok.result.accepted]).toEqual(["batched", true]);

      const bad = await inProcessRun("None");
      const v = await validateRecordedRun(bad.trace, { name: "batch-room-rank-none", jar: testJar() });
      expect(v.result.accepted).toBe(false);
      expect(v.result.leftAt!.step).toBe(secondBatchMateEnters(bad.trace, bad.log));
    }, 40_000);
  });

  it("a batched run is never checked against DCA.tla, nor a single-target run against the batched model: refused by name", async () => {
    const { trace } = await inProcessRun("Uid");
    await expect(validateRun(trace, { name: "batched-as-single" })).rejects.toThrow(TraceInputError);
    await expect(validateRun(trace, { name: "batched-as-single" })).rejects.toThrow(/a run of the batched rules \(tla\/DCA_Batch\.tla\), not of DCA's single-target rules/);
    const single = await Room.create({});
    const rec = new RunRecorder(single, 2);
    rec.record("Join", { u: await single.join() });
    await expect(validateBatchRun(rec.toItf(), { name: "single-as-batched" })).rejects.toThrow(TraceError);
    await expect(validateBatchRun(rec.toItf(), { name: "single-as-batched" })).rejects.toThrow(/a run of DCA's single-target rules \(tla\/DCA\.tla\), not of the batched rules/);
    // A header that contradicts the form, or a trace mixing the forms, is bad input too.
    await expect(validateRecordedRun({ ...trace, "#meta": { ...trace["#meta"], batch: false } }, { name: "header" })).rejects.toThrow(/\$\["#meta"\]\.batch says false, but its values are of the batched rules/);
    const mixed = structuredClone(trace);
    delete (mixed.states.at(-1)!.st as Record<string, unknown>[])[0]!.batch;
    await expect(validateRecordedRun(mixed, { name: "mixed" })).rejects.toThrow(/mixes the two rules' forms: \$\.states\[0\]\.st\[0\]\.batch is of the batched rules/);
    // The command: bad input, exit 2, one line naming both places; TLC is not reached.
    const file = join(dir, "mixed.itf.json");
    writeFileSync(file, JSON.stringify(mixed));
    const cli = validateCommand(file, join(dir, "no-such-tla2tools.jar"));
    expect(cli.stderr.trim().split("\n")).toHaveLength(1);
    expect(cli.stderr).toContain(`validate: error: ${file}: mixes the two rules' forms: $.states[0].st[0].batch is of the batched rules`);
    expect(cli.stderr).toMatch(/\$\.states\[\d+\]\.st\[0\] \(no batch field\) of DCA's single-target rules/);
    expect(cli.status).toBe(2);
  }, 20_000);
});
