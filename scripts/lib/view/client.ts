// The page's only script, inlined into every page (no network at view time).
// It selects a step: highlights its row and shows its state panel. Clicking a
// row, the arrow keys (or j/k), the links in the header and #step-N in the URL
// all select. Everything it shows is already rendered (and escaped) in the
// page: the script reads no trace data and builds no markup.

export const CLIENT_SCRIPT = `(() => {
  const rows = Array.from(document.querySelectorAll(".step[data-step]"));
  const panels = Array.from(document.querySelectorAll("section.state[data-step]"));
  let current = -1;
  function select(i, scroll) {
    if (!(i >= 0 && i < rows.length)) return;
    current = i;
    for (const r of rows) r.classList.toggle("selected", Number(r.dataset.step) === i);
    for (const p of panels) p.hidden = Number(p.dataset.step) !== i;
    try { history.replaceState(null, "", "#step-" + i); } catch (e) { /* some file:// contexts refuse */ }
    if (scroll) rows[i].scrollIntoView({ block: "nearest" });
  }
  for (const r of rows) r.addEventListener("click", () => select(Number(r.dataset.step), false));
  for (const a of document.querySelectorAll("[data-goto]")) {
    a.addEventListener("click", (e) => { e.preventDefault(); select(Number(a.dataset.goto), true); });
  }
  document.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const delta = e.key === "ArrowDown" || e.key === "j" ? 1 : e.key === "ArrowUp" || e.key === "k" ? -1 : 0;
    if (delta === 0) return;
    e.preventDefault();
    select(Math.min(rows.length - 1, Math.max(0, current + delta)), true);
  });
  const m = /^#step-(\\d+)$/.exec(location.hash);
  const asked = m ? Number(m[1]) : -1;
  // A #step-N past the end (a link to a longer trace's step) opens the page's own first step.
  if (asked >= 0 && asked < rows.length) select(asked, true);
  else select(Number(document.body.dataset.initialStep || 0), false);
})();`;
