// Real MLS (ts-mls), no mocks: the facade impl/mls.ts as the DCA uses it.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Member,
  type MlsContext,
  type MlsGroup,
  type MlsInputErrorReason,
  MlsInputError,
  MlsUsageError,
  commitAdd,
  commitRemove,
  createGroup,
  decodeGroup,
  decrypt,
  encodeGroup,
  encrypt,
  epochAuthenticator,
  epochOf,
  initMls,
  inspectWelcome,
  inspectWelcomeToJoin,
  joinFromWelcome,
  membersOf,
  myUid,
  newMember,
  processCommit,
} from "../impl/mls.ts";
import { safetyNumber } from "../impl/safety-number.ts";

let ctx: MlsContext;
beforeAll(async () => {
  ctx = await initMls();
});

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
/** An independent copy of a group handle (what a caller does to keep a fallback). */
const fork = (g: MlsGroup) => decodeGroup(ctx, encodeGroup(g));

async function failure(p: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    return e;
  }
  throw new Error("expected a failure");
}

async function expectInputError(p: Promise<unknown> | (() => unknown), reason: MlsInputErrorReason): Promise<void> {
  const e = await failure(p);
  expect(e, String(e)).toBeInstanceOf(MlsInputError);
  expect((e as MlsInputError).reason, (e as Error).message).toBe(reason);
  expect((e as Error).message.length).toBeGreaterThan(10);
}

/** All given handles agree on epoch, epoch authenticator, safety number and member list. */
function expectSameEpoch(groups: MlsGroup[], members: number[]): void {
  const [first, ...rest] = groups;
  for (const g of rest) {
    expect(epochOf(g)).toBe(epochOf(first!));
    expect(epochAuthenticator(g)).toEqual(epochAuthenticator(first!));
    expect(safetyNumber(epochAuthenticator(g))).toBe(safetyNumber(epochAuthenticator(first!)));
  }
  for (const g of groups) expect(membersOf(g)).toEqual(members);
}

/** `from` sends `msg`; every handle in `to` decrypts it. Returns the new handles (sender first). */
async function exchange<T extends MlsGroup[]>(from: MlsGroup, to: [...T], msg: string): Promise<[MlsGroup, ...T]> {
  const sent = await encrypt(ctx, from, text(msg));
  const out = [sent.group];
  for (const g of to) {
    const got = await decrypt(ctx, g, sent.message);
    expect(str(got.plaintext)).toBe(msg);
    expect(got.senderUid).toBe(myUid(from));
    expect(got.epoch).toBe(epochOf(from));
    out.push(got.group);
  }
  return out as [MlsGroup, ...T];
}

interface Three {
  m: Member[];
  g1: MlsGroup; // the DC (creator)
  g2: MlsGroup;
  g3: MlsGroup;
  /** The Commit that added member 3 (made in epoch 1). */
  addThree: Uint8Array;
  welcomeThree: Uint8Array;
}

/** Creator 1 adds 2 then 3; checks agreement after every Commit. */
async function buildThree(room = "room-1"): Promise<Three> {
  const m = [await newMember(ctx, 1), await newMember(ctx, 2), await newMember(ctx, 3)];
  let g1 = await createGroup(ctx, m[0]!, room);
  expect(epochOf(g1)).toBe(0);
  expect(membersOf(g1)).toEqual([1]);
  expect(myUid(g1)).toBe(1);

  const a2 = await commitAdd(ctx, g1, m[1]!.keyPackage);
  expect(a2.addedUid).toBe(2);
  g1 = a2.group;
  const g2 = await joinFromWelcome(ctx, m[1]!, a2.welcome);
  expect(myUid(g2)).toBe(2);
  expectSameEpoch([g1, g2], [1, 2]);
  expect(epochOf(g1)).toBe(1);

  const a3 = await commitAdd(ctx, g1, m[2]!.keyPackage);
  g1 = a3.group;
  const g2b = await processCommit(ctx, g2, a3.commit, { allowedSender: 1 });
  const g3 = await joinFromWelcome(ctx, m[2]!, a3.welcome);
  expectSameEpoch([g1, g2b, g3], [1, 2, 3]);
  expect(epochOf(g3)).toBe(2);
  return { m, g1, g2: g2b, g3, addThree: a3.commit, welcomeThree: a3.welcome };
}

