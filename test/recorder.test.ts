import { describe, expect, it } from "vitest";
import { RunRecorder } from "../conformance/validate/run-recorder.ts";
import { replayTrace } from "../conformance/replay/replay-trace.ts";
import { Room } from "../impl/room.ts";
import { validateItf } from "../scripts/tlc/formats/itf.ts";

describe("run recorder", () => {
  it("records an implementation run that replays on a fresh implementation", async () => {
    const room = await Room.create({ mls: false });
    const rec = new RunRecorder(room, 3);
    await room.join();
    rec.record("Join", { u: 2 });
    await room.read(1);
    rec.record("Read", { u: 1 });
    await room.dcWelcome(1, 2);
    rec.record("DcWelcome", { u: 1, target: 2 });
    room.dcAdd(1);
    rec.record("DcAdd", { u: 1, target: 2 });
    const trace = validateItf(JSON.parse(JSON.stringify(rec.toItf())), "recorded run");
    expect(trace.states).toHaveLength(5);
    expect(trace.states[4]!["#meta"]).toMatchObject({ action: "DcAdd", params: { u: 1, target: 2 } });
    const report = await replayTrace(trace, { file: "recorded run", mls: true });
    expect(report.firstDivergence).toBeUndefined();
  });
});
