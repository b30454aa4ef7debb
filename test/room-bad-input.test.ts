// Bad input never corrupts a member: each bad log entry is rejected with a typed
// error naming the member, the log index and the reason, and apart from moving
// past the entry the member's state — its MLS state included — is unchanged.
import { beforeEach, describe, expect, it } from "vitest";
import { epochAuthenticator, epochOf } from "../impl/mls.ts";
import { MemberInputError, Room, type ReadOutcome } from "../impl/room.ts";
import type { CommitEntry, LogEntry, WelcomeEntry } from "../impl/types.ts";
import { addNext, catchUp } from "./room-steps.ts";

let room: Room;

/** Users 1 and 2 in the group at epoch 1 (by 1); user 3 has arrived; 1 and 2 have read everything. */
async function twoMembersAndAJoiner(): Promise<Room> {
  const r = await Room.create();
  await addNext(r, []);
  await r.join(); // user 3
  await catchUp(r, 1);
  await catchUp(r, 2);
  return r;
}

function expectRejected(outcome: ReadOutcome, member: number, logIndex: number, reason: string): MemberInputError {
  if (outcome.kind !== "rejected") throw new Error(`expected a rejection, the member read the entry (${outcome.effect})`);
  expect(outcome.error).toBeInstanceOf(MemberInputError);
  expect(outcome.error).toMatchObject({ member, logIndex, reason });
  expect(outcome.error.message).toContain(`member ${member}, log entry ${logIndex}`);
  return outcome.error;
}

const authOf = (uid: number) => Buffer.from(epochAuthenticator(room.group(uid)!)).toString("hex");

/** Delivers `entry`, lets `member` read it, and checks that only its cursor moved. */
async function rejectAtMember(member: number, entry: LogEntry, reason: string): Promise<MemberInputError> {
  await catchUp(room, member);
  const before = room.state(member);
  const auth = room.group(member) ? authOf(member) : undefined;
  const index = room.deliver(entry);
  const error = expectRejected(await room.read(member), member, index, reason);
  expect(room.state(member)).toEqual({ ...before, cursor: index + 1 });
  if (auth) expect(authOf(member)).toBe(auth);
  return error;
}

/** A Commit entry whose metadata fits member 2's epoch, with the given bytes. */
const fittingCommit = (commit: Uint8Array): CommitEntry => ({ type: "add", target: 3, epoch: 1, sender: 1, parent: 1, commit });

/** A real add Commit made in another room (decodes, but belongs to another group). */
async function foreignCommitBytes(): Promise<Uint8Array> {
  const other = await twoMembersAndAJoiner();
  await other.dcWelcome(1);
  other.dcAdd(1);
  return (other.log[other.log.length - 1] as CommitEntry).commit!;
}

