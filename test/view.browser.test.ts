// The trace viewer's pages in a real browser (Debian's Chromium, driven by
// playwright-core): the chart has the lifelines and arrows the trace calls
// for, clicking a step shows its state with the changed values highlighted,
// the keyboard moves between steps, the replay page marks its divergence,
// and no page makes a network request. Screenshots go to
// build/reports/screenshots/ for a human to look at.
//
// Without /usr/bin/chromium the suite is skipped, except under CI, where it fails.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, HEADLESS_ARGS, chromiumFor } from "./local-chromium.ts";
import type { ModelState } from "../conformance/model/refinement.ts";
import { replayTrace, type ReplayReport } from "../conformance/replay/replay-trace.ts";
import { readItf, type ItfTrace } from "../scripts/tlc/formats/itf.ts";
import { buildChart } from "../scripts/lib/view/chart.ts";
import { renderPage } from "../scripts/lib/view/page.ts";
import { renderReplayPage } from "../scripts/lib/view/replay-page.ts";

const ARGS = [...HEADLESS_ARGS, "--disable-quic"];
const ROOT = new URL("..", import.meta.url).pathname;
const SCREENSHOTS = join(ROOT, "build", "reports", "screenshots");
const haveChromium = chromiumFor("trace viewer in a browser", "view.browser.test.ts");


// Independent of the viewer: the steps that draw an arrow (tla/DCA.tla's appends, and Read).
const ARROW_ACTIONS = new Set(["Read", "Join", "Leave", "DcWelcome", "DcAdd", "DcAddFirst", "DcLateWelcome", "DcRemove"]);
const arrowSteps = (t: ItfTrace) => t.states.filter((s, i) => i > 0 && ARROW_ACTIONS.has(String(s["#meta"]?.action))).length;

