// Blind spot 2 on the implementation with real MLS (spec/zombie.md, R5): the DS announces a
// user that still runs. The fenced model's traces (traces/zombie/, npm run traces --
// --zombie: random walks of tla/DCA_ZombieRecord.tla with announcements, zombies reading on
// and stopping) replay on the room step by step, its state mapped as the model's after
// every step (conformance/model/refinement.ts, with `announced`). Gap_Zombie's
// counterexample, replayed with the room's fence off, is a real fork: two MLS groups claim
// the room and the live member refuses the zombie's Welcome and Commit; with the fence on
// (the default) the DS refuses the zombie's append and the same trace cannot be replayed
// past it. Budget: about 10 s (real MLS, 5 short traces).
import { describe, expect, it } from "vitest";
import * as mls from "../impl/mls.ts";
import { Fenced, Room, StepNotEnabled } from "../impl/room.ts";
import { safetyNumber } from "../impl/safety-number.ts";
import { checkZombieTraces, REQUIRED_KEYS, ZOMBIE_TRACE_DIR } from "../conformance/generate/zombie-traces.ts";
import { replayAll, traceFiles } from "../conformance/replay/replay-all.ts";
import { ConformanceError, replayTrace } from "../conformance/replay/replay-trace.ts";
import { readItf } from "../scripts/tlc/formats/itf.ts";

const GAP = `${ZOMBIE_TRACE_DIR}/gap-zombie-fork.itf.json`;
const number = (room: Room, u: number) => safetyNumber(mls.epochAuthenticator(room.group(u)!));

describe("blind spot 2 on the implementation: a user announced as left while alive (R5)", () => {
  it("the committed traces are of the current model and take every required step", async () => {
    const r = await checkZombieTraces();
    expect(r.problems).toEqual([]);
    for (const k of REQUIRED_KEYS) expect(r.keys.has(k), k).toBe(true);
    // A trace made from another model is stale.
    const stale = await checkZombieTraces(ZOMBIE_TRACE_DIR, () => "sha256:other");
    expect(stale.stale.length).toBe(r.files.length);
  });

  // @spec DCA_Zombie!Announce DCA_Zombie!Stop R5
  it("every trace replays step by step on real MLS, zombies and `announced` compared", async () => {
    const files = traceFiles(ZOMBIE_TRACE_DIR);
    expect(files.length).toBeGreaterThanOrEqual(3);
    const suite = await replayAll(files, { mls: true });
    expect(suite.failures.map((f) => f.message)).toEqual([]);
    for (const a of ["Announce", "Stop", "Read", "DcWelcome", "DcAdd", "Revive"]) expect(suite.actions.get(a) ?? 0, a).toBeGreaterThan(0);
  }, 60_000);

  it("the replay compares the zombie's own state: a room whose zombie skips a read diverges", async () => {
    // A zombie's read that shows: the zombie is still active in the state after the next step
    // (a read right before its Stop leaves nothing to compare).
    const zombieRead = (trace: Awaited<ReturnType<typeof readItf>>) =>
      trace.states.findIndex((s, k) => {
        const u = (s["#meta"]?.params as { u?: number } | undefined)?.u;
        const next = trace.states[k + 1]?.st as { status: string }[] | undefined;
        return k > 0 && s["#meta"]?.action === "Read" && u !== undefined &&
          (trace.states[k - 1]!.announced as { "#set": number[] })["#set"].includes(u) && next?.[u - 1]?.status === "active";
      });
    let file = "";
    let trace: Awaited<ReturnType<typeof readItf>> | undefined;
    let i = -1;
    for (const f of traceFiles(ZOMBIE_TRACE_DIR).filter((x) => x.includes("walk-fenced"))) {
      trace = await readItf(f);
      i = zombieRead(trace);
      file = f;
      if (i > 0) break;
    }
    expect(i, "no walk has a zombie read followed by another step of that zombie").toBeGreaterThan(0);
    // The zombie's read left out: the trace without that step (its later states still say it read).
    const cut = { ...trace!, states: [...trace!.states.slice(0, i), ...trace!.states.slice(i + 1)] };
    await expect(replayTrace(cut, { file, mls: false })).rejects.toThrow(ConformanceError);
  });

  it("without the fence, Gap_Zombie's counterexample is a real fork on MLS: two groups claim the room", async () => {
    const trace = await readItf(GAP);
    expect(trace["#meta"]?.zombieRule).toBe("None");
    let room: Room | undefined;
    const report = await replayTrace(trace, { file: GAP, mls: true, onRoom: (_, r) => (room = r) });
    expect(report.firstDivergence).toBeUndefined();
    const r = room!;
    // User 2 revived the room alone; zombie 1 welcomed and added it in the old group.
    expect(mls.membersOf(r.group(2)!)).toEqual([2]);
    expect(mls.membersOf(r.group(1)!)).toEqual([1, 2]);
    expect(mls.epochOf(r.group(1)!)).toBe(1);
    expect(number(r, 1)).not.toBe(number(r, 2));
    const zombieEntries = r.log.filter((e) => (e.type === "welcome" || e.type === "add") && e.sender === 1);
    expect(zombieEntries.map((e) => e.type)).toEqual(["welcome", "add"]);
    // User 2 reads on: MLS refuses the zombie's Welcome and its Commit.
    const outcomes = [];
    while (r.state(2).cursor < r.log.length) outcomes.push(await r.read(2));
    expect(outcomes.map((o) => (o.kind === "rejected" ? o.error.reason : o.kind))).toEqual(["second-welcome", "wrong-epoch"]);
  });

  it("with the fence (the default), the DS refuses the zombie's append: the fork never happens", async () => {
    const trace = await readItf(GAP);
    let room: Room | undefined;
    const err = await replayTrace(trace, { file: GAP, mls: true, fence: true, onRoom: (_, r) => (room = r) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConformanceError);
    const step = (err as ConformanceError).step;
    expect(step.action).toBe("DcWelcome");
    expect(step.params).toEqual({ u: 1, target: 2 });
    expect(step.refused).toMatch(/refused user 1's welcome: user 1 was announced as left \(fenced\)/);
    const r = room!;
    // Nothing of the zombie's reached the log, and the zombie, told so, stopped.
    expect(r.log.some((e) => "sender" in e && e.sender === 1)).toBe(false);
    expect(r.state(1).status).toBe("gone");
    expect(r.announced.has(1)).toBe(false);
    expect(mls.membersOf(r.group(2)!)).toEqual([2]);
  });

  it("the room's announce, stop and fence, step by step", async () => {
    const room = await Room.create({ mls: false });
    const u2 = await room.join();
    room.announce(1);
    expect(room.log.at(-1)).toEqual({ type: "left", uid: 1 });
    expect(room.state(1).status).toBe("active"); // a zombie: its client still runs
    expect(room.present()).toEqual([2]);
    expect(() => room.leave(1)).toThrow(StepNotEnabled);
    expect(() => room.announce(1)).toThrow(StepNotEnabled);
    expect(() => room.stop(u2)).toThrow(StepNotEnabled);
    // It reads on to its own `left`, and there it stops.
    await room.read(1);
    await expect(room.read(1)).rejects.toThrow(/its own left: it stops/);
    // Its DC step is refused by the DS: nothing reaches the log.
    const before = room.log.length;
    await expect(room.dcWelcome(1)).rejects.toThrow(Fenced);
    expect(room.log.length).toBe(before);
    expect(room.state(1).status).toBe("gone");
    // A later arrival is not told the zombie is present.
    const u3 = await room.join();
    expect(room.state(u3).ahead).toEqual([2]);
  });
});
