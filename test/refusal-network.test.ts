// R15 under a DS that garbles a joiner's KeyPackage, over the network: a real delivery
// service (impl/ds, WebSocket on a loopback port, memory storage) and real network clients
// (impl/client). The DC's connection is tampered with on the way in: `joined 2` reaches DC 1
// with bytes that are no KeyPackage, as a malicious DS (or anyone on that connection) would
// send; everyone else reads it intact. With R16's skip (the default) DC 1 skips 2 before it
// welcomes 3; 2 reads its own `skipped`, says "refused by the room: skipped by DC 1 at log
// index i", leaves and never revives; after 1 leaves, 3 is the one DC, of the one group.
// Teeth: the same run under the known-bad "Silent" rule (ClientOptions.refusalRule, tests
// only) splits the room: 2 revives apart while 3 is DC of the old group — two DCs, two safety
// numbers. Budget: about 5 s (two runs of three clients on real MLS).
import { describe, expect, it } from "vitest";
import type { ClientEvent, ClientOptions, NetworkClient } from "../impl/client/client.ts";
import { wsLink } from "../impl/client/ds-link.ts";
import type { LinkHandlers } from "../impl/client/link.ts";
import { connectWs } from "../impl/client/ws-socket.ts";
import type { LogEntry, Uid } from "../impl/types.ts";
import { loopbackRoom, until } from "./loopback-room.ts";

/** A connection on which the `joined` of `victim` arrives with bytes that are no KeyPackage. */
const garbling = (url: string, victim: Uid) => (h: LinkHandlers) =>
  wsLink(url, connectWs)({
    ...h,
    entry: (index: number, e: LogEntry) =>
      h.entry(index, e.type === "joined" && e.uid === victim ? { ...e, keyPackage: new Uint8Array([0xde, 0xad, 0xbe, 0xef]) } : e),
  });

/** A believes it is the DC: a member (or a reviver) that ranks nobody before itself and has not left. */
const believesDc = (c: NetworkClient) => !c.hasLeft && c.state?.welcomed === true && c.state.ahead.length === 0;

async function run(refusalRule: "Skip" | "Silent") {
  const room = await loopbackRoom();
  const events = new Map<Uid, ClientEvent[]>();
  const make = async (connect?: ClientOptions["connect"]) => {
    const c = await room.join({ refusalRule, ...(connect ? { connect } : {}) });
    const seen: ClientEvent[] = [];
    c.on((e) => seen.push(e));
    events.set(c.uid!, seen);
    return c;
  };
  const a = await make(garbling(room.url, 2)); // UID 1, the creator and DC: 2's KeyPackage reaches it garbled
  const b = await make(); // UID 2
  const c = await make(); // UID 3
  expect([a.uid, b.uid, c.uid]).toEqual([1, 2, 3]);
  await until("3 added by DC 1", () => c.view?.members.includes(1) === true && a.view?.members.includes(3) === true);
  return { a, b, c, log: room.log, events, clients: room.clients };
}

const steps = (events: ClientEvent[]) => events.flatMap((e) => (e.type === "dc-step" ? [`${e.action} ${e.target}`] : []));

describe("a DS garbles the KeyPackage of `joined 2` for the DC (real DS and clients)", () => {
  // @spec DCA_Refusals!ReadOwnSkip DCA!DcSkip R16 R15
  it("Skip: DC 1 skips 2 before welcoming 3; 2 stops by name and never revives; after 1 leaves, one DC, one safety number", async () => {
    const { a, b, c, log, events, clients } = await run("Skip");
    const entries = await log();
    const skipAt = entries.findIndex((e) => e.type === "skipped" && e.uid === 2);
    const welcomeAt = entries.findIndex((e) => e.type === "welcome" && e.target === 3);
    expect(skipAt).toBeGreaterThan(0);
    expect(skipAt).toBeLessThan(welcomeAt);
    expect(steps(events.get(1)!).slice(0, 3)).toEqual(["DcSkip 2", "DcWelcome 3", "DcAdd 3"]);
    await until("2 refused and gone", () => b.hasLeft);
    expect(events.get(2)!.filter((e) => e.type === "refused-by-room" || e.type === "left")).toEqual([
      { type: "refused-by-room", by: 1, logIndex: skipAt, message: `refused by the room: skipped by DC 1 at log index ${skipAt}; to come back, join as a new user` },
      { type: "left", reason: "refused" },
    ]);
    a.leave();
    await until("3 removes 1", () => c.view?.members.length === 1);
    await until("3 has read the whole log", async () => c.state!.cursor === (await log()).length);
    expect(clients.filter(believesDc)).toEqual([c]);
    expect(events.get(2)!.some((e) => e.type === "revived")).toBe(false);
    expect(b.state?.welcomed).toBe(false);
    // Nobody refused the DC's skip or 2's departure after it.
    expect(events.get(3)!.filter((e) => e.type === "refused")).toEqual([]);
    // The DS announces no departure of the skipped user (spec/delivery-service.md).
    expect((await log()).filter((e) => e.type === "left").map((e) => (e as { uid: Uid }).uid)).toEqual([1]);
  }, 30_000);

  // @spec DCA!Revive R15 — teeth: the known-bad silent refusal splits the room.
  it("Silent (known-bad): DC 1 welcomes 3 first; after 1 leaves, 2 revives apart: two DCs, two safety numbers", async () => {
    const { a, b, c, log, events, clients } = await run("Silent");
    expect((await log()).some((e) => e.type === "skipped")).toBe(false);
    a.leave();
    await until("2 revives", () => events.get(2)!.some((e) => e.type === "revived"));
    await until("3 removes 1", () => c.view?.members.length === 1);
    expect(clients.filter(believesDc).map((x) => x.uid).sort()).toEqual([2, 3]);
    expect(b.view!.safetyNumber).not.toBe(c.view!.safetyNumber);
  }, 30_000);
});
