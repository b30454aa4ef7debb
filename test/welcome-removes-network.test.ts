// The forged Welcome removes over the network (spec/welcome-auth.md): a real delivery
// service (impl/ds, WebSocket, memory storage) and real network clients (impl/client), with
// the victim's connection tampered with on the way in — every Welcome for it arrives with
// `removes` naming the live DC, as a malicious DS (or anyone on that connection) would send.
// With the check the victim refuses the Welcome by name and never commits; every Commit on
// the log is the real DC's. With the published rule (trustWelcomeRemoves) the same run has
// the victim believe it is the DC and commit the removal of the live DC: the DS's word alone
// evicts an honest member. Budget: about 10 s (two runs of three clients on real MLS).
import { describe, expect, it } from "vitest";
import { NetworkClient, type ClientEvent, type ClientOptions } from "../impl/client/client.ts";
import { wsLink } from "../impl/client/ds-link.ts";
import type { LinkHandlers } from "../impl/client/link.ts";
import { connectWs } from "../impl/client/ws-socket.ts";
import type { CommitEntry, LogEntry, Uid } from "../impl/types.ts";
import { loopbackRoom, until } from "./loopback-room.ts";

/** A connection whose incoming Welcomes for `victim` carry `removes` the tamperer chose. */
const tampered = (url: string, victim: Uid, removes: Uid[]) => (h: LinkHandlers) =>
  wsLink(url, connectWs)({
    ...h,
    entry: (index: number, e: LogEntry) => h.entry(index, e.type === "welcome" && e.target === victim ? { ...e, removes } : e),
  });

async function run(trustWelcomeRemoves: boolean) {
  const room = await loopbackRoom();
  const url = room.url;
  const events: ClientEvent[] = [];
  const make = (connect: ClientOptions["connect"]) => room.join({ connect, trustWelcomeRemoves });
  const a = await make(wsLink(url, connectWs)); // UID 1, the creator and DC
  const b = await make(tampered(url, 2, [1])); // UID 2: its Welcome names the live DC 1 as gone
  b.on((e) => events.push(e));
  expect([a.uid, b.uid]).toEqual([1, 2]);
  const log = room.log;
  const caughtUp = async (...cs: NetworkClient[]) => {
    const n = (await log()).length;
    return cs.every((c) => c.state!.cursor === n);
  };
  return { a, b, make, log, caughtUp, events, url };
}

const commitsOf = (log: LogEntry[]) => log.filter((e): e is CommitEntry => e.type === "add" || e.type === "remove");

describe("a tampered connection forging the removes beside a Welcome (real DS and clients)", () => {
  it("with the check: the joiner refuses its Welcome by name, never commits; only the real DC commits", async () => {
    const { a, b, make, log, caughtUp, events, url } = await run(false);
    await until("the victim's refusal", () => events.some((e) => e.type === "refused"));
    const refusal = events.find((e) => e.type === "refused")!;
    const welcomeAt = (await log()).findIndex((e) => e.type === "welcome" && e.target === 2);
    expect(refusal).toMatchObject({ type: "refused", logIndex: welcomeAt, reason: "entry-mismatch" });
    await until("the victim past its Add", () => caughtUp(a, b));
    expect(b.state).toMatchObject({ welcomed: false });
    // A third user joins: the real DC adds it; the victim, no member, takes no step.
    const c = await make(wsLink(url, connectWs));
    await until("1 and 3 in one epoch", async () => (await caughtUp(a, b, c)) && a.view?.safetyNumber === c.view?.safetyNumber && c.view?.members.length === 3);
    expect(commitsOf(await log()).map((x) => `${x.type} ${x.target} by ${x.sender} in ${x.epoch}`)).toEqual(["add 2 by 1 in 0", "add 3 by 1 in 1"]);
    expect(events.some((e) => e.type === "dc-step")).toBe(false);
    expect(b.state).toMatchObject({ welcomed: false });
  }, 30_000);

  it("without the check (the published rule): the joiner believes it is the DC and removes the live DC", async () => {
    const { a, b, log, events } = await run(true);
    await until("the victim's Commit", async () => commitsOf(await log()).some((x) => x.sender === 2));
    const entries = await log();
    expect(entries.some((e) => e.type === "left")).toBe(false); // nobody left: 1 is alive
    expect(commitsOf(entries).map((x) => `${x.type} ${x.target} by ${x.sender} in ${x.epoch}`)).toEqual(["add 2 by 1 in 0", "remove 1 by 2 in 1"]);
    expect(events.some((e) => e.type === "dc-step")).toBe(true);
    expect(events.some((e) => e.type === "refused")).toBe(false);
    expect(a.state!.status).toBe("active");
    expect(b.state).toMatchObject({ welcomed: true });
  }, 30_000);
});
