// The trace viewer (npm run view, scripts/lib/view/): the chart model against
// the traces it is drawn from, the page it renders, escaping of untrusted
// text, and what a malformed trace gets. The arrow and DC expectations are
// computed here from the ITF states, not with the viewer's own helpers.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ModelState } from "../conformance/model/refinement.ts";
import { replayTrace, type ConformanceError } from "../conformance/replay/replay-trace.ts";
import { VARIANTS } from "../impl/types.ts";
import { readItf, type ItfTrace } from "../scripts/tlc/formats/itf.ts";
import type { ItfValue } from "../scripts/tlc/formats/tla-values.ts";
import { buildChart, type Chart } from "../scripts/lib/view/chart.ts";
import { esc, html } from "../scripts/lib/view/escape.ts";
import { loadTrace, oneLine } from "../scripts/lib/view/load.ts";
import { renderPage } from "../scripts/lib/view/page.ts";
import { renderReplayPage } from "../scripts/lib/view/replay-page.ts";
import { renderIndex } from "../scripts/lib/view/index-page.ts";

type Rec = Record<string, ItfValue>;
const ROOT = new URL("..", import.meta.url).pathname;
const DIRS = ["traces/model", "traces/counterexamples"];
const ALL = DIRS.flatMap((d) => readdirSync(join(ROOT, d)).filter((f) => f.endsWith(".itf.json")).sort().map((f) => `${d}/${f}`));
const tmp = mkdtempSync(join(tmpdir(), "view-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const load = (file: string) => readItf(join(ROOT, file));
const users = (s: unknown) => s as Rec[];
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
/** How often `needle` occurs in `text`. */
const count = (text: string, needle: string | RegExp) => text.split(needle).length - 1;

// The steps that append to the DS log, by the rules of tla/DCA.tla.
const APPENDS = new Set(["Join", "Leave", "DcWelcome", "DcAdd", "DcAddFirst", "DcLateWelcome", "DcRemove", "DcSkip"]);

type Expected = { step: number; kind: "append" | "read"; who: { user: number; entryType: string }[] };

/** The arrows a trace must show, step by step: one per append, one per Read (see chart.ts). */
function expectedArrows(trace: ItfTrace): Expected[] {
  return trace.states.flatMap((s, i): Expected[] => {
    if (i === 0) return [];
    const action = String(s["#meta"]?.action);
    const prev = trace.states[i - 1]!;
    const params = s["#meta"]?.params as { u?: number } | undefined;
    if (action === "Read") {
      // The entry read is the one at the reader's cursor in the previous state. Model
      // traces record the reader; for TLC's counterexamples any active user with an
      // unread entry may be it.
      const log = prev.log as Rec[];
      const who = users(prev.st).flatMap((u, k) =>
        u.status === "active" && (u.cursor as number) < log.length && (params?.u === undefined || params.u === k + 1)
          ? [{ user: k + 1, entryType: String(log[u.cursor as number]!.type) }]
          : [],
      );
      return [{ step: i, kind: "read", who }];
    }
    if (!APPENDS.has(action)) return [];
    // Join's and Leave's entries may be compacted away at once; a DC's append is the last entry.
    const type = action === "Join" ? "joined" : action === "Leave" ? "left" : String((s.log as Rec[]).at(-1)!.type);
    // TLC's counterexamples name no author: the leaver is the user who went from active to gone,
    // a DC step's author the one user that believed it was the DC (several only in known-bad variants).
    const gone = users(prev.st).flatMap((u, k) => (u.status === "active" && users(s.st)[k]!.status === "gone" ? [k + 1] : []));
    const dcs = users(prev.st).flatMap((u, k) =>
      u.status === "active" && (u.welcomed === true || trace["#meta"]?.variant === "DcLowestAlive") && (u.ahead as { "#set": number[] })["#set"].length === 0 ? [k + 1] : [],
    );
    const derived = action === "Leave" ? (gone.length === 1 ? gone[0] : undefined) : dcs.length === 1 ? dcs[0] : undefined;
    const author = action === "Join" ? (prev.nextUid as number) : params?.u ?? derived;
    return [{ step: i, kind: "append", who: [{ user: author ?? 0, entryType: type }] }];
  });
}

/** The chart's arrows are exactly the trace's appends and reads, one per step, in order, each with its entry. */
function expectArrowsMatch(chart: Chart, trace: ItfTrace): void {
  const want = expectedArrows(trace);
  expect(chart.arrows.map((a) => `${a.step}:${a.kind}`)).toEqual(want.map((w) => `${w.step}:${w.kind}`));
  chart.arrows.forEach((a, n) => {
    const user = a.kind === "read" ? (a.to as number) : (a.from as number);
    const options = want[n]!.who.map((w) => (w.user === 0 ? { ...w, user } : w)); // author not recorded: any
    expect(options, `step ${a.step}`).toContainEqual({ user, entryType: String(a.entry.type) });
    expect(a.kind === "read" ? a.from : a.to).toBe("ds");
  });
}

describe("chart model, on every stored trace", () => {
  it.each(ALL)("%s: a lifeline per user, an arrow per append and per Read", async (file) => {
    const trace = await load(file);
    const chart = buildChart(trace, file);
    expect(chart.users).toBe(users(trace.states[0]!.st).length);
    expect(chart.rows).toHaveLength(trace.states.length);
    expectArrowsMatch(chart, trace);
    const page = renderPage({ file, trace, chart });
    expect(count(page, /class="lifeline" data-user="/)).toBe(chart.users);
    expect(count(page, 'class="lifeline" data-role="ds"')).toBe(1);
    expect(count(page, /<g class="arrow /)).toBe(expectedArrows(trace).length);
    expect(count(page, /<g class="arrow read /)).toBe(trace.states.filter((s) => s["#meta"]?.action === "Read").length);
    expect(count(page, /<g class="step[ "]/)).toBe(trace.states.length);
    expect(count(page, /<section class="state"/)).toBe(trace.states.length);
    // Lifeline styles, row by row, from the states: waiting, joining (no Welcome yet),
    // tentative (Welcome held, its Add not yet read), member; nothing once gone. A row
    // where the user leaves keeps the style it had.
    const style = (u: Rec) =>
      u.status === "waiting" ? "waiting" : u.status === "gone" ? undefined
      : u.welcomed === true ? "member" : (u.tentative as Rec).type === "welcome" ? "tentative" : "joining";
    for (let k = 0; k < chart.users; k++) {
      const want = trace.states.flatMap((s, i) => {
        const now = users(s.st)[k]!, before = i > 0 ? users(trace.states[i - 1]!.st)[k]! : undefined;
        const leaving = before?.status === "active" && now.status === "gone";
        const cls = style(leaving ? before : now);
        return cls ? [cls] : [];
      });
      const group = page.split(`<g class="lifeline" data-user="${k + 1}">`)[1]!.split("</g>")[0]!;
      expect([...group.matchAll(/<line class="seg (\w+)"/g)].map((m) => m[1]), `user ${k + 1}'s lifeline`).toEqual(want);
    }
    // DC markers: exactly the users that satisfy DCA!Believes in each state.
    const variant = trace["#meta"]?.variant;
    trace.states.forEach((s, i) => {
      const believers = users(s.st).flatMap((u, k) =>
        u.status === "active" && (u.welcomed === true || variant === "DcLowestAlive") && (u.ahead as { "#set": number[] })["#set"].length === 0 ? [k + 1] : [],
      );
      expect(chart.rows[i]!.believers, `step ${i}`).toEqual(believers);
      expect(count(page, `class="dc" data-step="${i}"`) + count(page, `class="dc multi" data-step="${i}"`), `step ${i}`).toBe(believers.length);
    });
  });

  it("the arrow check has teeth: a chart without one Read arrow fails it", async () => {
    const file = "traces/model/cover-Join-u2.itf.json";
    const trace = await load(file);
    const broken = buildChart(trace, file);
    const dropped = broken.arrows.findIndex((a) => a.kind === "read");
    broken.arrows.splice(dropped, 1);
    expect(() => expectArrowsMatch(broken, trace)).toThrow();
    // And a Read labelled with the wrong entry (the retained log's first, not the cursor's) fails it too.
    const shifted = buildChart(trace, file);
    const read = shifted.arrows.findIndex((a) => a.kind === "read" && a.step === 6);
    shifted.arrows[read] = { ...shifted.arrows[read]!, entry: (trace.states[5]!.log as Rec[])[0]! };
    expect(() => expectArrowsMatch(shifted, trace)).toThrow();
  });

  it("cover-Join-u2: the exact arrows, read entries taken from the previous state's compacted log", async () => {
    const file = "traces/model/cover-Join-u2.itf.json";
    const chart = buildChart(await load(file), file);
    expect(chart.arrows.map((a) => [a.step, a.from, a.to, a.label])).toEqual([
      [1, 2, "ds", "joined 2"],
      [2, "ds", 1, "joined 2"],
      [3, 1, "ds", "Welcome → 2 (e1)"],
      [4, 1, "ds", "Add 2 (e0→e1)"],
      [5, "ds", 1, "Welcome → 2 (e1)"],
      [6, "ds", 1, "Add 2 (e0→e1)"],
      [7, "ds", 2, "Welcome → 2 (e1)"],
      [8, "ds", 2, "Add 2 (e0→e1)"],
    ]);
    expect(chart.rows.map((r) => r.label)).toEqual(["Init", "Join(2)", "Read(1)", "DcWelcome(1 → 2)", "DcAdd(1 → 2)", "Read(1)", "Read(1)", "Read(2)", "Read(2)"]);
    // User 2: waiting, joined, tentative after reading its Welcome, a member after its Add.
    const u2 = chart.rows.map((r) => r.users[1]!);
    expect(u2[0]!.status).toBe("waiting");
    expect(u2[6]).toMatchObject({ status: "active", welcomed: false, tentative: false });
    expect(u2[7]).toMatchObject({ status: "active", welcomed: false, tentative: true });
    expect(u2[8]).toMatchObject({ status: "active", welcomed: true, tentative: false, epoch: 1, by: 1 });
    expect(chart.rows[8]!.epochChanged).toEqual([2]);
  });

  it("a Leave ends the lifeline with an ✕, also when the compaction drops the left entry at once", async () => {
    const file = "traces/model/cover-Leave-dc.itf.json";
    const trace = await load(file);
    expect(trace.states[1]!.log).toEqual([]); // nobody active is left to read "left 1"
    const chart = buildChart(trace, file);
    expect(chart.arrows).toMatchObject([{ step: 1, kind: "append", from: 1, to: "ds", label: "left 1" }]);
    expect(chart.rows[1]!.leaves).toBe(1);
    const page = renderPage({ file, trace, chart });
    expect(count(page, 'class="leave" data-step="1" data-user="1"')).toBe(1);
  });
});

describe("DC markers", () => {
  it("every user that believes it is the DC is marked, and more than one is flagged", async () => {
    // No stored trace has two believers at once (no counterexample breaks the one-DC invariant),
    // so this one is a real trace with user 2's `ahead` emptied in its last state.
    const file = "traces/model/cover-Join-u2.itf.json";
    const trace = clone(await load(file));
    users(trace.states[8]!.st)[1]!.ahead = { "#set": [] };
    const chart = buildChart(trace, file);
    expect(chart.rows[8]!.believers).toEqual([1, 2]);
    expect(chart.rows[7]!.believers).toEqual([1]);
    const page = renderPage({ file, trace, chart });
    expect(count(page, 'class="dc multi" data-step="8"')).toBe(2);
    expect(page).toMatch(/<g class="step multi-dc" data-step="8"/);
    expect(page).toContain("2 users believe they are the DC");
  });

  it("DcLowestAlive: belief without a Welcome counts (the variant's rule)", async () => {
    const file = "traces/counterexamples/Mutant_DcLowestAlive.itf.json";
    const trace = await load(file);
    const chart = buildChart(trace, file);
    expect(chart.variant).toBe("DcLowestAlive");
    expect(chart.rows[3]!.believers).toEqual([2]);
    expect(chart.rows[3]!.users[1]!.welcomed).toBe(false);
  });
});

describe("violations", () => {
  it("a safety counterexample marks its last step", async () => {
    const file = "traces/counterexamples/Mutant_NoSkipOwnAdd.itf.json";
    const trace = await load(file);
    const chart = buildChart(trace, file);
    const violation = trace["#meta"]!.violation as { name: string; kind: string };
    expect(violation.kind).toBe("invariant");
    expect(chart.violation).toEqual({ ...violation, step: 6 });
    const page = renderPage({ file, trace, chart });
    expect(count(page, /<g class="step[^"]*\bviolation\b/)).toBe(1);
    expect(page).toMatch(/<g class="step violation" data-step="6"/);
    expect(page).toContain(`data-violation="${violation.name}"`);
    expect(page).toContain('<body data-initial-step="6">');
  });

  it("a liveness lasso marks the loop back (stuttering: to itself)", async () => {
    const file = "traces/counterexamples/Liveness_WelcomeWithoutRemoves.itf.json";
    const trace = await load(file);
    const chart = buildChart(trace, file);
    expect(trace.loop).toBe(16);
    expect(chart.violation).toEqual({ ...(trace["#meta"]!.violation as object), step: 16, loop: 16 });
    const page = renderPage({ file, trace, chart });
    expect(count(page, '<path class="loop"')).toBe(1);
    expect(page).toContain("the last state repeats forever");
    expect(page).not.toMatch(/<g class="step[^"]*\bviolation\b/);
  });

  it("a lasso that returns to an earlier step says which", async () => {
    const file = "traces/counterexamples/Liveness_AddBeforeWelcome.itf.json";
    const trace = { ...(await load(file)), loop: 4 };
    const page = renderPage({ file, trace, chart: buildChart(trace, file) });
    expect(page).toContain('loops back to <a href="#step-4" data-goto="4">step 4</a>');
    expect(count(page, /<g class="step in-loop/)).toBe(trace.states.length - 4);
  });

  it("a model trace has no violation banner", async () => {
    const file = "traces/model/walk-4users-seed7.itf.json";
    const page = renderPage({ file, trace: await load(file), chart: buildChart(await load(file), file) });
    expect(page).not.toContain("data-violation");
    expect(page).toContain('<body data-initial-step="0">');
  });
});

describe("escaping untrusted trace content", () => {
  const HOSTILE = `</script><script>alert("x")</script><img src=x onerror='alert(1)'>&amp;`;

  it("esc and the html template escape & < > \" '", () => {
    expect(esc(HOSTILE)).toBe("&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=&#39;alert(1)&#39;&gt;&amp;amp;");
    expect(html`<p title="${HOSTILE}">${HOSTILE}</p>`.html).not.toContain("<script>");
  });

  it("no hostile string from #meta, the violation or a log entry reaches the page unescaped", async () => {
    const file = "traces/model/cover-Join-u2.itf.json";
    const trace = clone(await load(file));
    // (A hostile #meta.variant is refused before any page: see "unknown-variant" below.)
    trace["#meta"] = { ...trace["#meta"], description: HOSTILE, config: HOSTILE, violation: { kind: HOSTILE, name: HOSTILE } };
    // On the Welcome in every state that holds it: an entry that changed between states is refused.
    for (const s of trace.states) for (const e of s.log as Rec[]) if (e.type === "welcome") e.note = HOSTILE;
    const name = join(tmp, `${"<b>"}evil.itf.json`);
    const page = renderPage({ file: name, trace, chart: buildChart(trace, name) });
    expect(page).not.toContain(HOSTILE);
    expect(page).not.toContain("<img");
    expect(page).not.toContain("<b>");
    expect(count(page, "<script>")).toBe(1); // the page's own
    expect(page).toContain("&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)");
  });
});

describe("malformed traces: one line naming the file and what is wrong", () => {
  const write = (name: string, text: string) => {
    const path = join(tmp, name);
    writeFileSync(path, text);
    return path;
  };
  const good = () => JSON.parse(readFileSync(join(ROOT, "traces/model/cover-Join-u2.itf.json"), "utf8")) as ItfTrace & Rec;
  const cases: [string, () => string, RegExp][] = [
    ["not-json", () => "{ not json", /not-json\.itf\.json: not valid JSON/],
    ["no-states", () => JSON.stringify({ vars: ["st"] }), /no-states\.itf\.json: \$\.states: missing or not an array/],
    ["no-st", () => { const t = good(); delete (t.states[2] as Rec).st; return JSON.stringify(t); }, /no-st\.itf\.json: \$\.states\[2\]\.st: state is missing variable "st"/],
    ["no-st-var", () => { const t = good(); t.vars = t.vars.filter((v) => v !== "st"); t.states.forEach((s) => delete (s as Rec).st); return JSON.stringify(t); }, /no-st-var\.itf\.json: \$\.vars: no variable "st"/],
    ["bad-status", () => { const t = good(); users(t.states[3]!.st)[1]!.status = 7; return JSON.stringify(t); }, /bad-status\.itf\.json: \$\.states\[3\]\.st\[1\]\.status: expected "waiting", "active" or "gone", got 7/],
    ["st-not-seq", () => { const t = good(); (t.states[0] as Rec).st = "x"; return JSON.stringify(t); }, /st-not-seq\.itf\.json: \$\.states\[0\]\.st: expected a non-empty sequence/],
    // Quiesced is listed apart: it is a recorded run's claim, not an action of the model.
    ["unknown-action", () => { const t = good(); (t.states[2]!["#meta"] as Rec).action = "Teleport"; return JSON.stringify(t); },
      /unknown-action\.itf\.json: step 2: unknown action "Teleport" \(tla\/DCA\.tla's actions: Join, Leave, Read, DcWelcome, DcAdd, DcAddFirst, DcLateWelcome, DcRemove, DcSkip, Revive, AllGone; a recorded run may also claim Quiesced\)$/],
    ["unknown-variant", () => { const t = good(); t["#meta"]!.variant = "Bogus"; return JSON.stringify(t); },
      new RegExp(`unknown-variant\\.itf\\.json: \\$\\["#meta"\\]\\.variant: unknown variant "Bogus" \\(tla/DCA\\.tla's: ${VARIANTS.join(", ")}\\)$`)],
    ["variant-not-string", () => { const t = good(); t["#meta"]!.variant = 3; return JSON.stringify(t); }, /\$\["#meta"\]\.variant: unknown variant 3 \(tla\/DCA\.tla's: Correct, /],
    ["wrong-reader", () => {
      // A Read recorded for a user who could have read, but whose state did not move.
      const t = JSON.parse(readFileSync(join(ROOT, "traces/model/walk-4users-seed7.itf.json"), "utf8")) as ItfTrace;
      for (const [i, s] of t.states.entries()) {
        const p = s["#meta"]?.params as { u: number } | undefined;
        if (s["#meta"]?.action !== "Read" || !p) continue;
        const prev = t.states[i - 1]!, log = prev.log as Rec[];
        const other = users(prev.st).findIndex((u, k) => k + 1 !== p.u && u.status === "active" && (u.cursor as number) < log.length);
        if (other < 0) continue;
        p.u = other + 1;
        return JSON.stringify(t);
      }
      throw new Error("no Read with a second possible reader in the walk");
    }, /wrong-reader\.itf\.json: step \d+ \(Read\(\d\)\): the recorded params name user \d, but the states show user \d acting/],
    // Values of the wrong shape, refused at their JSON path on any step (state 4 precedes a Read, state 3 does not).
    ["bad-cursor", () => { const t = good(); users(t.states[4]!.st)[0]!.cursor = 9; return JSON.stringify(t); }, /bad-cursor\.itf\.json: \$\.states\[4\]\.st\[0\]\.cursor: expected a cursor in 0\.\.2 \(the log's length\), got 9$/],
    ["cursor-past-log", () => { const t = good(); users(t.states[3]!.st)[1]!.cursor = 2; return JSON.stringify(t); }, /\$\.states\[3\]\.st\[1\]\.cursor: expected a cursor in 0\.\.1 \(the log's length\), got 2$/],
    ["cursor-negative", () => { const t = good(); users(t.states[3]!.st)[1]!.cursor = -1; return JSON.stringify(t); }, /\$\.states\[3\]\.st\[1\]\.cursor: expected a cursor in 0\.\.1 \(the log's length\), got -1$/],
    // Step 3 (user 1's DcWelcome) called a Read: user 1 had read the whole (empty) log.
    ["read-at-end", () => { const t = good(); (t.states[3]!["#meta"] as Rec).action = "Read"; (t.states[3]!["#meta"] as Rec).params = { u: 1 }; return JSON.stringify(t); }, /read-at-end\.itf\.json: step 3 \(Read\(1\)\): user 1 has read the whole log \(cursor 0 of 0 entries\): nothing to read$/],
    ["members-map", () => { const t = good(); users(t.states[2]!.st)[0]!.members = { "#map": [[1, true]] }; return JSON.stringify(t); }, /\$\.states\[2\]\.st\[0\]\.members: expected a set of UIDs, got \{"#map":/],
    ["pending-map", () => { const t = good(); users(t.states[2]!.st)[0]!.pendingAdds = { "#map": [[1, 2]] }; return JSON.stringify(t); }, /\$\.states\[2\]\.st\[0\]\.pendingAdds: expected a sequence of UIDs, got \{"#map":/],
    ["st-map", () => { const t = good(); (t.states[1] as Rec).st = { "#map": users(t.states[1]!.st).map((u, k) => [k + 1, u]) }; return JSON.stringify(t); }, /\$\.states\[1\]\.st: expected a non-empty sequence of user states, got \{"#map":/],
    ["epoch-negative", () => { const t = good(); users(t.states[2]!.st)[0]!.epoch = -1; return JSON.stringify(t); }, /\$\.states\[2\]\.st\[0\]\.epoch: expected a natural number, got -1$/],
    ["entry-epoch-negative", () => { const t = good(); (t.states[3]!.log as Rec[])[0]!.epoch = -1; return JSON.stringify(t); }, /\$\.states\[3\]\.log\[0\]\.epoch: expected a natural number, got -1$/],
    ["entry-type", () => { const t = good(); (t.states[1]!.log as Rec[])[0]!.type = "teleported"; return JSON.stringify(t); }, /\$\.states\[1\]\.log\[0\]\.type: expected "joined", "left", "skipped", "welcome", "add" or "remove", got "teleported"$/],
    ["entry-no-sender", () => { const t = good(); delete (t.states[3]!.log as Rec[])[0]!.sender; return JSON.stringify(t); }, /\$\.states\[3\]\.log\[0\]\.sender: expected a UID \(1\.\.3\), got nothing$/],
    // Appends the states do not bear out (cover-Join-u2: 1 Join(2), 3 DcWelcome(1 → 2), 4 DcAdd(1 → 2)).
    ["dc-no-append", () => { const t = good(); t.states[4]!.log = clone(t.states[3]!.log); return JSON.stringify(t); }, /step 4 \(DcAdd\(1 → 2\)\): the log went from 1 entry to 1 entry; DcAdd appends exactly one$/],
    ["dc-two-appends", () => { const t = good(); (t.states[4]!.log as Rec[]).push(clone((t.states[4]!.log as Rec[])[1]!)); return JSON.stringify(t); }, /step 4 \(DcAdd\(1 → 2\)\): the log went from 1 entry to 3 entries; DcAdd appends exactly one$/],
    ["dc-rewrites-log", () => { const t = good(); (t.states[4]!.log as Rec[])[0]!.epoch = 7; return JSON.stringify(t); }, /step 4 \(DcAdd\(1 → 2\)\): the entries before the appended one changed$/],
    ["dc-wrong-type", () => { const t = good(); (t.states[4]!["#meta"] as Rec).action = "DcRemove"; return JSON.stringify(t); }, /step 4 \(DcRemove\(1 → 2\)\): DcRemove appends an entry of type remove, but the log ends with "Add 2 \(e0→e1\)"$/],
    ["dc-welcome-as-add", () => { const t = good(); (t.states[3]!["#meta"] as Rec).action = "DcAddFirst"; return JSON.stringify(t); }, /step 3 \(DcAddFirst\(1 → 2\)\): DcAddFirst appends an entry of type add, but the log ends with "Welcome → 2 \(e1\)"$/],
    ["dc-wrong-sender", () => { const t = good(); (t.states[3]!.log as Rec[])[0]!.sender = 2; return JSON.stringify(t); }, /step 3 \(DcWelcome\(1 → 2\)\): the appended entry's sender is user 2, not the acting user 1$/],
    ["dc-wrong-target", () => { const t = good(); ((t.states[3]!["#meta"] as Rec).params as Rec).target = 3; return JSON.stringify(t); }, /step 3 \(DcWelcome\(1 → 3\)\): the appended entry's target is user 2, but the params name user 3$/],
    ["join-wrong-entry", () => { const t = good(); t.states[1]!.log = [{ type: "left", uid: 2 }]; return JSON.stringify(t); }, /step 1 \(Join\(2\)\): the log after is not the log before plus "joined 2" \(less a prefix every active user has read\)$/],
    ["join-no-entry", () => { const t = good(); t.states[1]!.log = []; users(t.states[1]!.st)[1]!.cursor = 0; return JSON.stringify(t); }, /step 1 \(Join\(2\)\): the log dropped its first 1 entry, but user 1's cursor went from 0 to 0$/],
  ];

  it.each(cases)("%s", async (name, text, message) => {
    const path = write(`${name}.itf.json`, text());
    const error = await loadTrace(path).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(oneLine(error)).toMatch(message);
    expect(oneLine(error)).not.toContain("\n");
    expect(oneLine(error)).not.toMatch(/^unexpected/);
  });

  it("a recorded run's Quiesced claim is still accepted, drawing no arrow", () => {
    const t = good();
    t.states.push({ ...clone(t.states.at(-1)!), "#meta": { index: t.states.length, action: "Quiesced", params: {} } });
    const chart = buildChart(t, "quiesced.itf.json");
    expect(chart.rows.at(-1)!.label).toBe("Quiesced");
    expect(chart.arrows.at(-1)!.step).toBe(t.states.length - 2);
  });

  it("a Leave may drop its own entry at once, but not an entry an active user has yet to read", async () => {
    // cover-Leave-member, step 7: Leave(2) while user 1 (cursor 0) has the log's 2 entries to read.
    const t = clone(await load("traces/model/cover-Leave-member.itf.json"));
    expect(t.states[7]!["#meta"]!.action).toBe("Leave");
    expect(buildChart(t, "leave.itf.json").arrows.find((a) => a.step === 7)?.label).toBe("left 2");
    t.states[7]!.log = (t.states[7]!.log as Rec[]).slice(1); // the Welcome dropped unread, user 1's cursor left at 0
    expect(() => buildChart(t, "leave.itf.json")).toThrow(/step 7 \(Leave\(2\)\): the log dropped its first 1 entry, but user 1's cursor went from 0 to 0$/);
  });

  it("the CLI exits 2 with one line on stderr and no stack trace", () => {
    const path = write("cli-bad.itf.json", '{"vars": ["st"], "states": [{"st": 1}]}');
    const r = spawnSync(process.execPath, ["--import", "./scripts/register-ts-node.mjs", "scripts/view.ts", path], { cwd: ROOT, encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("cli-bad.itf.json");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("output the CLI cannot write: one line naming the path, not the traces", () => {
  const write = (name: string, text: string) => {
    const path = join(tmp, name);
    writeFileSync(path, text);
    return path;
  };
  const cli = (script: string, ...args: string[]) =>
    spawnSync(process.execPath, ["--import", "./scripts/register-ts-node.mjs", script, ...args], { cwd: ROOT, encoding: "utf8" });
  const oneError = (r: ReturnType<typeof cli>, message: RegExp) => {
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/unexpected|\n\s+at /);
  };

  it("--all into a file that is not a folder stops before rendering", () => {
    const notADir = write("not-a-folder.json", "{}");
    oneError(cli("scripts/view.ts", "--all", "--out-dir", notADir), /cannot use .*not-a-folder\.json as the output folder: EEXIST/);
  });

  it("a page path under a file", () => {
    const notADir = write("plain-file", "x");
    oneError(cli("scripts/view.ts", "traces/model/cover-Join-u2.itf.json", "--out", join(notADir, "x.html")), /cannot write .*plain-file\/x\.html/);
  });

  it("empty --out, --out-dir and --html= values are refused, not ignored", () => {
    oneError(cli("scripts/view.ts", "traces/model/cover-Join-u2.itf.json", "--out="), /--out needs a file name/);
    oneError(cli("scripts/view.ts", "--all", "--out-dir="), /--out-dir needs a folder name/);
    oneError(cli("scripts/replay.ts", "traces/model/cover-Join-u2.itf.json", "--no-mls", "--html="), /--html= needs a file name/);
  });

  it("replay --html FILE writes the side-by-side page there", () => {
    const out = join(tmp, "replay", "r.html");
    const r = cli("scripts/replay.ts", "traces/counterexamples/Mutant_NoSkipOwnAdd.itf.json", "--variant", "Correct", "--no-mls", "--html", out);
    expect(r.status).toBe(1); // the Correct implementation leaves this counterexample
    expect(readFileSync(out, "utf8")).toContain('class="banner divergence" data-step="6"');
  });
});

describe("npm run view -- --all", () => {
  it("the index links a page whose name has #, ? or % in it", () => {
    const index = renderIndex([{ name: "odd#1?%", group: "traces/model", href: "odd#1?%.html", steps: 1 }], "t");
    expect(index).toContain('href="odd%231%3F%25.html"');
  });

  it("renders every stored trace and an index listing them", () => {
    const out = join(tmp, "all");
    const r = spawnSync(process.execPath, ["--import", "./scripts/register-ts-node.mjs", "scripts/view.ts", "--all", "--out-dir", out], { cwd: ROOT, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const pages = readdirSync(out).filter((f) => f.endsWith(".html") && f !== "index.html");
    expect(pages).toHaveLength(ALL.length);
    const index = readFileSync(join(out, "index.html"), "utf8");
    for (const f of ALL) expect(index).toContain(`href="${f.split("/").pop()!.replace(".itf.json", ".html")}"`);
    expect(index).toMatch(/✗ [A-Za-z]+ \(invariant\)/);
  });
});

describe("replay page", () => {
  it("marks the first divergence and lists the differing fields", async () => {
    const file = "traces/counterexamples/Mutant_NoSkipOwnAdd.itf.json";
    const trace = await load(file);
    const mapped: ModelState[] = [];
    const report = await replayTrace(trace, { file, mls: false, variant: "Correct", stopAtDivergence: false, onMapped: (i, m) => (mapped[i] = m) });
    const page = renderReplayPage({ file, trace, chart: buildChart(trace, file), report, mapped, mls: false });
    expect(page).toMatch(/<g class="step violation divergence" data-step="6"/);
    expect(page).toContain('class="banner divergence" data-step="6"');
    expect(page).toContain("st[2].epoch: model 2, implementation 1");
    // In the panel, the differing cell shows both values.
    expect(page).toMatch(/<td class="changed diff"><span class="v">2<\/span><div class="impl-value"[^>]*>impl: 1<\/div><\/td>/);
  });

  it("the implementation's DC belief follows its own variant, so a refusal rooted in belief shows", async () => {
    // DcLowestAlive's model lets user 2 believe it is the DC without a Welcome; the Correct implementation does not.
    const file = "traces/counterexamples/Mutant_DcLowestAlive.itf.json";
    const trace = await load(file);
    const mapped: ModelState[] = [];
    // A refused step ends the replay (a ConformanceError carrying the report), as in the CLI.
    const report = await replayTrace(trace, { file, mls: false, variant: "Correct", onMapped: (i, m) => (mapped[i] = m) }).then(
      () => expect.unreachable("the Correct implementation must refuse DcRemove(2)"),
      (e: unknown) => (e as ConformanceError).report,
    );
    const page = renderReplayPage({ file, trace, chart: buildChart(trace, file), report, mapped, mls: false });
    const dcRow = (step: number) => page.split(`id="state-${step}"`)[1]!.split("believes DC</th>")[1]!.split("</tr>")[0]!;
    expect(dcRow(3)).toMatch(/<td class="[^"]*diff[^"]*dc-yes"><span class="v">TRUE<\/span><div class="impl-value"[^>]*>impl: FALSE</);
  });

  it("a clean replay has no divergence", async () => {
    const file = "traces/model/cover-Join-u2.itf.json";
    const trace = await load(file);
    const mapped: ModelState[] = [];
    const report = await replayTrace(trace, { file, mls: false, onMapped: (i, m) => (mapped[i] = m) });
    expect(mapped).toHaveLength(trace.states.length);
    const page = renderReplayPage({ file, trace, chart: buildChart(trace, file), report, mapped, mls: false });
    expect(page).not.toMatch(/class="[^"]*divergence/);
    expect(page).not.toMatch(/class="[^"]*\bdiff\b/);
    expect(page).toContain("followed all 8 steps");
  });
});
