// The committed model traces (traces/model/, made by `npm run traces`): valid ITF
// of the current model, every action of the Correct variant covered, and every
// step consistent with the action it records -- checked here against the rules
// of tla/DCA.tla, independently of the code that generated the traces.

import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readItf, type ItfState, type ItfTrace } from "../scripts/tlc/formats/itf.ts";
import { modelHash } from "../conformance/generate/model-source-hash.ts";
import type { ItfValue } from "../scripts/tlc/formats/tla-values.ts";
import { CORRECT_ACTIONS, stepKey } from "../conformance/generate/trace-select.ts";
import { checkTraces, slug, TRACE_DIR } from "../conformance/generate/model-traces.ts";

type Rec = { [k: string]: ItfValue };
type Params = { u?: number; target?: number };

const files = readdirSync(TRACE_DIR)
  .filter((f) => f.endsWith(".itf.json"))
  .sort();
const traces = new Map<string, ItfTrace>();
const tmp = mkdtempSync(join(tmpdir(), "traces-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function load(file: string): Promise<ItfTrace> {
  if (!traces.has(file)) traces.set(file, await readItf(join(TRACE_DIR, file)));
  return traces.get(file)!;
}

// ---------------------------------------------------------------------------
// The model's rules, restated for the check (tla/DCA.tla, Correct variant).

const set = (xs: Iterable<number>): ItfValue => ({ "#set": [...new Set(xs)].sort((a, b) => a - b) });
const items = (v: ItfValue | undefined): number[] => (v as { "#set": number[] })["#set"];
const seq = (v: ItfValue | undefined): ItfValue[] => v as ItfValue[];
const rec = (v: ItfValue | undefined): Rec => v as Rec;
const range = (a: number, b: number) => Array.from({ length: Math.max(0, b - a + 1) }, (_, i) => a + i);

const FRESH: Rec = {
  status: "waiting",
  cursor: 0,
  welcomed: false,
  tentative: { type: "none" },
  epoch: 0,
  by: 0,
  members: set([]),
  ahead: set([]),
  pendingAdds: [],
  pendingRemoves: [],
  adding: 0,
};
const believes = (s: Rec) => s.status === "active" && s.welcomed === true && items(s.ahead).length === 0;

/** DCA!OnMessage(u, s, m) for the Correct variant, s with its cursor already advanced. */
function onMessage(u: number, s: Rec, m: Rec): Rec {
  const drop = (q: ItfValue | undefined, x: ItfValue) => seq(q).filter((y) => y !== x);
  switch (m.type) {
    case "joined":
      return { ...s, pendingAdds: [...seq(s.pendingAdds), m.uid!] };
    case "left":
      return { ...s, pendingRemoves: [...seq(s.pendingRemoves), m.uid!], ahead: set(items(s.ahead).filter((x) => x !== m.uid)) };
    case "skipped": // R16: the joiner was never added; nobody adds or removes it
      return { ...s, pendingAdds: drop(s.pendingAdds, m.uid!), pendingRemoves: drop(s.pendingRemoves, m.uid!) };
    case "welcome":
      return m.target !== u || s.welcomed ? s : { ...s, tentative: m };
    default: {
      if (!s.welcomed) {
        const w = rec(s.tentative);
        const confirms = m.type === "add" && m.target === u && w.type === "welcome" && m.sender === w.sender && (m.epoch as number) + 1 === w.epoch;
        if (!confirms) return s;
        // R7, and R15: removes of users ranked below every member of the Welcome are dropped.
        const lowest = Math.min(...items(w.members));
        const removes = [...seq(w.removes), ...seq(s.pendingRemoves).filter((x) => !seq(w.removes).includes(x))].filter((x) => (x as number) >= lowest);
        return {
          ...s,
          welcomed: true,
          tentative: { type: "none" },
          epoch: w.epoch!,
          by: w.sender!,
          members: w.members!,
          pendingRemoves: removes,
          ahead: set(items(w.members).filter((x) => x !== u && !removes.includes(x))),
        };
      }
      if (m.sender === u || m.epoch !== s.epoch || m.parent !== s.by) return s; // own Commit, or rejected
      return applyCommit(s, m);
    }
  }
}

function applyCommit(s: Rec, m: Rec): Rec {
  const t = m.target as number;
  const members = m.type === "add" ? [...items(s.members), t] : items(s.members).filter((x) => x !== t);
  return {
    ...s,
    epoch: (m.epoch as number) + 1,
    by: m.sender!,
    members: set(members),
    pendingAdds: m.type === "add" ? seq(s.pendingAdds).filter((x) => x !== t) : s.pendingAdds!,
    pendingRemoves: m.type === "remove" ? seq(s.pendingRemoves).filter((x) => x !== t) : s.pendingRemoves!,
  };
}

/**
 * Checks that `post` follows from `pre` by `action` with `params`: the entry the step
 * appends (if any), the acting user's new state, the others unchanged but for the log
 * compaction (Settle), which drops the prefix every active user has read.
 */
function checkStep(pre: ItfState, post: ItfState, action: string, params: Params, where: string): void {
  const [preLog, postLog] = [seq(pre.log as ItfValue), seq(post.log as ItfValue)];
  const [preSt, postSt] = [seq(pre.st as ItfValue).map(rec), seq(post.st as ItfValue).map(rec)];
  const users = preSt.length;
  const group = rec(pre.group as ItfValue);
  const u = params.u;
  const me = u === undefined ? undefined : preSt[u - 1];
  let appended: Rec | undefined;
  let mine: Rec | undefined; // the actor's state before compaction
  let nextGroup: ItfValue = group;
  let nextUid = pre.nextUid;

  const dcMessage = (type: string): Rec => ({ type, target: params.target!, epoch: me!.epoch!, sender: u!, parent: me!.by! });
  switch (action) {
    case "Join":
      expect(u, `${where}: Join hands out nextUid`).toBe(pre.nextUid);
      expect(me!.status, where).toBe("waiting");
      appended = { type: "joined", uid: u! };
      // R2, R15: the users present (active) rank before the arrival.
      mine = { ...FRESH, status: "active", cursor: preLog.length + 1, ahead: set(range(1, u! - 1).filter((v) => preSt[v - 1]!.status === "active")) };
      nextUid = u! + 1;
      break;
    case "Leave":
      expect(me!.status, where).toBe("active");
      appended = { type: "left", uid: u! };
      mine = { ...FRESH, status: "gone" };
      break;
    case "Read": {
      expect(me!.status, where).toBe("active");
      expect(me!.cursor as number, `${where}: something left to read`).toBeLessThan(preLog.length);
      const s = { ...me!, cursor: (me!.cursor as number) + 1 };
      mine = onMessage(u!, s, rec(preLog[me!.cursor as number]));
      break;
    }
    case "DcWelcome":
      expect(believes(me!) && me!.adding === 0, `${where}: a believing DC, no add in progress`).toBe(true);
      expect(params.target, `${where}: the earliest pending joiner (R11)`).toBe(seq(me!.pendingAdds)[0]);
      expect(seq(me!.pendingRemoves), `${where}: a joiner that has not left (R16)`).not.toContain(params.target);
      appended = {
        type: "welcome",
        target: params.target!,
        epoch: (me!.epoch as number) + 1,
        sender: u!,
        members: set([...items(me!.members), params.target!]),
        removes: me!.pendingRemoves!,
      };
      mine = { ...me!, adding: params.target! };
      break;
    case "DcAdd":
      expect(me!.status, where).toBe("active");
      expect(me!.adding, `${where}: the Add of the Welcome in progress`).toBe(params.target);
      expect(seq(me!.pendingRemoves), `${where}: a joiner that has not left (R16)`).not.toContain(params.target);
      appended = dcMessage("add");
      mine = { ...applyCommit(me!, appended), adding: 0 };
      break;
    case "DcRemove":
      expect(believes(me!) && me!.adding === 0 && seq(me!.pendingAdds).length === 0, `${where}: removes after adds (R13)`).toBe(true);
      expect(params.target, `${where}: the head of the pending removes`).toBe(seq(me!.pendingRemoves)[0]);
      appended = dcMessage("remove");
      mine = applyCommit(me!, appended);
      break;
    case "DcSkip": {
      // R16: the joiner under way, else the earliest pending one, has left: skipped.
      const t = me!.adding !== 0 ? me!.adding : seq(me!.pendingAdds)[0];
      expect(believes(me!), `${where}: a believing DC`).toBe(true);
      expect([params.target, seq(me!.pendingRemoves).includes(t!)], `${where}: the joiner under way or the earliest, which has left`).toEqual([t, true]);
      appended = { type: "skipped", uid: t!, sender: u! };
      mine = { ...onMessage(u!, me!, appended), adding: 0 };
      break;
    }
    case "Revive":
      // R15: not a member, the whole log read, every user ranked before it seen leave.
      expect(me!.status === "active" && me!.welcomed === false && me!.cursor === preLog.length && items(me!.ahead).length === 0, `${where}: a dead room to revive`).toBe(true);
      mine = {
        ...me!,
        welcomed: true,
        tentative: { type: "none" },
        epoch: 0,
        by: u!,
        members: set([u!]),
        pendingRemoves: seq(me!.pendingRemoves).filter((x) => seq(me!.pendingAdds).includes(x)),
      };
      nextGroup = { epoch: 0, by: u!, members: set([u!]), removed: set([]) };
      break;
    case "AllGone":
      expect(pre.nextUid as number, where).toBeGreaterThan(users);
      expect(preSt.every((s) => s.status !== "active"), where).toBe(true);
      break;
    default:
      throw new Error(`${where}: unexpected action ${action}`);
  }
  if (appended && (appended.type === "add" || appended.type === "remove")) {
    expect([appended.epoch, appended.parent], `${where}: a Commit in the group's epoch`).toEqual([group.epoch, group.by]);
    const t = appended.target as number;
    nextGroup = {
      epoch: (group.epoch as number) + 1,
      by: u!,
      members: set(appended.type === "add" ? [...items(group.members), t] : items(group.members).filter((x) => x !== t)),
      removed: set(appended.type === "remove" ? [...items(group.removed), t] : items(group.removed)),
    };
  }

  // Settle: the new log is the old one plus the appended entry, minus a prefix of k entries.
  const full = appended ? [...preLog, appended] : preLog;
  const k = full.length - postLog.length;
  expect(k, `${where}: the log only loses a prefix`).toBeGreaterThanOrEqual(0);
  expect(postLog, `${where}: log`).toEqual(full.slice(k));
  const raw = preSt.map((s, i) => (u !== undefined && i === u - 1 ? mine! : s));
  const expected = raw.map((s) => (s.status === "active" ? { ...s, cursor: (s.cursor as number) - k } : s));
  expect(postSt, `${where}: st`).toEqual(expected);
  // ...and k is the most it can drop: some active user has read nothing of the new log.
  const active = postSt.filter((s) => s.status === "active");
  if (active.length > 0) expect(Math.min(...active.map((s) => s.cursor as number)), `${where}: log compaction`).toBe(0);
  else expect(postLog, `${where}: nobody active, empty log`).toEqual([]);
  expect(post.group, `${where}: group`).toEqual(nextGroup);
  expect(post.nextUid, `${where}: nextUid`).toBe(nextUid);
}

// ---------------------------------------------------------------------------

describe("the committed traces (traces/model/)", () => {
  it("exist, are valid ITF of the current model, and cover every action of the Correct variant", async () => {
    expect(files.length).toBeGreaterThan(0);
    const report = await checkTraces();
    expect(report.problems).toEqual([]);
    expect([...report.actions].sort()).toEqual(expect.arrayContaining([...CORRECT_ACTIONS].sort()));
  });

  it.each(files)("%s: metadata", async (file) => {
    const t = await load(file);
    const meta = t["#meta"]!;
    expect(meta).toMatchObject({ format: "ITF", source: "tla/DCA_Record.tla", variant: "Correct", modelHash: modelHash(meta.config as string), generatedBy: "npm run traces" });
    expect(meta.config).toMatch(/^tla\/Record_\dusers\.cfg$/);
    expect(meta.tlc).toMatchObject({ label: expect.any(String), version: expect.stringMatching(/^TLC2 Version/) });
    expect(meta.chosenBy).toMatch(/^(cover: .+|random walk seed \d+)$/);
    expect(t.vars).toEqual(["group", "log", "nextUid", "st"]);
    expect(statSync(join(TRACE_DIR, file)).size, "a small file").toBeLessThan(100_000);
    // What the trace says it covers is what its steps do.
    const keys = t.states.slice(1).map((s) => stepKey({ action: String(s["#meta"]!.action), params: s["#meta"]!.params as Rec }));
    const covers = meta.covers as string[];
    expect(covers.filter((k) => k === "AllGone" || /^\w+ u=/.test(k)).sort()).toEqual([...new Set(keys)].sort());
    if (String(meta.chosenBy).startsWith("cover: ")) {
      expect(covers).toContain(String(meta.chosenBy).slice("cover: ".length));
      expect(file).toBe(`cover-${slug(String(meta.chosenBy).slice("cover: ".length))}.itf.json`);
    }
  });

  it.each(files)("%s: starts in DCA!Init and every step follows from the one before by its recorded action", async (file) => {
    const t = await load(file);
    const [first, ...rest] = t.states;
    const users = seq(first!.st as ItfValue).length;
    expect(first!["#meta"]).toMatchObject({ index: 0, action: "Init", params: {} });
    expect(first).toMatchObject({
      log: [],
      nextUid: 2,
      group: { epoch: 0, by: 0, members: set([1]), removed: set([]) },
      st: [{ ...FRESH, status: "active", welcomed: true, members: set([1]) }, ...range(2, users).map(() => FRESH)],
    });
    rest.forEach((post, i) => {
      const meta = post["#meta"]!;
      expect(meta.index).toBe(i + 1);
      const where = `${file}, state ${i + 1} (${String(meta.action)} ${JSON.stringify(meta.params)})`;
      checkStep(t.states[i]!, post, String(meta.action), meta.params as Params, where);
    });
  });

  it("the step check has teeth: another user, another target or a skipped state is caught", async () => {
    const t = await load("cover-DcWelcome-replaces-tentative.itf.json");
    const users = seq(t.states[0]!.st as ItfValue).length;
    let caught = 0;
    for (let i = 1; i < t.states.length; i++) {
      const meta = t.states[i]!["#meta"]!;
      const params = meta.params as Params;
      const wrong: Params[] = range(1, users)
        .filter((v) => v !== params.u)
        .map((v) => ({ ...params, u: v }));
      if (params.target !== undefined) wrong.push({ ...params, target: params.target === 3 ? 2 : 3 });
      for (const p of wrong) {
        expect(() => checkStep(t.states[i - 1]!, t.states[i]!, String(meta.action), p, "mutated")).toThrow();
        caught++;
      }
      if (i + 1 < t.states.length) {
        expect(() => checkStep(t.states[i - 1]!, t.states[i + 1]!, String(t.states[i + 1]!["#meta"]!.action), t.states[i + 1]!["#meta"]!.params as Params, "skip")).toThrow();
      }
    }
    expect(caught).toBeGreaterThan(50);
  });

  it("cover traces end quiescent, as they say", async () => {
    for (const file of files.filter((f) => f.startsWith("cover-"))) {
      const t = await load(file);
      expect(t["#meta"]!.endsQuiescent, file).toBe(true);
    }
  });
});

describe("--check on broken or stale traces", () => {
  const copy = (name: string) => {
    const dir = mkdtempSync(join(tmp, `${name}-`));
    cpSync(TRACE_DIR, dir, { recursive: true });
    return dir;
  };

  it("a trace made from another model is stale", async () => {
    const dir = copy("stale");
    const r = await checkTraces(dir, () => "sha256:another-model");
    expect(r.stale).toHaveLength(files.length);
    expect(r.problems[0]).toMatch(/stale: made from model sha256:[0-9a-f]{64}, the model is now sha256:another-model$/);
  });

  it("a trace made with another configuration is stale: the hash covers the config's users and variant", async () => {
    expect(new Set([modelHash(), modelHash("tla/Record_3users.cfg"), modelHash("tla/Record_4users.cfg")]).size).toBe(3);
    const dir = copy("config");
    const [first, second] = files;
    const t = JSON.parse(readFileSync(join(dir, first!), "utf8")) as ItfTrace;
    t["#meta"]!.config = t["#meta"]!.config === "tla/Record_3users.cfg" ? "tla/Record_4users.cfg" : "tla/Record_3users.cfg";
    writeFileSync(join(dir, first!), JSON.stringify(t));
    const u = JSON.parse(readFileSync(join(dir, second!), "utf8")) as ItfTrace;
    delete u["#meta"]!.config;
    writeFileSync(join(dir, second!), JSON.stringify(u));
    const r = await checkTraces(dir);
    expect(r.stale).toEqual([join(dir, first!)]);
    expect(r.problems).toContain(`${join(dir, second!)}: #meta.config is undefined, expected "tla/Record_3users.cfg" or "tla/Record_4users.cfg"`);
  });

  it("a file that is not ITF, and a missing action", async () => {
    const dir = copy("broken");
    writeFileSync(join(dir, files[0]!), '{"vars": ["log"], "states": [{}]}');
    for (const f of files.slice(1)) {
      const t = JSON.parse(readFileSync(join(dir, f), "utf8")) as ItfTrace;
      t.states = t.states.filter((s) => s["#meta"]!.action !== "DcRemove");
      writeFileSync(join(dir, f), JSON.stringify(t));
    }
    const r = await checkTraces(dir);
    expect(r.problems).toContain(`${join(dir, files[0]!)}: $.states[0].log: state is missing variable "log"`);
    expect(r.problems.at(-1)).toBe(`${dir}: no trace takes DcRemove`);
  });

  it("an empty folder", async () => {
    const dir = mkdtempSync(join(tmp, "empty-"));
    expect((await checkTraces(dir)).problems).toEqual([`${dir}: no *.itf.json traces`]);
  });
});

describe("helpers of npm run traces", () => {
  it("slug names files after keys", () => {
    expect(slug("DcRemove u=2 target=1")).toBe("DcRemove-u2-target1");
    expect(slug("Read entry=add-confirms-welcome")).toBe("Read-add-confirms-welcome");
    expect(slug("DcWelcome carries-removes")).toBe("DcWelcome-carries-removes");
    expect(slug('X name="a b"')).toBe("X-a-b");
  });
});
