// Batched adds and removes over the network (spec/batching.md section 4): a real delivery
// service (impl/ds, WebSocket on a loopback port, memory storage) and real network clients
// (impl/client) on real MLS. Six clients join while the DC is not reading; once it reads,
// it welcomes all six with one Welcome and adds them with one Commit (one epoch, one
// safety number), where the same run under today's rules takes six Commits; three leave
// at once and one Commit removes them.
// Clients that disagree on the setting: the first entry made under the other one is
// refused by name (batch-mismatch). (The DS's checks of a list: test/batch-ds.test.ts.)
// Budget: 20 s (about 6 s measured here).
import { describe, expect, it } from "vitest";
import type { ClientEvent } from "../impl/client/client.ts";
import { wsLink } from "../impl/client/ds-link.ts";
import { connectWs } from "../impl/client/ws-socket.ts";
import type { LogEntry } from "../impl/types.ts";
import { heldConnection, loopbackRoom, until } from "./loopback-room.ts";

const QUIET_DS = { graceMs: 60000, heartbeatMs: 60000 };

/** Users 1 (the DC) and 2 in one epoch; then six join while the DC holds its reading; then three leave the same way. */
async function storm(batch: boolean) {
  const room = await loopbackRoom(QUIET_DS);
  const make = (connect = wsLink(room.url, connectWs)) => room.join({ connect, batch });
  const log = room.log;
  const quiet = async (n: number) => {
    const length = (await log()).length;
    const alive = room.clients.filter((c) => !c.hasLeft);
    return alive.length === n && alive.every((c) => c.state!.cursor === length && c.view?.members.length === n) &&
      new Set(alive.map((c) => c.view!.safetyNumber)).size === 1;
  };
  const commits = async () => (await log()).filter((e) => e.type === "add" || e.type === "remove");
  const dc = heldConnection(room.url);
  const dcSteps: ClientEvent[] = [];
  (await make(dc.connect)).on((e) => e.type === "dc-step" && dcSteps.push(e));
  await make();
  await until("1 and 2 in one epoch", () => quiet(2));
  const before = (await commits()).length;

  dc.ctl.holding = true;
  const joiners = await Promise.all(Array.from({ length: 6 }, () => make()));
  await until("the DC's connection has all six arrivals", () => dc.ctl.held().filter((e) => e.type === "joined").length === 6);
  dc.ctl.release();
  await until("8 members in one epoch, one safety number", () => quiet(8));
  const joinCommits = (await commits()).slice(before);

  dc.ctl.holding = true;
  for (const c of joiners.slice(0, 3)) c.leave();
  await until("the DC's connection has the three departures", () => dc.ctl.held().filter((e) => e.type === "left").length === 3);
  dc.ctl.release();
  await until("5 members in one epoch, one safety number", () => quiet(5));
  const leaveCommits = (await commits()).slice(before + joinCommits.length);
  const epochs = new Set(room.clients.filter((c) => !c.hasLeft).map((c) => c.view!.epoch));
  return { joinCommits, leaveCommits, epochs, log, dcSteps };
}

const describeCommits = (cs: LogEntry[]) => cs.map((c) => (c.type === "add" || c.type === "remove" ? `${c.type} ${c.targets ?? c.target}` : c.type));

describe("batched adds and removes over a real DS and network clients", () => {
  it("six joiners at once: one Welcome, one Commit; three leavers: one Commit; one epoch, one safety number", async () => {
    const r = await storm(true);
    expect(describeCommits(r.joinCommits)).toEqual(["add 3,4,5,6,7,8"]);
    expect(describeCommits(r.leaveCommits)).toEqual(["remove 3,4,5"]);
    expect([...r.epochs]).toEqual([3]);
    expect(r.dcSteps).toContainEqual(expect.objectContaining({ action: "DcAdd", target: 3, targets: [3, 4, 5, 6, 7, 8] }));
    const welcomes = (await r.log()).filter((e) => e.type === "welcome");
    expect(welcomes.map((w) => (w.type === "welcome" ? w.targets ?? w.target : 0))).toEqual([[2], [3, 4, 5, 6, 7, 8]]); // under batch: true even a batch of one carries its list
  }, 30_000);

  it("the same run under today's rules: one Commit per joiner and per leaver", async () => {
    const r = await storm(false);
    expect(describeCommits(r.joinCommits)).toEqual(["add 3", "add 4", "add 5", "add 6", "add 7", "add 8"]);
    expect(describeCommits(r.leaveCommits)).toEqual(["remove 3", "remove 4", "remove 5"]);
    expect([...r.epochs]).toEqual([10]);
  }, 30_000);
});

describe("clients that disagree on the batch setting", () => {
  it("a joiner running today's rules refuses a batched DC's Welcome by name (batch-mismatch), and is not welcomed", async () => {
    const room = await loopbackRoom(QUIET_DS);
    await room.join({ batch: true });
    const joiner = await room.join({ batch: false });
    const refused: string[] = [];
    joiner.on((e) => e.type === "refused" && refused.push(`${e.reason}: ${e.detail}`));
    await until("the joiner refuses the Welcome", () => refused.length > 0);
    expect(refused[0]).toMatch(/^batch-mismatch: .*a batched welcome of \[2\] by 1, but this member runs one target per entry \(batch: false\)/);
    expect(joiner.state!.welcomed).toBe(false);
  }, 20_000);
});