describe("impl/mls.ts: a DCA group over real MLS", () => {
  it("builds a group of 3 by adds; members agree on epoch, authenticator, safety number and members", async () => {
    const t = await buildThree();
    expect(safetyNumber(epochAuthenticator(t.g1))).toMatch(/^\d{5}( \d{5}){5}$/);
    // a different room (same UIDs) is a different MLS state: different safety number
    const other = await buildThree("room-2");
    expect(safetyNumber(epochAuthenticator(other.g1))).not.toBe(safetyNumber(epochAuthenticator(t.g1)));
  });

  it("delivers application messages from any member to the others (and refuses a replay)", async () => {
    let { g1, g2, g3 } = await buildThree();
    [g2, g1, g3] = await exchange(g2, [g1, g3], "hello from 2");
    [g1, g2, g3] = await exchange(g1, [g2, g3], "hello from 1");
    const sent = await encrypt(ctx, g3, text("once"));
    g3 = sent.group;
    const got = await decrypt(ctx, g1, sent.message);
    g1 = got.group;
    await expectInputError(decrypt(ctx, g1, sent.message), "replay");
    [g3, g1, g2] = await exchange(g3, [g1, g2], "after the replay");
  });

  it("removes a member: the others agree, the removed one is out and cannot decrypt", async () => {
    let { g1, g2, g3 } = await buildThree();
    const r = await commitRemove(ctx, g1, 2);
    g1 = r.group;
    g3 = await processCommit(ctx, g3, r.commit, { allowedSender: 1 });
    expectSameEpoch([g1, g3], [1, 3]);
    expect(epochOf(g1)).toBe(3);

    const removed = await processCommit(ctx, g2, r.commit, { allowedSender: 1 });
    expect(membersOf(removed)).toEqual([1, 3]);
    expect(membersOf(removed)).not.toContain(myUid(removed));
    expect(await failure(encrypt(ctx, removed, text("x")))).toBeInstanceOf(MlsUsageError);

    const sent = await encrypt(ctx, g1, text("after the remove"));
    g1 = sent.group;
    g3 = (await decrypt(ctx, g3, sent.message)).group;
    await expectInputError(decrypt(ctx, removed, sent.message), "wrong-epoch");
    await expectInputError(commitRemove(ctx, g1, 2), "unknown-member");
    expect(await failure(commitRemove(ctx, g1, 1))).toBeInstanceOf(MlsUsageError);
    [g3, g1] = await exchange(g3, [g1], "still fine");
  });

  it("saves and restores a group (encode/decode) and keeps working", async () => {
    let { g1, g2, g3, m } = await buildThree();
    const saved = encodeGroup(g3);
    const restored = decodeGroup(ctx, saved);
    expect(encodeGroup(restored)).toEqual(saved);
    expect(myUid(restored)).toBe(3);
    expectSameEpoch([g1, g2, restored], [1, 2, 3]);

    const m4 = await newMember(ctx, 4);
    const a = await commitAdd(ctx, g1, m4.keyPackage);
    g1 = a.group;
    g2 = await processCommit(ctx, g2, a.commit, { allowedSender: 1 });
    g3 = await processCommit(ctx, restored, a.commit, { allowedSender: 1 });
    const g4 = decodeGroup(ctx, encodeGroup(await joinFromWelcome(ctx, m4, a.welcome)));
    expectSameEpoch([g1, g2, g3, g4], [1, 2, 3, 4]);
    await exchange(g4, [g1, g2, g3], "restored and joined");
    expect(m.length).toBe(3);

    await expectInputError(() => decodeGroup(ctx, text("definitely not a group")), "garbled");
    await expectInputError(() => decodeGroup(ctx, saved.subarray(0, saved.length - 7)), "truncated");
    await expectInputError(() => decodeGroup(ctx, concat(saved, Uint8Array.of(0))), "trailing-bytes");
  });

  it("retires consumed handles; an explicit copy lets the committer drop a Commit and carry on", async () => {
    let { g1, g2, g3 } = await buildThree();
    const old = g2;
    const sent = await encrypt(ctx, g2, text("x"));
    g2 = sent.group;
    expect(await failure(encrypt(ctx, old, text("y")))).toBeInstanceOf(MlsUsageError);
    expect(() => encodeGroup(old)).toThrow(MlsUsageError);
    expect(epochOf(old)).toBe(2); // read-only views still work

    // one operation at a time per handle
    const first = decrypt(ctx, g3, sent.message);
    expect(await failure(decrypt(ctx, g3, sent.message))).toBeInstanceOf(MlsUsageError);
    g3 = (await first).group;

    // The DC keeps a copy, makes a Commit the log never takes, and continues from the copy.
    const spare = fork(g1);
    const m4 = await newMember(ctx, 4);
    const dropped = await commitAdd(ctx, g1, m4.keyPackage);
    expect(await failure(commitRemove(ctx, g1, 2))).toBeInstanceOf(MlsUsageError);
    expect(await failure(decrypt(ctx, g1, sent.message))).toBeInstanceOf(MlsUsageError);
    g1 = (await decrypt(ctx, spare, sent.message)).group;
    const r = await commitRemove(ctx, g1, 2);
    g1 = r.group;
    g3 = await processCommit(ctx, g3, r.commit, { allowedSender: 1 });
    expectSameEpoch([g1, g3], [1, 3]);
    await expectInputError(processCommit(ctx, g3, dropped.commit), "wrong-epoch");
    await exchange(g1, [g3], "after dropping a Commit");
  });

  it("decrypts a late application message from the previous epoch", async () => {
    let { g1, g2, g3 } = await buildThree();
    const late = await encrypt(ctx, g2, text("sent in epoch 2"));
    g2 = late.group;
    const m4 = await newMember(ctx, 4);
    const a = await commitAdd(ctx, g1, m4.keyPackage);
    g1 = a.group;
    g3 = await processCommit(ctx, g3, a.commit, { allowedSender: 1 });
    for (const g of [g1, g3]) {
      const got = await decrypt(ctx, g, late.message);
      expect(str(got.plaintext)).toBe("sent in epoch 2");
      expect(got.epoch).toBe(2);
      expect(got.senderUid).toBe(2);
    }
  });

  it("refuses every kind of bad input with the right reason and leaves the group intact", async () => {
    const { m, g1: dc, g2, g3, addThree, welcomeThree } = await buildThree();
    // The valid next Commit (epoch 2 -> 3), and material for the bad cases.
    const m4 = await newMember(ctx, 4);
    const appMsg = await encrypt(ctx, dc, text("app"));
    const dcSpare = fork(appMsg.group);
    const next = await commitAdd(ctx, appMsg.group, m4.keyPackage);
    const future = await commitRemove(ctx, fork(next.group), 2); // epoch 3, never delivered
    const rogue = await commitRemove(ctx, fork(g2), 1); // member 2 is not the DC
    const x = await newMember(ctx, 10);
    const otherGroup = await commitAdd(ctx, await createGroup(ctx, x, "another-room"), (await newMember(ctx, 11)).keyPackage);

    const tampered = next.commit.slice();
    tampered[tampered.length - 20]! ^= 0x01;
    const random = new Uint8Array(200);
    crypto.getRandomValues(random);
    random[0] = 0xff; // keep it away from the MLS header by chance

    const cases: [string, Uint8Array, MlsInputErrorReason, { allowedSender?: number }?][] = [
      ["empty", new Uint8Array(0), "garbled"],
      ["random bytes", random, "garbled"],
      ["text", text("this is not MLS"), "garbled"],
      ["truncated by 10 bytes", next.commit.subarray(0, next.commit.length - 10), "truncated"],
      ["truncated to half", next.commit.subarray(0, next.commit.length >> 1), "truncated"],
      ["truncated header", next.commit.subarray(0, 3), "truncated"],
      ["trailing garbage", concat(next.commit, text("garbage")), "trailing-bytes"],
      ["a Welcome as a Commit", next.welcome, "wrong-kind"],
      ["a KeyPackage as a Commit", m4.keyPackage, "wrong-kind"],
      ["an application message as a Commit", appMsg.message, "wrong-kind"],
      ["a Commit of another group", otherGroup.commit, "wrong-group"],
      ["an old Commit (epoch 1)", addThree, "wrong-epoch"],
      ["a future Commit (epoch 3)", future.commit, "wrong-epoch"],
      ["a tampered Commit", tampered, "crypto"],
      ["a Commit from a sender not allowed", rogue.commit, "sender-not-allowed", { allowedSender: 1 }],
    ];
    let h3 = g3;
    for (const [name, bytes, reason, opts] of cases) {
      const before = encodeGroup(h3);
      const e = await failure(processCommit(ctx, h3, bytes, opts ?? { allowedSender: 1 }));
      expect(e, name).toBeInstanceOf(MlsInputError);
      expect((e as MlsInputError).reason, `${name}: ${(e as Error).message}`).toBe(reason);
      expect(encodeGroup(h3), `${name} changed the state`).toEqual(before);
    }
    // application-message side
    const before = encodeGroup(h3);
    await expectInputError(decrypt(ctx, h3, next.commit), "wrong-kind");
    await expectInputError(decrypt(ctx, h3, concat(appMsg.message, Uint8Array.of(1))), "trailing-bytes");
    const badApp = appMsg.message.slice();
    badApp[badApp.length - 1]! ^= 0x80;
    await expectInputError(decrypt(ctx, h3, badApp), "crypto");
    expect(encodeGroup(h3)).toEqual(before);

    // Welcome side
    await expectInputError(joinFromWelcome(ctx, m4, next.commit), "wrong-kind");
    await expectInputError(joinFromWelcome(ctx, m4, welcomeThree), "not-for-me");
    await expectInputError(joinFromWelcome(ctx, m4, next.welcome.subarray(0, 100)), "truncated");
    await expectInputError(joinFromWelcome(ctx, m[2]!, welcomeThree), "key-package-used"); // 3 joined already
    await expectInputError(inspectWelcome(ctx, m4, welcomeThree), "not-for-me");
    await expectInputError(inspectWelcome(ctx, m4, next.welcome.subarray(0, 100)), "truncated");
    // A trial join says what the Welcome holds, signer included, and uses up nothing.
    // (This committer signed no removes list: null, which a joiner refuses, spec/welcome-auth.md.)
    expect(await inspectWelcome(ctx, m4, next.welcome)).toEqual({ epoch: 3, members: [1, 2, 3, 4], signer: 1, removes: null });

    // KeyPackage side (the DC)
    const dcBefore = encodeGroup(dcSpare);
    const forged = (await newMember(ctx, 5)).keyPackage.slice();
    forged[forged.length - 1]! ^= 0x01; // the KeyPackage signature
    await expectInputError(commitAdd(ctx, dcSpare, forged), "crypto");
    await expectInputError(commitAdd(ctx, dcSpare, text("not a key package")), "garbled");
    await expectInputError(commitAdd(ctx, dcSpare, next.welcome), "wrong-kind");
    await expectInputError(commitAdd(ctx, dcSpare, (await newMember(ctx, 2)).keyPackage), "already-member");
    expect(encodeGroup(dcSpare)).toEqual(dcBefore);

    // The same handle now processes the valid Commit and talks to its peers.
    h3 = await processCommit(ctx, h3, next.commit, { allowedSender: 1 });
    const h2 = await processCommit(ctx, g2, next.commit, { allowedSender: 1 });
    const h4 = await joinFromWelcome(ctx, m4, next.welcome);
    await expectInputError(joinFromWelcome(ctx, m4, next.welcome), "key-package-used");
    expectSameEpoch([next.group, h2, h3, h4], [1, 2, 3, 4]);
    const [h3b, dcb, h2b, h4b] = await exchange(h3, [next.group, h2, h4], "after all that");
    await exchange(dcb, [h3b, h2b, h4b], "and back");
  });

  it("fuzz: any mutation of a valid Commit is refused with MlsInputError and leaves the state unchanged", async () => {
    const { g1, g3 } = await buildThree();
    const valid = (await commitAdd(ctx, g1, (await newMember(ctx, 4)).keyPackage)).commit;
    const before = encodeGroup(g3);
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant("cut" as const), at: fc.nat({ max: valid.length - 1 }) }),
      fc.record({ kind: fc.constant("flip" as const), at: fc.nat({ max: valid.length - 1 }), bit: fc.nat({ max: 7 }) }),
      fc.record({ kind: fc.constant("append" as const), extra: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
      fc.record({ kind: fc.constant("random" as const), bytes: fc.uint8Array({ maxLength: 600 }) }),
    );
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        let bytes: Uint8Array;
        if (m.kind === "cut") bytes = valid.subarray(0, m.at);
        else if (m.kind === "flip") {
          bytes = valid.slice();
          bytes[m.at]! ^= 1 << m.bit;
        } else if (m.kind === "append") bytes = concat(valid, m.extra);
        else bytes = m.bytes;
        const e = await failure(processCommit(ctx, g3, bytes, { allowedSender: 1 }));
        expect(e).toBeInstanceOf(MlsInputError);
        const reason = (e as MlsInputError).reason;
        if (m.kind === "cut") expect(["truncated", "garbled"]).toContain(reason);
        if (m.kind === "append") expect(reason).toBe("trailing-bytes");
        expect(encodeGroup(g3)).toEqual(before);
      }),
      { numRuns: 150 },
    );
    const h3 = await processCommit(ctx, g3, valid, { allowedSender: 1 });
    expect([epochOf(h3), membersOf(h3)]).toEqual([3, [1, 2, 3, 4]]);
  });

  it("a Commit refused by the sender policy does not consume the sender's keys", async () => {
    // ts-mls's reject path returns the sender's handshake-ratchet secret as "consumed" while the input
    // state still uses it: zeroing it there would kill that ratchet. The facade zeroes nothing on refusal.
    const { g2, g3 } = await buildThree();
    const rogue = await commitRemove(ctx, g2, 1);
    await expectInputError(processCommit(ctx, g3, rogue.commit, { allowedSender: 1 }), "sender-not-allowed");
    const h3 = await processCommit(ctx, g3, rogue.commit); // no restriction: the same Commit still decrypts
    expectSameEpoch([rogue.group, h3], [2, 3]);
  });

  it("key-package substitution by the DS: the real joiner cannot join, the group holds the attacker", async () => {
    const { g1, g2, g3 } = await buildThree();
    const real = await newMember(ctx, 4);
    const attacker = await newMember(ctx, 4); // same UID, the DS's own key
    const a = await commitAdd(ctx, g1, attacker.keyPackage); // the log carried the attacker's KeyPackage
    await expectInputError(joinFromWelcome(ctx, real, a.welcome), "not-for-me");
    const evil = await joinFromWelcome(ctx, attacker, a.welcome);
    const honest = [a.group, await processCommit(ctx, g2, a.commit), await processCommit(ctx, g3, a.commit)];
    expectSameEpoch([...honest, evil], [1, 2, 3, 4]);
    // The real user 4 shows no safety number for this epoch (or its old one), never the group's:
    // comparing numbers out of band exposes the substitution.
    expect(safetyNumber(epochAuthenticator(honest[0]!))).not.toBe(safetyNumber(epochAuthenticator(g1)));
  });

  // spec/welcome-auth.md: the DC's pending removes ride in the Welcome's GroupInfo, signed.
  it("a Welcome carries the committer's removes, signed, in order; a changed byte is refused", async () => {
    const [m1, m2] = [await newMember(ctx, 1), await newMember(ctx, 2)];
    const g1 = await createGroup(ctx, m1, "room-removes");
    const kept = fork(g1);
    // Bad arguments are the caller's mistake, refused before any Commit is made.
    await expect(commitAdd(ctx, kept, m2.keyPackage, { removes: [3, 0] })).rejects.toBeInstanceOf(MlsUsageError);
    const a = await commitAdd(ctx, g1, m2.keyPackage, { removes: [7, 3] });
    expect(await inspectWelcome(ctx, m2, a.welcome)).toEqual({ epoch: 1, members: [1, 2], signer: 1, removes: [7, 3] });
    // The list is inside the encrypted, signed GroupInfo: a byte changed there is refused.
    const tampered = a.welcome.slice();
    tampered[tampered.length - 1]! ^= 1;
    await expectInputError(inspectWelcome(ctx, m2, tampered), "crypto");
    const g2 = await joinFromWelcome(ctx, m2, a.welcome);
    expectSameEpoch([a.group, g2], [1, 2]);
  });

  // impl/client/core.ts joins from the trial join it made when it read the Welcome (one join, not two).
  it("inspectWelcomeToJoin: the trial join, adopted later, is the group joinFromWelcome makes; it uses the secret then, not before", async () => {
    const [m1, m2] = [await newMember(ctx, 1), await newMember(ctx, 2)];
    const a = await commitAdd(ctx, await createGroup(ctx, m1, "room-trial"), m2.keyPackage, { removes: [] });
    const trial = await inspectWelcomeToJoin(ctx, m2, a.welcome);
    expect(trial.contents).toEqual({ epoch: 1, members: [1, 2], signer: 1, removes: [] });
    expect(await inspectWelcome(ctx, m2, a.welcome)).toEqual(trial.contents); // the secret is still unused
    const g2 = trial.join();
    expectSameEpoch([a.group, g2], [1, 2]);
    await expectInputError(joinFromWelcome(ctx, m2, a.welcome), "key-package-used");
    expect(() => trial.join()).toThrow(/already used by joinFromWelcome/);
  });
});