describe.skipIf(!haveChromium)("trace viewer in a browser", () => {
  let dir: string;
  let context: BrowserContext;
  const requests: string[] = [];
  let opened = 0;
  const problems: string[] = [];
  const pages: Record<string, { url: string; trace: ItfTrace }> = {};

  async function write(name: string, file: string, render: (trace: ItfTrace) => Promise<string> | string) {
    const trace = await readItf(join(ROOT, file));
    const path = join(dir, `${name}.html`);
    writeFileSync(path, await render(trace));
    pages[name] = { url: pathToFileURL(path).href, trace };
  }

  async function open(name: string, hash = ""): Promise<Page> {
    const page = await context.newPage();
    opened++;
    page.on("pageerror", (e) => problems.push(`${name}: ${e.message}`));
    page.on("console", (m) => m.type() === "error" && problems.push(`${name}: console: ${m.text()}`));
    await page.goto(pages[name]!.url + hash);
    return page;
  }

  async function screenshot(page: Page, name: string) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const path = join(SCREENSHOTS, `${name}.png`);
    await page.screenshot({ path });
    console.log(`screenshot: ${relative(process.cwd(), path)}`);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "view-browser-"));
    const model = "traces/model/walk-4users-seed7.itf.json";
    const cex = "traces/counterexamples/Mutant_NoSkipOwnAdd.itf.json";
    await write("walk", model, (trace) => renderPage({ file: model, trace, chart: buildChart(trace, model) }));
    await write("cex", cex, (trace) => renderPage({ file: cex, trace, chart: buildChart(trace, cex) }));
    // The known-bad trace replayed on the correct implementation: it must diverge where NoSkipOwnAdd matters.
    await write("replay", cex, async (trace) => {
      const mapped: ModelState[] = [];
      const report = await replayTrace(trace, { file: cex, mls: false, variant: "Correct", onMapped: (i, m) => (mapped[i] = m) }).then(
        (r) => r,
        (e: { report?: ReplayReport }) => e.report ?? Promise.reject(e),
      );
      return renderReplayPage({ file: cex, trace, chart: buildChart(trace, cex), report, mapped, mls: false });
    });
    context = await chromium.launchPersistentContext(join(dir, "profile"), {
      executablePath: CHROMIUM,
      args: ARGS,
      viewport: { width: 1600, height: 1000 },
      timeout: 20_000,
    });
    // The pages are self-contained: anything but the file itself is a failure.
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:")) return route.continue();
      requests.push(url);
      return route.abort();
    });
  }, 30_000);

  afterAll(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("model trace: lifelines, arrows, and a clicked step's state with its changes", async () => {
    const page = await open("walk");
    const trace = pages.walk!.trace;
    const users = (trace.states[0]!.st as unknown[]).length;
    expect(await page.locator(".lifeline[data-user]").count()).toBe(users);
    expect(await page.locator(".lifeline[data-role=ds]").count()).toBe(1);
    expect(await page.locator(".arrow").count()).toBe(arrowSteps(trace));
    expect(await page.locator(".step").count()).toBe(trace.states.length);
    await expect.poll(() => page.locator("section.state:visible").getAttribute("data-step")).toBe("0");

    // The first Read that changes the reader's cursor and something else: both must be
    // highlighted in its state panel (chosen from the trace, so regenerated traces keep it).
    const { step, u } = firstTellingRead(trace);
    await page.locator(`.step[data-step="${step}"]`).click();
    const panel = page.locator("section.state:visible");
    expect(await panel.count()).toBe(1);
    expect(await panel.getAttribute("data-step")).toBe(String(step));
    expect(await panel.locator("h2").innerText()).toBe(`Step ${step} · Read(${u})`);
    expect(await page.locator(".step.selected").getAttribute("data-step")).toBe(String(step));
    expect(await panel.locator(".changed").count()).toBeGreaterThanOrEqual(2);
    const cursorRow = panel.locator("table.st tr", { has: page.locator('th:text-is("cursor")') });
    expect(await cursorRow.locator("td").nth(u - 1).getAttribute("class")).toContain("changed");
    // Another user's cursor did not move: not highlighted.
    expect(await cursorRow.locator("td").nth(u === 1 ? 1 : 0).getAttribute("class")).toBeNull();
    await screenshot(page, `walk-4users-seed7-step${step}`);

    await page.keyboard.press("ArrowDown");
    expect(await page.locator("section.state:visible").getAttribute("data-step")).toBe(String(step + 1));
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("ArrowUp");
    expect(await page.locator("section.state:visible").getAttribute("data-step")).toBe(String(step - 1));
    await page.close();
  });

  it("counterexample: the violated property is shown, and its step opens first", async () => {
    const page = await open("cex");
    const last = String(pages.cex!.trace.states.length - 1);
    const v = pages.cex!.trace["#meta"]!.violation as { name: string; kind: string };
    expect(await page.locator(".banner.violation").innerText()).toContain(`${v.name} (${v.kind}) is violated`);
    expect(await page.locator(".step.violation").getAttribute("data-step")).toBe(last);
    expect(await page.locator("section.state:visible").getAttribute("data-step")).toBe(last);
    expect(await page.locator(".step.selected").getAttribute("data-step")).toBe(last);
    await screenshot(page, "Mutant_NoSkipOwnAdd");
    await page.close();
  });

  it("replay page: the first divergence is marked, with the model's and the implementation's values", async () => {
    const page = await open("replay");
    expect(await page.locator(".step.divergence").count()).toBe(1);
    expect(await page.locator(".step.divergence").getAttribute("data-step")).toBe("6");
    expect(await page.locator(".banner.divergence").innerText()).toContain("st[2].epoch: model 2, implementation 1");
    const panel = page.locator("section.state:visible");
    expect(await panel.getAttribute("data-step")).toBe("6");
    expect(await panel.locator("td.diff").first().innerText()).toMatch(/^2\s+impl: 1$/);
    await screenshot(page, "Mutant_NoSkipOwnAdd-replay");
    // An agreeing step has no differing cell.
    await page.locator('.step[data-step="3"]').click();
    expect(await page.locator("section.state:visible td.diff").count()).toBe(0);
    // The banner's link goes back to the divergence.
    await page.locator(".banner.divergence a[data-goto]").click();
    expect(await page.locator("section.state:visible").getAttribute("data-step")).toBe("6");
    expect(await page.locator(".step.selected").getAttribute("data-step")).toBe("6");
    await page.close();
  });

  it("#step-N in the address opens that step; one past the end opens the page's first", async () => {
    let page = await open("walk", "#step-5");
    expect(await page.locator("section.state:visible").getAttribute("data-step")).toBe("5");
    expect(await page.locator(".step.selected").getAttribute("data-step")).toBe("5");
    await page.close();
    page = await open("walk", "#step-99999");
    expect(await page.locator("section.state:visible").count()).toBe(1);
    expect(await page.locator("section.state:visible").getAttribute("data-step")).toBe("0");
    await page.close();
  });

  it("no page made a network request or hit a script error", () => {
    expect(opened).toBeGreaterThanOrEqual(5); // meaningful only after the pages above were opened
    expect(requests).toEqual([]);
    expect(problems).toEqual([]);
  });
});

/** The first Read step (after step 1) that moves its reader's cursor and changes another of its fields. */
function firstTellingRead(trace: ItfTrace): { step: number; u: number } {
  for (let i = 2; i < trace.states.length - 1; i++) {
    const meta = trace.states[i]!["#meta"] as { action?: string; params?: { u?: number } } | undefined;
    const u = meta?.params?.u;
    if (meta?.action !== "Read" || typeof u !== "number") continue;
    const before = (trace.states[i - 1]!.st as Record<string, unknown>[])[u - 1]!;
    const after = (trace.states[i]!.st as Record<string, unknown>[])[u - 1]!;
    const changed = Object.keys(after).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    if (changed.includes("cursor") && changed.length >= 2) return { step: i, u };
  }
  throw new Error("the walk has no Read that changes its reader's cursor and another field");
}
