// A step chart as SVG text: one or more panels, each with series of (time, count) points
// drawn as steps (the count holds until the next point). Written here in a few lines
// rather than with a plotting library: the benchmark needs two axes, lines and labels.

export interface Series {
  label: string;
  color: string;
  /** Points in time order: seconds since the start, and the count from then on. */
  points: readonly (readonly [number, number])[];
}

export interface Panel {
  title: string;
  yLabel: string;
  series: readonly Series[];
}

const W = 720;
const H = 300;
const M = { left: 64, right: 24, top: 40, bottom: 48 };
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Round tick spacing: 1, 2 or 5 times a power of ten, about `n` ticks up to `max`. */
function ticks(max: number, n = 6): number[] {
  const raw = max / n;
  const p = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 5, 10].map((k) => k * p).find((s) => s >= raw) ?? 10 * p;
  return Array.from({ length: Math.floor(max / step) + 1 }, (_, i) => +(i * step).toPrecision(12));
}

function panel(p: Panel, y0: number): string {
  const xMax = Math.max(...p.series.flatMap((s) => s.points.map(([t]) => t)), 1e-3) * 1.05;
  const yMax = Math.max(...p.series.flatMap((s) => s.points.map(([, c]) => c)), 1);
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (t: number) => M.left + (t / xMax) * pw;
  const y = (c: number) => y0 + M.top + ph - (c / yMax) * ph;
  const out: string[] = [`<text x="${W / 2}" y="${y0 + 22}" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`];
  for (const t of ticks(xMax)) {
    out.push(`<line x1="${x(t)}" y1="${y(0)}" x2="${x(t)}" y2="${y(yMax)}" stroke="#ddd"/>`);
    out.push(`<text x="${x(t)}" y="${y(0) + 16}" text-anchor="middle">${t}</text>`);
  }
  for (const c of ticks(yMax, 5)) {
    out.push(`<line x1="${x(0)}" y1="${y(c)}" x2="${x(xMax)}" y2="${y(c)}" stroke="#ddd"/>`);
    out.push(`<text x="${x(0) - 6}" y="${y(c) + 4}" text-anchor="end">${c}</text>`);
  }
  out.push(`<text x="${M.left + pw / 2}" y="${y(0) + 36}" text-anchor="middle">seconds</text>`);
  out.push(`<text transform="translate(16 ${y0 + M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`);
  p.series.forEach((s, i) => {
    const d = s.points.map(([t, c], j) => (j === 0 ? `M${x(t)},${y(c)}` : `H${x(t)}V${y(c)}`)).join("");
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    // The legend at the bottom right, where rising curves leave room.
    const ly = y(0) - 12 - (p.series.length - 1 - i) * 18;
    out.push(`<rect x="${W - M.right - 290}" y="${ly - 6}" width="14" height="4" fill="${s.color}"/>`);
    out.push(`<text x="${W - M.right - 270}" y="${ly}">${esc(s.label)}</text>`);
  });
  return out.join("\n");
}

/** Panels stacked vertically, as one SVG document. */
export function stepChart(panels: readonly Panel[]): string {
  const body = panels.map((p, i) => panel(p, i * H)).join("\n");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H * panels.length}" font-family="sans-serif" font-size="12">\n<rect width="100%" height="100%" fill="white"/>\n${body}\n</svg>\n`;
}