describe("impl/mls/welcome-removes.ts: the removes extension's encoding", () => {
  it("round-trips a list and refuses data that is not a list of UIDs, or two lists", async () => {
    const { encodeRemovesExtension, readRemovesExtension, REMOVES_EXTENSION_TYPE } = await import("../impl/mls/welcome-removes.ts");
    const e = encodeRemovesExtension([3, 1, 70000]);
    expect(readRemovesExtension([e])).toEqual([3, 1, 70000]);
    expect(readRemovesExtension([])).toBeNull();
    expect(readRemovesExtension([{ extensionType: "application_id", extensionData: e.extensionData }])).toBeNull();
    const bad = [
      [{ extensionType: REMOVES_EXTENSION_TYPE, extensionData: e.extensionData.subarray(0, 5) }],
      [{ extensionType: REMOVES_EXTENSION_TYPE, extensionData: new Uint8Array(4) }],
      [e, e],
    ];
    for (const extensions of bad) {
      expect(() => readRemovesExtension(extensions)).toThrow(MlsInputError);
      try {
        readRemovesExtension(extensions);
      } catch (err) {
        expect((err as MlsInputError).reason).toBe("invalid");
      }
    }
    expect(() => encodeRemovesExtension([2 ** 32])).toThrow(MlsUsageError);
  });
});