describe("a member rejects bad log entries and stays usable", () => {
  beforeEach(async () => {
    room = await twoMembersAndAJoiner();
  });

  it("garbled Commit bytes, then the genuine Commit still applies", async () => {
    await rejectAtMember(2, fittingCommit(new Uint8Array(64).fill(7)), "garbled");
    await room.dcWelcome(1);
    room.dcAdd(1);
    await catchUp(room, 2);
    expect(room.state(2)).toMatchObject({ epoch: 2, members: [1, 2, 3] });
    expect(epochOf(room.group(2)!)).toBe(2);
    expect(authOf(2)).toBe(authOf(1));
  });

  it("a truncated Commit", async () => {
    const bytes = await foreignCommitBytes();
    await rejectAtMember(2, fittingCommit(bytes.subarray(0, bytes.length - 7)), "truncated");
  });

  it("a Commit forged elsewhere (same group id, other keys): it does not decrypt", async () => {
    const error = await rejectAtMember(2, fittingCommit(await foreignCommitBytes()), "crypto");
    expect(error.cause).toBeDefined();
  });

  // @spec R9
  it("a Commit for the wrong epoch (an old Commit replayed)", async () => {
    const old = room.log.find((e) => e.type === "add") as CommitEntry;
    const error = await rejectAtMember(2, old, "wrong-epoch");
    expect(error.message).toContain("made in epoch 0");
  });

  it("a second Welcome for a member already in the group", async () => {
    const first = room.log.find((e) => e.type === "welcome") as WelcomeEntry;
    await rejectAtMember(2, first, "second-welcome");
  });

  it("a Welcome whose MLS bytes are for someone else, refused where it stands", async () => {
    await room.dcWelcome(1); // a genuine Welcome, made for user 3
    const forUser3 = room.log[room.log.length - 1] as WelcomeEntry;
    await room.join(); // user 4
    const error = await rejectAtMember(4, { ...forUser3, target: 4 }, "not-for-me");
    expect(error.message).toContain("no secrets for the key package of member 4");
    expect(room.state(4).tentative).toBeNull();
    expect(room.group(4)).toBeNull();
  });

  it("garbled Welcome bytes, refused where they stand; the good tentative Welcome is kept and confirmed", async () => {
    await room.dcWelcome(1); // the genuine Welcome for 3 ...
    await catchUp(room, 3);
    expect(room.state(3).tentative?.sender).toBe(1);
    const forged = { ...(room.log[room.log.length - 1] as WelcomeEntry), welcome: new Uint8Array([0, 1, 2, 3]) };
    const index = room.deliver(forged); // ... then a garbled copy
    const outcome = await room.read(3);
    expect(outcome.kind).toBe("rejected");
    expect(outcome.kind === "rejected" && outcome.error).toMatchObject({ member: 3, logIndex: index });
    expect(["garbled", "truncated"]).toContain(outcome.kind === "rejected" ? outcome.error.reason : "");
    room.dcAdd(1); // the genuine Add confirms the genuine Welcome
    await catchUp(room, 3);
    expect(room.state(3)).toMatchObject({ welcomed: true, epoch: 2, members: [1, 2, 3] });
    expect(authOf(3)).toBe(authOf(1));
  });

  it.each([
    ["epoch", { epoch: 5 }, "its MLS epoch is 2, its log entry says 5"],
    ["members", { members: [1, 3] }, "its MLS members are 1,2,3, its log entry says 1,3"],
    ["sender", { sender: 2 }, "it was signed by member 1, its log entry names sender 2"],
  ])("a genuine Welcome whose entry misstates its %s, refused where it stands; the genuine one still counts", async (_field, forged, says) => {
    await room.dcWelcome(1); // the genuine Welcome for 3, held back from the log ...
    const genuine = room.log.pop() as WelcomeEntry;
    const index = room.deliver({ ...genuine, ...forged }); // ... a misstated copy first
    while (room.state(3).cursor < index) await room.read(3);
    const error = expectRejected(await room.read(3), 3, index, "entry-mismatch");
    expect(error.message).toContain(says);
    expect(room.state(3).tentative).toBeNull();
    room.deliver(genuine);
    room.dcAdd(1);
    await catchUp(room, 3);
    expect(room.state(3)).toMatchObject({ welcomed: true, epoch: 2, members: [1, 2, 3] });
    expect(authOf(3)).toBe(authOf(1));
  });

  it("a Welcome entry without its removes field", async () => {
    const { removes: _drop, ...noRemoves } = room.log.find((e) => e.type === "welcome") as WelcomeEntry;
    await rejectAtMember(3, { ...noRemoves, target: 3 } as unknown as LogEntry, "malformed-entry");
  });

  it("a Commit whose entry names another target than the MLS Commit adds", async () => {
    await room.dcWelcome(1);
    room.dcAdd(1);
    // A malicious DS rewrites the entry before member 2 reads it: same MLS Commit (adds 3), entry says 4.
    const index = room.log.length - 1;
    room.log[index] = { ...(room.log[index] as CommitEntry), target: 4 };
    while (room.state(2).cursor < index) await room.read(2);
    const before = room.state(2);
    const auth = authOf(2);
    const error = expectRejected(await room.read(2), 2, index, "unexpected-change");
    expect(error.message).toContain("makes [add 3], its entry says [add 4]");
    expect(room.state(2)).toEqual({ ...before, cursor: index + 1 });
    expect(authOf(2)).toBe(auth);
    // The group was not consumed: the genuine entry, delivered again, still applies.
    room.log[index] = { ...(room.log[index] as CommitEntry), target: 3 };
    room.deliver(room.log[index]!);
    await catchUp(room, 2);
    expect(room.state(2)).toMatchObject({ epoch: 2, members: [1, 2, 3] });
    expect(authOf(2)).toBe(authOf(1));
  });

  // @spec R2
  it("a repeated `left` and a repeated `joined` are refused", async () => {
    room.leave(2);
    await catchUp(room, 1);
    await rejectAtMember(1, { type: "left", uid: 2 }, "duplicate-entry");
    const joined = room.log.find((e) => e.type === "joined" && e.uid === 3)!;
    await rejectAtMember(1, joined, "duplicate-entry");
  });

  // @spec DCA_Inputs!JoinedIsNext DCA_Inputs!LastArrivalCoversKnown R2
  it("a replayed `joined` of a user long gone, and one that skips a UID, are refused", async () => {
    // User 2 leaves and is removed: nothing in member 1's pending lists or view names it any more.
    room.leave(2);
    await catchUp(room, 1);
    await room.dcWelcome(1);
    room.dcAdd(1);
    await room.dcRemove(1);
    expect(room.state(1)).toMatchObject({ members: [1, 3], pendingAdds: [], pendingRemoves: [] });
    const of2 = room.log.find((e) => e.type === "joined" && e.uid === 2)!;
    const replay = await rejectAtMember(1, of2, "duplicate-entry");
    expect(replay.message).toContain("has heard of arrivals up to 3");
    const of3 = room.log.find((e) => e.type === "joined" && e.uid === 3)!;
    const skip = await rejectAtMember(1, { ...of3, uid: 5 } as LogEntry, "unexpected-arrival");
    expect(skip.message).toContain("the next is 4, not 5");
    // The genuine next arrival is still read.
    const uid = await room.join();
    expect(uid).toBe(4);
    await catchUp(room, 1);
    expect(room.state(1).pendingAdds).toEqual([4]);
    expect(room.lastArrival(1)).toBe(4);
  });

  // @spec DCA_Inputs!LeftNotRepeated DCA_Inputs!LeftIsKnown R2 R4
  it("a `left` of a user that never arrived, was removed, or is the reader itself is refused", async () => {
    await rejectAtMember(1, { type: "left", uid: 7 }, "unknown-user");
    await rejectAtMember(1, { type: "left", uid: 1 }, "self-leave");
    room.leave(2);
    await catchUp(room, 1);
    await room.dcWelcome(1); // adds before removes (R13): user 3 first, then 2 goes
    room.dcAdd(1);
    await room.dcRemove(1);
    expect(room.state(1)).toMatchObject({ members: [1, 3], pendingRemoves: [] });
    const error = await rejectAtMember(1, { type: "left", uid: 2 }, "unknown-user");
    expect(error.message).toContain("never arrived, or has left and been removed");
    // A joiner not yet welcomed ranks only the users the DS said were present when it
    // arrived (R2, R15), so a forged departure of user 2, removed long ago, names a user
    // it does not know, and is refused too (spec/dca.md section 3).
    const joiner = await room.join();
    expect(room.state(joiner).ahead).toEqual([1, 3]);
    room.deliver({ type: "left", uid: 2 });
    const out = await room.read(joiner);
    expect(out.kind === "rejected" && out.error.reason).toBe("unknown-user");
    expect(room.state(joiner)).toMatchObject({ pendingRemoves: [], ahead: [1, 3] });
  });

  // @spec DCA!Join R2 R15 — the teeth of the present list: without it the same forgery is taken.
  it("without the present list (known-bad NoPresentList) a joiner takes a forged `left` of a user who left before it arrived", async () => {
    const forged = async (variant: "Correct" | "NoPresentList") => {
      const r = await Room.create({ variant, mls: false });
      const two = await r.join();
      r.leave(two);
      const three = await r.join();
      r.deliver({ type: "left", uid: two });
      return { ahead: r.state(three).ahead, read: await r.read(three), state: r.state(three) };
    };
    const bad = await forged("NoPresentList");
    expect(bad.ahead).toEqual([1, 2]);
    expect(bad.read.kind).toBe("read");
    expect(bad.state.pendingRemoves).toEqual([2]);
    const good = await forged("Correct");
    expect(good.ahead).toEqual([1]);
    expect(good.read.kind === "rejected" && good.read.error.reason).toBe("unknown-user");
    expect(good.state.pendingRemoves).toEqual([]);
  });

  // R16 (spec/welcome-auth.md section 5): the arrival is counted, the joiner tracked as one to skip.
  it("a `joined` entry whose KeyPackage is garbled or names someone else: refused, its joiner tracked as one to skip", async () => {
    const of3 = room.log.find((e) => e.type === "joined" && e.uid === 3)!;
    await catchUp(room, 1);
    const before = room.state(1);
    const auth = authOf(1);
    const garbled = room.deliver({ type: "joined", uid: 4, keyPackage: new Uint8Array([1, 2, 3]) });
    expectRejected(await room.read(1), 1, garbled, "garbled");
    const foreign = room.deliver({ ...of3, uid: 5 } as LogEntry);
    expectRejected(await room.read(1), 1, foreign, "invalid");
    expect(room.state(1)).toEqual({ ...before, cursor: foreign + 1, pendingAdds: [3, 4, 5] });
    expect(authOf(1)).toBe(auth);
    expect(room.lastArrival(1)).toBe(5);
  });

  it("an unknown entry type", async () => {
    await rejectAtMember(1, { type: "mls_proposal", epoch: 1 } as unknown as LogEntry, "unknown-entry");
  });

  it("a Commit entry without its MLS bytes", async () => {
    const { commit: _drop, ...noBytes } = fittingCommit(new Uint8Array());
    await rejectAtMember(2, noBytes, "malformed-entry");
  });
});
