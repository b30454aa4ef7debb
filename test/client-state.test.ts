// A client's storage: the identity encoding (impl/mls/identity.ts) round-trips and
// refuses bad bytes by reason; the state file (impl/client/state-file.ts) is
// written atomically and a damaged or foreign file is refused naming the file and
// why; the recording is cut back to the saved step count; `npm run client` refuses
// bad usage with exit 2.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as mls from "../impl/mls.ts";
import { MemberCore } from "../impl/client/core.ts";
import { readClientFile, StateFileError, writeClientFile, type ClientFile } from "../impl/client/state-file.ts";
import { readRecording, StepRecorder } from "../impl/client/step-record.ts";
import { joinerState } from "../impl/rules.ts";

const dir = mkdtempSync(join(tmpdir(), "dca-client-state-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a member's identity as bytes", () => {
  it("round-trips: the restored identity joins from a Welcome made for the original", async () => {
    const ctx = await mls.initMls();
    const creator = await mls.newMember(ctx, 1);
    const group = await mls.createGroup(ctx, creator, "g");
    const joiner = await mls.newMember(ctx, 2);
    const restored = mls.decodeMember(mls.encodeMember(joiner));
    expect(restored.uid).toBe(2);
    const { welcome } = await mls.commitAdd(ctx, group, joiner.keyPackage);
    const joined = await mls.joinFromWelcome(ctx, restored, welcome);
    expect(mls.membersOf(joined)).toEqual([1, 2]);
    // Used once: a second join from the restored copy's encoding after use is refused.
    await expect(mls.joinFromWelcome(ctx, mls.decodeMember(mls.encodeMember(restored)), welcome)).rejects.toMatchObject({ reason: "key-package-used" });
  });

  it("refuses garbled, truncated and trailing bytes by reason", async () => {
    const ctx = await mls.initMls();
    const bytes = mls.encodeMember(await mls.newMember(ctx, 3));
    expect(() => mls.decodeMember(new Uint8Array([1, 2, 3, 4, 5, 6]))).toThrow(expect.objectContaining({ reason: "garbled" }));
    expect(() => mls.decodeMember(bytes.slice(0, bytes.length - 3))).toThrow(expect.objectContaining({ reason: "truncated" }));
    expect(() => mls.decodeMember(new Uint8Array([...bytes, 0]))).toThrow(expect.objectContaining({ reason: "trailing-bytes" }));
  });
});

describe("the client's state file", () => {
  const core = MemberCore.start({ uid: 2, variant: "Correct", ctx: null, keyPackageOf: () => new Uint8Array() }, 1, undefined, [1]);
  const file: ClientFile = { format: "dca-client/1", room: "r", uid: 2, identity: new Uint8Array([1, 2, 3]), member: core.save(), keyPackages: { "3": new Uint8Array([9]) }, outbox: null, steps: 4, appends: 0 };

  it("round-trips (bytes included) and leaves no temporary file", () => {
    const p = join(dir, "ok.json");
    writeClientFile(p, file);
    const back = readClientFile(p);
    expect(back.identity).toEqual(new Uint8Array([1, 2, 3]));
    expect(back.keyPackages["3"]).toEqual(new Uint8Array([9]));
    expect(MemberCore.restore({ uid: 2, variant: "Correct", ctx: null, keyPackageOf: () => new Uint8Array() }, back.member).state).toEqual(joinerState(2, 1, [1], "Correct"));
    expect(readdirSync(dir).filter((n) => n.includes(".tmp-"))).toEqual([]);
  });

  it("refuses a missing, non-JSON or foreign file, naming it and why", () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{not json");
    expect(() => readClientFile(bad)).toThrow(StateFileError);
    expect(() => readClientFile(bad)).toThrow(/bad\.json: not JSON/);
    writeFileSync(bad, JSON.stringify({ format: "other" }));
    expect(() => readClientFile(bad)).toThrow(/not a client state file/);
    expect(() => readClientFile(join(dir, "absent.json"))).toThrow(/cannot read the client state \(ENOENT\)/);
  });

  it("cuts the recording back to the saved step count", () => {
    const p = join(dir, "rec.jsonl");
    const r = new StepRecorder(p);
    r.truncate(0);
    for (let i = 0; i < 3; i++) r.append({ uid: 2, action: "Read", logIndex: i + 1, state: { ...joinerState(2, i + 2, [1], "Correct") } });
    r.truncate(2);
    expect(readRecording(p).map((s) => s.logIndex)).toEqual([1, 2]);
    writeFileSync(p, "{}\n");
    expect(() => readRecording(p)).toThrow(/rec\.jsonl:1: not a recorded step/);
  });
});

describe("npm run client: bad usage", () => {
  it("exits 2 naming the problem", () => {
    const run = (args: string[]) => spawnSync(process.execPath, ["--import", "./scripts/register-ts-node.mjs", "scripts/client.ts", ...args], { encoding: "utf8" });
    const noRoom = run(["--name", "a"]);
    expect(noRoom.status).toBe(2);
    expect(noRoom.stderr).toMatch(/--room is required/);
    const badVariant = run(["--room", "r", "--name", "a", "--variant", "Nope"]);
    expect(badVariant.status).toBe(2);
    expect(badVariant.stderr).toMatch(/unknown variant "Nope"/);
    const garbled = join(dir, "garbled.json");
    writeFileSync(garbled, "garbage");
    const badState = run(["--room", "r", "--name", "a", "--state", garbled, "--url", "ws://127.0.0.1:1"]);
    expect(badState.status).toBe(2);
    expect(badState.stderr).toMatch(/garbled\.json: not JSON/);
    expect(existsSync(garbled)).toBe(true); // never overwritten
  }, 20000);
});
