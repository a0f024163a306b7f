/**
 * A self-contained HTML heatmap of the objective over two parameters: an HTML table whose cells are coloured
 * from worst (red) to best (green). With more than two searched parameters a cell shows the best value over
 * the others. No script, no external file.
 */
import type { Objective, ResultRow } from "./search.ts";

type Value = number | string | boolean;

const escape = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** Best objective per (x, y) cell; NaN where nothing ran (constraint) or the objective is undefined. */
export function heatmapGrid(rows: readonly ResultRow[], x: string, y: string, objective: Objective) {
  const order = (vals: Value[]) =>
    [...new Set(vals)].sort((a, b) =>
      typeof a === "number" && typeof b === "number" ? a - b : String(a) < String(b) ? -1 : 1
    );
  const xs = order(rows.map((r) => r.params[x]));
  const ys = order(rows.map((r) => r.params[y]));
  const cells = ys.map(() => xs.map(() => NaN));
  for (const r of rows) {
    const i = ys.indexOf(r.params[y]), j = xs.indexOf(r.params[x]);
    const old = cells[i][j];
    const better = Number.isNaN(old) || (objective.minimize ? r.objective < old : r.objective > old);
    if (!Number.isNaN(r.objective) && better) cells[i][j] = r.objective;
  }
  return { xs, ys, cells };
}

function colour(t: number): string {
  // Hue 0 (red, worst) → 120 (green, best).
  return `hsl(${Math.round(120 * t)}, 65%, ${Math.round(78 - 18 * Math.abs(t - 0.5))}%)`;
}

export function renderHeatmap(
  rows: readonly ResultRow[],
  x: string,
  y: string,
  objective: Objective,
  title = "Optimisation heatmap",
): string {
  const { xs, ys, cells } = heatmapGrid(rows, x, y, objective);
  const finite = cells.flat().filter(Number.isFinite);
  const lo = Math.min(...finite), hi = Math.max(...finite);
  const scale = (v: number) => hi === lo ? 1 : objective.minimize ? (hi - v) / (hi - lo) : (v - lo) / (hi - lo);
  const fmt = (v: number) => Number.isFinite(v) ? v.toFixed(Math.abs(v) >= 100 ? 1 : 3) : "–";
  const head = xs.map((v) => `<th>${escape(String(v))}</th>`).join("");
  const body = ys.map((yv, i) =>
    `<tr><th>${escape(String(yv))}</th>` +
    cells[i].map((v, j) =>
      Number.isFinite(v)
        ? `<td style="background:${colour(scale(v))}" title="${escape(`${x}=${xs[j]}, ${y}=${yv}`)}">${fmt(v)}</td>`
        : `<td class="none">–</td>`
    ).join("") + "</tr>"
  ).join("\n");
  const goal = objective.minimize ? "minimised" : "maximised";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse}
th,td{padding:4px 8px;text-align:right;border:1px solid #fff;font-variant-numeric:tabular-nums}
th{background:#eee}
td.none{background:#ddd;color:#888;text-align:center}
.legend span{display:inline-block;padding:2px 10px}
</style></head><body>
<h1>${escape(title)}</h1>
<p>Objective <b>${escape(objective.key)}</b> (${goal}); columns: <b>${escape(x)}</b>, rows: <b>${escape(y)}</b>.
Each cell is the best over any other searched parameter; – = not run (constraint) or undefined.</p>
<table><thead><tr><th>${escape(y)} \\ ${escape(x)}</th>${head}</tr></thead>
<tbody>
${body}
</tbody></table>
<p class="legend">worst <span style="background:${colour(0)}">${fmt(objective.minimize ? hi : lo)}</span>
<span style="background:${colour(0.5)}">…</span>
<span style="background:${colour(1)}">${fmt(objective.minimize ? lo : hi)}</span> best</p>
</body></html>
`;
}
