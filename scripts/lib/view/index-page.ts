// The index of a folder of rendered traces (`npm run view -- --all`): one row
// per trace with its description, length and the property it violates.

import { html, raw } from "./escape.ts";
import { STYLE } from "./style.ts";

export interface IndexEntry {
  /** The trace's name (file name without .itf.json) and its page, relative to the index. */
  name: string;
  href?: string;
  group: string;
  description?: string;
  /** Why this trace was kept (model traces: the step it covers, or the random walk). */
  chosenBy?: string;
  variant?: string;
  steps?: number;
  violation?: string;
  /** Why the trace could not be rendered. */
  error?: string;
}

export function renderIndex(entries: IndexEntry[], title: string): string {
  const groups = [...new Set(entries.map((e) => e.group))];
  const rows = (group: string) =>
    entries
      .filter((e) => e.group === group)
      .map(
        (e) => html`<tr>
<td>${e.href ? html`<a href="${encodeURIComponent(e.href)}">${e.name}</a>` : e.name}</td>
<td>${e.error ? html`<span class="bad">cannot render: ${e.error}</span>` : (e.description ?? "")}${e.chosenBy ? html`<br><span class="muted">${e.chosenBy}</span>` : ""}</td>
<td>${e.variant ?? ""}</td>
<td class="num">${e.steps ?? ""}</td>
<td>${e.violation ? html`<span class="bad">✗ ${e.violation}</span>` : ""}</td></tr>`,
      );
  return html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${title}</title><style>${raw(STYLE)}</style></head>
<body><header class="top"><h1>${title}</h1><p class="desc">${entries.length} traces; click one for its message sequence chart.</p></header>
${groups.map(
  (g) => html`<table class="index"><caption style="text-align:left;font-weight:600;padding:4px 0">${g}</caption>
<thead><tr><th>trace</th><th>description</th><th>variant</th><th>steps</th><th>violates</th></tr></thead>
<tbody>${rows(g)}</tbody></table>`,
)}
</body></html>
`.html;
}
