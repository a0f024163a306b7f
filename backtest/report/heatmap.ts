// A correlation matrix as an inline SVG heatmap: no script, no network, readable when printed.
import type { CorrelationMatrix, RollingCorrelation } from "./correlation.ts";

const CELL = 56;
const CHAR = 7.2;

/** Red for +1, white for 0, blue for −1; grey when undefined. */
export function cellColor(v: number | null): string {
  if (v === null) return "#eaeef2";
  const t = Math.min(1, Math.abs(v));
  const [r, g, b] = v >= 0 ? [207, 34, 46] : [9, 105, 218];
  const mix = (c: number) => Math.round(255 + (c - 255) * t);
  return `rgb(${mix(r)},${mix(g)},${mix(b)})`;
}

export function heatmapSvg(m: CorrelationMatrix, id: string): string {
  const n = m.labels.length;
  const left = Math.ceil(Math.max(...m.labels.map((l) => l.length), 1) * CHAR) + 10;
  const top = 24;
  const width = left + n * CELL + 2;
  const height = top + n * CELL + 2;
  const cells: string[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = m.matrix[i][j];
      const x = left + j * CELL, y = top + i * CELL;
      const text = v === null ? "--" : v.toFixed(2);
      const ink = v !== null && Math.abs(v) > 0.6 ? "#ffffff" : "#1f2328";
      cells.push(
        `<rect x="${x}" y="${y}" width="${CELL - 2}" height="${CELL - 2}" fill="${cellColor(v)}">` +
          `<title>${escape(m.labels[i])} × ${escape(m.labels[j])}: ${text}</title></rect>` +
          `<text x="${x + (CELL - 2) / 2}" y="${y + CELL / 2 + 3}" fill="${ink}" text-anchor="middle">${text}</text>`,
      );
    }
  }
  const rows = m.labels.map((l, i) =>
    `<text x="${left - 6}" y="${top + i * CELL + CELL / 2 + 3}" text-anchor="end">${escape(l)}</text>`
  );
  const cols = m.labels.map((l, j) =>
    `<text x="${left + j * CELL + (CELL - 2) / 2}" y="${top - 8}" text-anchor="middle">${
      escape(l.length > 8 ? `${l.slice(0, 7)}…` : l)
    }</text>`
  );
  return `<svg id="${id}" class="heatmap" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-size="11" font-family="system-ui, sans-serif">\n` +
    [...cols, ...rows, ...cells].join("\n") + "\n</svg>";
}

/** The rolling correlations on one time axis (seconds, as the page's charts): the union of the pairs' days. */
export function rollingChartData(rolling: readonly RollingCorrelation[]) {
  const days = [...new Set(rolling.flatMap((r) => r.ts))].sort((a, b) => a - b);
  return {
    t: days.map((ms) => ms / 1000),
    labels: rolling.map((r) => `${r.a} × ${r.b}`),
    values: rolling.map((r) => {
      const at = new Map(r.ts.map((t, i) => [t, r.value[i]]));
      return days.map((t) => at.get(t) ?? null);
    }),
  };
}

function escape(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}
