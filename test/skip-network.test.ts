// R16 over the network: a real delivery service (impl/ds, WebSocket, memory storage)
// and real network clients (impl/client) on real MLS. A joiner arrives and leaves
// before the DC has read its arrival: the DC appends one `skipped` and nothing else
// for it, the members stay in one epoch with one safety number; with the known-bad
// NoSkip (the rule before R16) the same run spends a Welcome, an Add and a Remove on
// it, two more epochs. Mid-add (the joiner leaves after its Welcome, before its Add)
// the DC discards its prepared Commit, skips, and adds the next joiner from the epoch
// it stayed in. Each run is merged with the clients' recordings into one behaviour of
// the model (conformance/validate/network-merge.ts). Budget: about 6 s.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NetworkClient, type ClientOptions } from "../impl/client/client.ts";
import { readRecording, StepRecorder, type RecordedStep } from "../impl/client/step-record.ts";
import type { LogEntry, Uid, Variant } from "../impl/types.ts";
import { mergeRun } from "../conformance/validate/network-merge.ts";
import { validateRun } from "../conformance/validate/trace-validate.ts";
import { skipWithoutTlc, testJar } from "./local-tlc.ts";
import { heldConnection, loopbackRoom, until } from "./loopback-room.ts";

const dir = mkdtempSync(join(tmpdir(), "dca-skip-net-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function room(variant: Variant, tag: string) {
  const r = await loopbackRoom({ graceMs: 60000, heartbeatMs: 60000 });
  const recorded = new Map<NetworkClient, string>();
  const make = async (name: string, connect?: ClientOptions["connect"]) => {
    const path = join(dir, `${tag}-${name}.steps.jsonl`);
    const c = await r.join({ connect, variant, recorder: new StepRecorder(path) });
    recorded.set(c, path);
    return c;
  };
  const log = r.log;
  /** Every client still in the room has read the whole log, the members show one safety number. */
  const quiet = async () => {
    const n = (await log()).length;
    const alive = r.clients.filter((c) => !c.hasLeft);
    return alive.every((c) => c.state!.cursor === n && c.view !== null) && new Set(alive.map((c) => c.view!.safetyNumber)).size === 1;
  };
  const merged = async () => {
    const recordings = new Map<Uid, RecordedStep[]>();
    for (const [c, path] of recorded) recordings.set(c.uid!, readRecording(path));
    return mergeRun(await log(), recordings, { variant, quiesced: true });
  };
  return { url: r.url, make, log, quiet, merged };
}

const about = (log: LogEntry[], t: Uid) =>
  log.filter((e) => (e.type === "skipped" ? e.uid === t : "target" in e && e.target === t)).map((e) => e.type);

/** TLC's verdict on a merged run (skipped, as every TLC test, where no TLC is found outside CI). */
async function tlcAccepts(trace: Awaited<ReturnType<typeof mergeRun>>["trace"], name: string): Promise<boolean | undefined> {
  if (skipWithoutTlc) return undefined;
  return (await validateRun(trace, { name, variant: "Correct", jar: testJar(), explain: false })).accepted;
}

/** Users 1 (the DC, slow to read) and 2; user 3 arrives and leaves before 1 has read its arrival. */
async function leavesBeforeWelcome(variant: Variant, tag: string) {
  const r = await room(variant, tag);
  const dc = heldConnection(r.url);
  const a = await r.make("a", dc.connect);
  const b = await r.make("b");
  await until("1 and 2 in one epoch", r.quiet);
  dc.ctl.holding = true;
  const c = await r.make("c");
  c.leave();
  await until("3's left on the log", async () => (await r.log()).some((e) => e.type === "left" && e.uid === 3));
  dc.ctl.release();
  await until("1 and 2 caught up, one safety number", r.quiet);
  return { ...r, a, b };
}

describe("R16 over a real delivery service and network clients", () => {
  // @spec DCA!DcSkip R16
  it("a joiner that leaves before its Welcome: one `skipped`, no Welcome, Add or Remove; one epoch, one safety number", async () => {
    const { a, b, log, merged } = await leavesBeforeWelcome("Correct", "ok");
    const entries = await log();
    expect(about(entries, 3)).toEqual(["skipped"]);
    expect(entries.at(-1)).toEqual({ type: "skipped", uid: 3, sender: 1 });
    expect([a.view!.epoch, b.view!.epoch]).toEqual([1, 1]);
    expect(a.view!.safetyNumber).toBe(b.view!.safetyNumber);
    for (const c of [a, b]) expect(c.state).toMatchObject({ pendingAdds: [], pendingRemoves: [] });
    const m = await merged();
    expect(m.order.filter((s) => s.startsWith("Dc"))).toEqual(["DcWelcome(1 → 2)", "DcAdd(1 → 2)", "DcSkip(1 → 3)"]);
    expect(await tlcAccepts(m.trace, "skip-net-ok")).toBe(skipWithoutTlc ? undefined : true);
  }, 60_000);

  // @spec DCA!DcSkip R16 — teeth: the same run under the rule before R16.
  it("NoSkip: the same run spends a Welcome, an Add and a Remove on it, two more epochs", async () => {
    const { a, b, log, merged } = await leavesBeforeWelcome("NoSkip", "noskip");
    await until("3 removed", async () => about(await log(), 3).length === 3 && a.view?.epoch === 3 && b.view?.epoch === 3);
    expect(about(await log(), 3)).toEqual(["welcome", "add", "remove"]);
    expect(a.view!.safetyNumber).toBe(b.view!.safetyNumber);
    const m = await merged();
    expect(m.order.filter((s) => s.startsWith("Dc")).slice(2)).toEqual(["DcWelcome(1 → 3)", "DcAdd(1 → 3)", "DcRemove(1 → 3)"]);
    // The correct model would have skipped 3: TLC refuses the run.
    expect(await tlcAccepts(m.trace, "skip-net-noskip")).toBe(skipWithoutTlc ? undefined : false);
  }, 60_000);

  // @spec DCA!DcSkip DCA!DcAdd R16 — mid-add over the network.
  it("mid-add: the joiner leaves after its Welcome; the DC skips, stays in its epoch, and adds the next joiner from it", async () => {
    const r = await room("Correct", "mid");
    const dc = heldConnection(r.url);
    const a = await r.make("a", dc.connect);
    const b = await r.make("b");
    await until("1 and 2 in one epoch", r.quiet);
    let c: NetworkClient | undefined;
    // The Welcome for 3 lands; before the DC goes on, 3 leaves and its `left` is on the log.
    dc.ctl.afterAppend = async (e) => {
      if (e.type !== "welcome" || e.target !== 3) return;
      dc.ctl.afterAppend = null;
      c!.leave();
      await until("3's left on the log", async () => (await r.log()).some((x) => x.type === "left" && x.uid === 3));
    };
    c = await r.make("c");
    await until("3 skipped", async () => about(await r.log(), 3).includes("skipped"));
    await until("1 and 2 caught up", r.quiet);
    expect(about(await r.log(), 3)).toEqual(["welcome", "skipped"]);
    expect([a.view!.epoch, b.view!.epoch]).toEqual([1, 1]);
    const d = await r.make("d");
    await until("1, 2 and 4 in one epoch", async () => (await r.quiet()) && d.view?.members.length === 3);
    expect([a, b, d].map((x) => x.view!.epoch)).toEqual([2, 2, 2]);
    expect(new Set([a, b, d].map((x) => x.view!.safetyNumber)).size).toBe(1);
    const m = await r.merged();
    expect(m.order.filter((s) => s.startsWith("Dc"))).toEqual([
      "DcWelcome(1 → 2)", "DcAdd(1 → 2)", "DcWelcome(1 → 3)", "DcSkip(1 → 3)", "DcWelcome(1 → 4)", "DcAdd(1 → 4)",
    ]);
    expect(await tlcAccepts(m.trace, "skip-net-mid")).toBe(skipWithoutTlc ? undefined : true);
  }, 60_000);
});
